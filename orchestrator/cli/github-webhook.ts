import { openReviewSync, syncReviews } from '../../agents/plugin-agent/index.ts';
import { log } from '../core/logger.ts';
import type { GitHubWebhookOptions } from '../ingest/github-webhook.ts';
import type { Library } from '../library/library.ts';

/**
 * What `start` and `host` give the webhook route: with the github tracker and its
 * webhook secret set, a delivery syncs the pull request it names (`syncReviews`);
 * otherwise the route says why webhooks are off. `close` releases the sync's connections.
 */
export async function githubWebhook(library: Library, env: NodeJS.ProcessEnv = process.env): Promise<{ options: GitHubWebhookOptions; close(): Promise<void> }> {
  const github = library.config.tracker === 'github' ? library.config.github : undefined;
  const secret = github ? env[github.webhookSecretEnv] : undefined;
  const off = github ? `set $${github.webhookSecretEnv} to the webhook's secret` : 'the tracker is not github (steward.config.json: "tracker")';
  const reviews = github && secret ? await openReviewSync(library, log.child({ component: 'github-webhook' }), env) : undefined;
  return {
    options: {
      secret: reviews ? secret : undefined,
      off,
      repository: github ? `${github.owner}/${github.repo}` : '',
      onPullRequest: (number) => (reviews ? syncReviews(reviews, number) : Promise.resolve(undefined)),
    },
    close: async () => {
      await reviews?.close();
    },
  };
}
