import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { relativePathInside } from '../core/relative-path.ts';
import { StewardError } from '../core/errors.ts';
import { problemsFromZod, readJsonFile } from '../core/json.ts';

export const CONFIG_FILE = 'steward.config.json';

const libraryPath = relativePathInside('library');

function validCron(value: string): boolean {
  if (value === 'off') return true;
  try {
    CronExpressionParser.parse(value);
    return true;
  } catch {
    return false;
  }
}

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    pluginsDir: libraryPath.default('plugins').describe('Where the plugins live, one directory each.'),
    templatesDir: libraryPath.default('templates').describe('Holds linked/ (files linked into every plugin) and scaffold/ (for plugin new).'),
    playbooksDir: libraryPath.default('playbooks').describe('Versioned markdown playbooks.'),
    stateDir: libraryPath.default('.steward').describe('Machine-local state (caches, queues data, run records); git-ignored.'),
    defaultPlaybook: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/)
      .default('default')
      .describe('Playbook every plugin reaches through its link unless its manifest names another.'),
    historyLimit: z.int().min(1).max(10_000).default(20).describe('How many recent history entries an agent reads from a plugin.'),
    ingest: z
      .strictObject({
        threshold: z
          .strictObject({
            events: z.int().min(1).default(10).describe('Events of one group within the window that send it to triage again.'),
            windowSeconds: z.int().min(1).default(3600),
          })
          .prefault({}),
        sampleSize: z.int().min(1).max(100).default(10).describe('Recent scrubbed events kept per group.'),
        dedupeSeconds: z.int().min(60).default(3600).describe('How long an event id is remembered, so a retried event counts once.'),
        sentryProjects: z.record(z.string(), z.string()).default({}).describe('Sentry project id -> plugin name, for events whose tags do not name the plugin.'),
        hostCaptures: z
          .strictObject({
            perMinute: z.int().min(1).max(1_000_000).default(600),
            burst: z.int().min(1).max(1_000_000).default(100),
          })
          .prefault({})
          .describe(
            'Failed calls the plugin host captures a minute per plugin, after a burst; the rest are counted as dropped, never queued (anyone who can call a plugin can make it fail).',
          ),
      })
      .prefault({})
      .describe('Error capture and grouping.'),
    traffic: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Whether the plugin host samples its successful calls and POST /v1/traffic takes samples.'),
        sampleSize: z.int().min(1).max(10_000).default(200).describe('Calls kept per plugin version: a uniform random sample of all it served (reservoir sampling).'),
        maxInputBytes: z
          .int()
          .min(1024)
          .max(16 * 1024 * 1024)
          .default(65_536)
          .describe('A call whose input (or output) JSON is larger is not kept.'),
      })
      .prefault({})
      .describe('Production traffic: successful calls kept, scrubbed, as a regression oracle.'),
    manager: z
      .strictObject({
        schedule: z
          .string()
          .refine(validCron, { message: 'not a cron expression (five or six fields, as in "*/10 * * * *"), nor "off"' })
          .default('*/10 * * * *')
          .describe('Cron of the scheduled triage (one scheduler for all workers); "off" turns it off.'),
        healthMaxAgeMinutes: z.int().min(1).default(1440).describe('A plugin whose last test run is older is tested again.'),
        prConcurrentLimit: z.int().min(0).default(5).describe("Open fix proposals at most (Renovate's name and meaning; 0 = no limit)."),
        prHourlyLimit: z.int().min(0).default(2).describe('Fix proposals opened per hour at most (0 = no limit).'),
        tokenBudget: z
          .strictObject({ perRun: z.int().min(0).default(200_000), daily: z.int().min(0).default(2_000_000) })
          .prefault({})
          .describe('Model tokens a run, and all runs of a day, may spend.'),
        stopAfter: z.enum(['issue', 'reproduce', 'propose']).default('propose').describe('How far a run may go without a person.'),
        dashboard: z.boolean().default(true).describe('Keep the maintenance dashboard (its checkboxes approve and retry runs).'),
      })
      .prefault({})
      .describe("The Manager Agent's limits."),
    fixer: z
      .enum(['offline', 'llm', 'hybrid', 'command'])
      .default('offline')
      .describe(
        'Which fixer proposes patches: offline (search-based, no model; JavaScript, TypeScript and Python plugins), llm (a chat model), hybrid (offline first), or command (a headless coding-agent CLI, the `command` settings).',
      ),
    command: z
      .strictObject({
        argv: z
          .array(z.string().min(1))
          .min(1)
          .describe(
            'The coding-agent CLI and its arguments, no shell. "{prompt}" in an argument becomes the prompt, "{promptFile}" the path of a file holding it; with neither, the prompt goes to its stdin.',
          ),
        env: z
          .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'the name of an environment variable' }))
          .default([])
          .describe("The worker's environment variables the CLI gets (its API key, say); it gets no other."),
        binds: z
          .array(z.string().regex(/^\/(?!.*(^|\/)\.\.(\/|$))/, { message: 'an absolute path without ".."' }))
          .default([])
          .describe('Host directories the CLI needs, made visible read-only at the same path (/usr is always visible).'),
        network: z.boolean().default(true).describe("Whether the CLI's sandbox may reach the network (its model's API); no other sandbox may."),
        wallSeconds: z.int().min(10).max(7200).default(900).describe('Wall time the CLI may take before it is killed.'),
        memoryMb: z.int().min(256).max(65_536).default(4096).describe('Memory the CLI may use.'),
      })
      .optional()
      .describe('The command fixer: a headless coding agent (Gemini CLI, Claude Code, Codex, Aider) run in a sandboxed working copy.'),
    model: z
      .string()
      .regex(/^[a-z][a-z0-9-]*:\S+$/, { message: 'a model is "<provider>:<name>", as in "anthropic:claude-sonnet-4-5" or "ollama:qwen2.5-coder"' })
      .nullable()
      .default(null)
      .describe('The chat model of the llm fixer, by name, through initChatModel; null: none.'),
    tracker: z
      .enum(['local', 'github'])
      .default('local')
      .describe('Where issues, proposals and the maintenance dashboard go: local (records under the state dir) or github (the `github` settings).'),
    github: z
      .strictObject({
        owner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { message: 'a GitHub owner: letters, digits and hyphens' }),
        repo: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { message: 'a GitHub repository name' }),
        baseUrl: z
          .url({ protocol: /^https?$/ })
          // The token goes with every request: plain http only to this machine.
          .refine((url) => url.startsWith('https:') || ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname), {
            message: 'an https:// URL (http:// only for a server on this machine)',
          })
          .default('https://api.github.com')
          .describe('The REST API root (GitHub Enterprise: https://host/api/v3).'),
        tokenEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/, { message: 'the name of an environment variable, as in GITHUB_TOKEN' })
          .default('GITHUB_TOKEN')
          .describe('The environment variable that holds the token; the token itself never goes in the config.'),
        baseBranch: z.string().min(1).default('main').describe('The branch fix proposals target.'),
        label: z.string().min(1).max(50).default('steward').describe('The label on every issue and proposal steward opens; listings look only at these.'),
        writeIntervalMs: z.int().min(0).max(60_000).default(1000).describe('Pause between two writes (GitHub asks for at least a second, against its secondary rate limits).'),
        maxRetries: z.int().min(0).max(10).default(4).describe('Retries of a request GitHub rate-limited or failed with a 5xx.'),
        maxWaitSeconds: z.int().min(1).max(3600).default(900).describe('A rate limit that asks for a longer wait fails the request instead.'),
        app: z
          .strictObject({
            appId: z.int().positive().describe("The GitHub App's id (its settings page)."),
            installationId: z.int().positive().describe("The installation's id on the library's repository (in the installation page's URL)."),
            privateKeyFile: z.string().min(1).describe("The app's private key (.pem), a path relative to the library root or absolute; never the key itself."),
          })
          .optional()
          .describe('Authenticate as a GitHub App installation instead of with a token from `tokenEnv`.'),
        approveLabel: z.string().min(1).max(50).default('steward:approve').describe('A maintainer adds this label to a proposal to approve it (as an approving review does).'),
        rejectLabel: z.string().min(1).max(50).default('steward:reject').describe("This label rejects a proposal; the latest review's text is the reason."),
        webhookSecretEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/, { message: 'the name of an environment variable, as in GITHUB_WEBHOOK_SECRET' })
          .default('GITHUB_WEBHOOK_SECRET')
          .describe('The environment variable that holds the webhook secret; POST /v1/github/webhook is off while it is unset.'),
        syncSchedule: z
          .string()
          .default('*/10 * * * *')
          .refine(validCron, { message: 'not a cron expression (five or six fields, as in "*/10 * * * *"), nor "off"' })
          .describe('Cron of the scheduled review sync (reviews, labels, merges read from GitHub\'s API), or "off" where webhooks reach steward.'),
        remote: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'a git remote name' })
          .optional()
          .describe("The library's git remote on GitHub: a merged proposal is pulled from it (fast-forward only). Unset: steward merges the same commit locally."),
      })
      .optional()
      .describe('The GitHub tracker: the repository that holds the library, where issues and draft pull requests go.'),
    commitAuthor: z
      .strictObject({
        name: z.string().trim().min(1).max(200).describe('The name on the commits steward makes (fix branches, releases).'),
        email: z
          .string()
          .trim()
          .regex(/^[^\s<>@]+@[^\s<>]+$/, 'is not an email address')
          .describe('The email on those commits; a GitHub noreply address links them to an account.'),
      })
      .default({ name: 'steward', email: 'steward@localhost' })
      .describe('Who the commits steward makes in the library are by, as author and committer.'),
    retention: z
      .strictObject({
        deadLetterDays: z.int().min(1).max(3650).default(14).describe('Dead letters older than this are deleted.'),
        resolvedGroupDays: z.int().min(1).max(3650).default(90).describe('Resolved error groups no event has touched for this long are deleted.'),
        finishedRunDays: z.int().min(1).max(3650).default(30).describe('Finished runs, with their events and checkpoints, are deleted this long after they ended.'),
        schedule: z
          .string()
          .refine(validCron, { message: 'not a cron expression (five or six fields, as in "17 3 * * *"), nor "off"' })
          .default('17 3 * * *')
          .describe('Cron of the scheduled `steward prune` (one scheduler for all workers); "off" turns it off.'),
      })
      .prefault({})
      .describe('How long steward keeps what it no longer needs; `steward prune` applies it.'),
    redis: z
      .strictObject({
        maxMemoryMb: z
          .int()
          .min(16)
          .max(1_048_576)
          .default(1024)
          .describe('maxmemory of the Redis steward starts itself (not of a REDIS_URL server). Past it Redis evicts nothing: new events are refused and counted as dropped.'),
      })
      .prefault({})
      .describe('The Redis steward manages when REDIS_URL is not set.'),
    workers: z
      .strictObject({
        ingestConcurrency: z.int().min(1).max(256).default(16).describe('Error events one worker ingests at once.'),
        runConcurrency: z.int().min(1).max(64).default(2).describe('Agent runs one worker executes at once.'),
        runLockSeconds: z.int().min(1).max(3600).default(30).describe('A run whose worker stopped renewing its lock this long is taken over by another worker.'),
        maxResumes: z.int().min(0).max(100).default(3).describe('How often a run whose worker died is resumed before it is failed.'),
      })
      .prefault({})
      .describe('What `steward worker` and `steward start` consume, and how runs survive a dead worker.'),
    plugins: z
      .record(
        z.string(),
        z.strictObject({
          criticality: z.enum(['low', 'normal', 'high', 'critical']).default('normal'),
          stopAfter: z.enum(['issue', 'reproduce', 'propose']).optional(),
        }),
      )
      .default({})
      .describe("Per-plugin settings: criticality for triage, and a stopAfter that overrides the library's."),
  })
  .refine((config) => config.tracker !== 'github' || config.github !== undefined, {
    message: 'the github tracker needs its repository: "github": { "owner": …, "repo": … }',
    path: ['github'],
  })
  .refine((config) => config.fixer !== 'command' || config.command !== undefined, {
    message: 'the command fixer needs its CLI: "command": { "argv": ["gemini", "-p", "{prompt}"] }',
    path: ['command'],
  })
  .refine((config) => !config.command?.env.includes(config.github?.tokenEnv ?? 'GITHUB_TOKEN'), {
    message: "the tracker's token never reaches a sandbox: leave its variable out",
    path: ['command', 'env'],
  })
  .describe('Plugin Steward library configuration (steward.config.json).');

export type LibraryConfig = z.output<typeof configSchema>;

export function parseConfig(value: unknown, file: string): LibraryConfig {
  const result = configSchema.safeParse(value);
  if (!result.success) {
    // The first problem's path goes in the details (format() prints it once); the rest follow it.
    const [first, ...rest] = problemsFromZod(result.error);
    const more = rest.length > 0 ? ` (and ${rest.length} more: ${rest.map((p) => `${p.path}: ${p.message}`).join('; ')})` : '';
    throw new StewardError('E_CONFIG_INVALID', `${first?.message ?? 'invalid'}${more}`, { file, ...(first ? { path: first.path } : {}) });
  }
  return result.data;
}

export function loadConfig(root: string): LibraryConfig {
  const file = join(root, CONFIG_FILE);
  if (!existsSync(file)) return configSchema.parse({});
  return parseConfig(readJsonFile(file, CONFIG_FILE), CONFIG_FILE);
}

/** `steward init`: writes the defaults, refusing to overwrite an existing config. */
export function writeDefaultConfig(root: string, overrides: Partial<LibraryConfig> = {}): string {
  const file = join(root, CONFIG_FILE);
  if (existsSync(file)) {
    throw new StewardError('E_CONFIG_EXISTS', `${CONFIG_FILE} already exists`, { file });
  }
  // `$schema` first, where an editor looks for it to complete the file.
  const config = parseConfig({ ...overrides }, CONFIG_FILE);
  writeFileSync(file, `${JSON.stringify(overrides.$schema ? { $schema: overrides.$schema, ...config } : config, null, 2)}\n`, { flag: 'wx' });
  return file;
}
