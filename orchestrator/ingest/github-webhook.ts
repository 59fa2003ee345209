import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhooks } from '@octokit/webhooks';
import { z } from 'zod';
import { readBody, sendJson } from '../core/http.ts';
import { messageOf } from '../core/errors.ts';

/** GitHub sends at most 25 MB; a pull request's events are far smaller. */
const MAX_BODY = 25 * 1024 * 1024;

/** The deliveries that can decide or settle a proposal: a review, a label, a close or a merge. */
const PULL_EVENTS = new Set(['pull_request', 'pull_request_review']);

const delivery = z.looseObject({
  repository: z.looseObject({ full_name: z.string() }).optional(),
  pull_request: z.looseObject({ number: z.int().positive() }).optional(),
});

export interface GitHubWebhookOptions {
  /** The webhook secret; unset, the route says webhooks are off and why (`off`). */
  secret: string | undefined;
  off: string;
  /** owner/repo: deliveries from any other repository are ignored. */
  repository: string;
  /** What a delivery about pull request `number` makes steward do (read its state from the API and act). */
  onPullRequest: (number: number) => Promise<unknown>;
}

/**
 * `POST /v1/github/webhook`: GitHub's deliveries, verified with the webhook secret
 * (`X-Hub-Signature-256`, through @octokit/webhooks) before anything is read. A
 * delivery is a prompt, not the truth: the pull request it names is read again from
 * the API, so a replayed or reordered delivery does no harm. Returns false for
 * requests that are not this route's.
 */
export function githubWebhookRoute(options: GitHubWebhookOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const webhooks = options.secret ? new Webhooks({ secret: options.secret }) : undefined;
  return async (req, res) => {
    if (new URL(req.url ?? '/', 'http://ingest').pathname !== '/v1/github/webhook' || req.method !== 'POST') return false;
    if (!webhooks) {
      sendJson(res, 404, { error: { type: 'WebhooksOff', message: `GitHub webhooks are off: ${options.off}` } });
      return true;
    }
    let payload: string;
    try {
      payload = (await readBody(req, { maxBytes: MAX_BODY })).toString('utf8');
    } catch (error) {
      sendJson(res, 413, { error: { type: 'BodyTooLarge', message: messageOf(error) } });
      return true;
    }
    const signature = String(req.headers['x-hub-signature-256'] ?? '');
    if (!signature || !(await webhooks.verify(payload, signature).catch(() => false))) {
      sendJson(res, 401, { error: { type: 'BadSignature', message: 'X-Hub-Signature-256 does not match the payload and the webhook secret' } });
      return true;
    }
    const event = String(req.headers['x-github-event'] ?? '');
    if (event === 'ping') {
      sendJson(res, 200, { pong: true });
      return true;
    }
    let body: z.output<typeof delivery>;
    try {
      body = delivery.parse(JSON.parse(payload));
    } catch (error) {
      sendJson(res, 400, { error: { type: 'BadPayload', message: messageOf(error) } });
      return true;
    }
    const number = body.pull_request?.number;
    if (!PULL_EVENTS.has(event) || number === undefined || body.repository?.full_name.toLowerCase() !== options.repository.toLowerCase()) {
      sendJson(res, 202, { ignored: `${event || 'an event'} steward does not act on` });
      return true;
    }
    try {
      sendJson(res, 200, { pullRequest: number, result: await options.onPullRequest(number) });
    } catch (error) {
      // GitHub shows the failed delivery and can send it again: every step of the sync is safe to repeat.
      sendJson(res, 500, { error: { type: 'SyncFailed', message: messageOf(error) } });
    }
    return true;
  };
}
