import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Access } from '../auth.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #222; }
header { background: #1f2a36; color: #fff; padding: .6rem 1.5rem; display: flex; gap: 1.2rem; align-items: center; }
header a { color: #cfe0f5; text-decoration: none; } header a:hover { text-decoration: underline; } header .who { margin-left: auto; color: #9fb3c8; }
main { max-width: 1100px; margin: 1.5rem auto; padding: 0 1.5rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; } td, th { border-bottom: 1px solid #e4e4e4; padding: 4px 6px; text-align: left; vertical-align: top; }
.state { font-weight: 600; } .awaiting_approval, .waiting { color: #a15c00; } .completed, .ok { color: #1e7a43; } .failed, .bad { color: #b3261e; } .running, .queued { color: #2a6fb0; }
pre { background: #f7f7f7; padding: 8px; overflow-x: auto; } .hljs-addition { color: #1e7a43; background: #eefbf1; } .hljs-deletion { color: #b3261e; background: #fdeeee; } .hljs-meta { color: #2a6fb0; } .hljs-comment { color: #555; font-weight: 600; }
form.decide { display: flex; gap: .5rem; align-items: center; margin: 1rem 0; } button { padding: 4px 12px; } button.approve { background: #1e7a43; color: #fff; border: 0; } button.reject { background: #b3261e; color: #fff; border: 0; }
.note { color: #666; } svg.spark { vertical-align: middle; }
`;

/** Every page: the navigation, who is signed in as what, and the page's own body. */
export function layout(title: string, access: Access, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${title} · steward</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <strong>steward</strong><a href="/console">errors</a><a href="/console/runs">runs</a><a href="/console/proposals">proposals</a><a href="/queues">queues</a
          ><a href="/console/evals">evals</a> <span class="who">${access === 'review' ? 'may review' : 'read-only'}</span>
          <form method="post" action="/console/logout"><button>sign out</button></form>
        </header>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`;
}

/** The sign-in page: a token, posted once, kept as a digest in a cookie. */
export function loginPage(failed: boolean): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>sign in · steward</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <main>
          <h1>steward console</h1>
          ${failed ? html`<p class="bad">That token opens nothing here.</p>` : ''}
          <form method="post" action="/console/login">
            <label>Token <input type="password" name="token" autofocus size="52" /></label> <button>sign in</button>
          </form>
          <p class="note">
            The console token (<code>console-token</code> in the state dir, or $STEWARD_CONSOLE_TOKEN) reads; the review token (<code>review-token</code>, $STEWARD_REVIEW_TOKEN)
            also approves and rejects.
          </p>
        </main>
      </body>
    </html>`;
}

/** A status or state word, coloured by its class. */
export const stateSpan = (state: string): Html => html`<span class="state ${state}">${state.replace(/_/g, ' ')}</span>`;

/** Events per hour as a small line: the last 24 hours, the current one at the right. */
export function sparkline(counts: readonly number[]): Html {
  const width = 96;
  const height = 20;
  const max = Math.max(1, ...counts);
  const step = counts.length > 1 ? width / (counts.length - 1) : width;
  const points = counts.map((n, i) => `${(i * step).toFixed(1)},${(height - 1 - (n / max) * (height - 2)).toFixed(1)}`).join(' ');
  const total = counts.reduce((a, b) => a + b, 0);
  return html`<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${total} event(s) in the last 24 hours">
    <polyline fill="none" stroke="#3b7dd8" stroke-width="1.5" points="${points}" />
  </svg>`;
}

/** A table with a header row: every listing page's shape. */
export const dataTable = (headers: readonly string[], rows: readonly Html[]): Html =>
  html`<table>
    <thead>
      <tr>
        ${headers.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;

/** An ISO time as `2026-12-06 21:53:38` (UTC), as the listings show it. */
export const utc = (iso: string): string => iso.replace('T', ' ').slice(0, 19);
