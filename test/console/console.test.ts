import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { LlmFixer } from '../../agents/fixers/llm/index.ts';
import { executeRun } from '../../orchestrator/runs/execute-run.ts';
import { digest } from '../../orchestrator/console/auth.ts';
import { agentSetup, scriptedModel, type Cleanups } from '../helpers/agent-setup.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';

const cleanups: Cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** `steward start` on the library, once its worker is up: its API's base URL, and a wait for a line of its output. */
async function startSteward(root: string): Promise<{ api: string; printed: (line: RegExp) => Promise<void> }> {
  const child = spawn(process.execPath, [join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), '--library', root, 'start', '--port', '0', '--no-tests'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  let out = '';
  const waiting: { line: RegExp; done: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiting.filter((w) => w.line.test(out))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.done();
    }
  });
  const printed = (line: RegExp): Promise<void> =>
    new Promise<void>((done, reject) => {
      if (line.test(out)) return done();
      waiting.push({ line, done });
      child.once('exit', (code) => reject(new Error(`start exited with ${String(code)} before printing ${String(line)}: ${out}`)));
    });
  await printed(/\n {2}runs: /);
  expect(out).toMatch(/ {2}console: http:\/\/[\d.:]+\/console, queues at \/queues/);
  return { api: /steward host on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1] ?? '', printed };
}

async function signIn(page: Page, api: string, token: string): Promise<void> {
  await page.goto(`${api}/console`);
  // Not signed in: the console asks for a token first.
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await page.fill('input[name=token]', token);
  await Promise.all([page.waitForURL(`${api}/console`), page.click('button:has-text("sign in")')]);
}

describe('the web console in Chromium', () => {
  it('signs in, lists groups and proposals, shows one, approves it, and follows the run live to its end', async () => {
    const model = scriptedModel({ oldText: 'const value = fields[c];', newText: "const value = fields[c] ?? '';" });
    const s = await agentSetup(cleanups, 'csv-import', (d) => [d.trigger.input], 'propose', [new LlmFixer(async () => model)]);
    const run = await s.dispatch();
    expect(await executeRun({ run: run.id }, s.deps, new AbortController())).toBe('awaiting_approval');
    const reports = join(s.library.root, '.steward', 'eval', 'fixture-run');
    mkdirSync(reports, { recursive: true });
    cpSync(join(STEWARD_ROOT, 'test', 'evals', 'fixtures', 'results-before-precision.json'), join(reports, 'results.json'));
    writeFileSync(join(reports, 'report.html'), '<!doctype html><title>report</title><h1>the eval report</h1>');
    const { api, printed } = await startSteward(s.library.root);
    const token = (kind: string) => readFileSync(join(s.library.paths.state, `${kind}-token`), 'utf8').trim();

    const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    cleanups.push(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${api}/console`);
    await page.fill('input[name=token]', 'not-a-token');
    await page.click('button:has-text("sign in")');
    expect(await page.textContent('main')).toContain('That token opens nothing here.');
    await signIn(page, api, token('review'));

    // The error groups: the plugin, its count, the last day's line, the status and the group's run.
    const groups = await page.textContent('main table');
    expect(groups).toContain('csv-import');
    expect(groups).toContain(run.id);
    expect(await page.getAttribute('svg.spark', 'aria-label')).toMatch(/^[1-9]\d* event\(s\) in the last 24 hours$/);

    // list → show
    await page.click('header a:has-text("proposals")');
    await page.click(`a:has-text("${run.id}")`);
    expect(new URL(page.url()).pathname).toBe(`/console/proposals/${run.id}`);
    expect(await page.textContent('.hljs-addition >> nth=0')).toContain('+');
    expect(await page.textContent('main')).toContain("const value = fields[c] ?? '';");
    expect(await page.textContent('main')).toMatch(/suite: \d+ passed, 0 failed/);

    // The page renders: a screenshot whose header band is the console's dark blue and whose body is not blank.
    const shot = PNG.sync.read(await page.screenshot());
    const pixel = (x: number, y: number): number[] => Array.from(shot.data.subarray((y * shot.width + x) * 4, (y * shot.width + x) * 4 + 3));
    expect(pixel(5, 5)).toEqual([31, 42, 54]);
    const colours = new Set<string>();
    for (let y = 60; y < shot.height; y += 7) for (let x = 0; x < shot.width; x += 7) colours.add(pixel(x, y).join(','));
    expect(colours.size).toBeGreaterThan(10);

    // The run's page, open in another tab before the decision: it follows the run live.
    const live = await context.newPage();
    await live.goto(`${api}/console/runs/${run.id}`);
    expect(await live.textContent('#state')).toBe('awaiting approval');
    expect(await live.textContent('#live')).toBe('(live)');

    // approve, as the CLI would: the run is queued and start's worker publishes.
    await page.fill('input[name=by]', 'ada');
    await Promise.all([page.waitForURL(/decided=approve/), page.click('button.approve')]);
    expect(await page.textContent('#notice')).toBe('approved; a worker publishes the fix branch and the proposal');

    // The open tab saw it through server-sent events: the new state, the log's new lines, the end of the stream.
    await live.waitForFunction(() => document.getElementById('live')?.textContent === '(finished)', undefined, { timeout: 90_000 });
    expect(await live.textContent('#state')).toBe('completed');
    expect(await live.textContent('#outcome')).toMatch(/^proposed: steward\/csv-import\/.*proposal #1$/);
    expect(await live.textContent('#log')).toMatch(/answered {2}\{"answer":\{"decision":"approve","by":"ada"\}\}[\s\S]*node-started {2}\{"node":"publish"\}/);
    await page.click(`a:has-text("${run.id}") >> nth=0`);
    expect(new URL(page.url()).pathname).toBe(`/console/runs/${run.id}`);
    expect((await s.tracker.listProposals()).map((p) => p.state)).toEqual(['open']);
    // start's worker printed the run's state changes as it took the approval.
    await printed(new RegExp(`\\d\\d:\\d\\d:\\d\\d run ${run.id} csv-import: running[\\s\\S]*run ${run.id} csv-import: completed \\(proposed: `));
    await page.goto(`${api}/console/proposals/${run.id}`);
    expect(await page.textContent('#decision')).toBe('approved by ada');
    expect(await page.$('form.decide')).toBeNull();

    // The eval reports under the library's .steward/eval, each linking to its report.html.
    await page.click('header a:has-text("evals")');
    expect(await page.textContent('main table')).toMatch(/fixture-run\s*core\s*offline/);
    await page.click('a:has-text("fixture-run")');
    expect(await page.textContent('h1')).toBe('the eval report');

    // The queues, through bull-board, behind the same sign-in.
    const board = await page.goto(`${api}/queues`);
    expect(board?.status()).toBe(200);
    expect(await page.content()).toMatch(/bull/i);
  }, 240_000);

  it('read-only by default: the console token cannot decide, a form from elsewhere is refused, and no token reads nothing', async () => {
    const model = scriptedModel({ oldText: 'const value = fields[c];', newText: "const value = fields[c] ?? '';" });
    const s = await agentSetup(cleanups, 'csv-import', (d) => [d.trigger.input], 'propose', [new LlmFixer(async () => model)]);
    const run = await s.dispatch();
    expect(await executeRun({ run: run.id }, s.deps, new AbortController())).toBe('awaiting_approval');
    const { api } = await startSteward(s.library.root);
    const token = (kind: string) => readFileSync(join(s.library.paths.state, `${kind}-token`), 'utf8').trim();

    const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    await signIn(page, api, token('console'));
    await page.goto(`${api}/console/proposals/${run.id}`);
    expect(await page.textContent('header .who')).toBe('read-only');
    expect(await page.$('form.decide')).toBeNull();
    expect(await page.textContent('main')).toContain('Signed in read-only');

    const decide = (headers: Record<string, string>) =>
      fetch(`${api}/console/proposals/${run.id}/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: 'decision=approve&by=mallory',
        redirect: 'manual',
      });
    expect((await decide({ authorization: `Bearer ${token('console')}` })).status).toBe(403);
    expect((await decide({ cookie: `steward_console=${digest(token('review'))}`, origin: 'http://evil.example' })).status).toBe(403);
    expect((await decide({})).status).toBe(401);
    expect((await fetch(`${api}/queues`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${api}/console`, { headers: { accept: 'text/html' }, redirect: 'manual' })).headers.get('location')).toBe('/console/login');
    // None of it decided anything; the plugin API is still the host's, behind its own token.
    expect((await s.store.get(run.id))?.state).toBe('awaiting_approval');
    expect((await fetch(`${api}/v1/plugins`)).status).toBe(401);
  }, 240_000);
});
