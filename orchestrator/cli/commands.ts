import type { Command } from 'commander';

type Registrar = (program: Command) => void;

/**
 * Every command, its one-line summary, and how to load it. A command's module (and
 * all it imports) is loaded only when that command runs: `steward --help` reads this
 * table alone. A module may register more than one command (triage and status).
 */
export const COMMANDS: readonly { names: readonly string[]; load: () => Promise<Registrar> }[] = [
  { names: ['init'], load: async () => (await import('./commands/init.ts')).registerInit },
  {
    names: ['plugin', 'host'],
    load: async () => {
      const [plugin, host] = await Promise.all([import('./commands/plugin.ts'), import('./commands/host.ts')]);
      return (program) => host.registerHost(program, plugin.registerPlugin(program));
    },
  },
  { names: ['templates'], load: async () => (await import('./commands/templates.ts')).registerTemplates },
  { names: ['doctor'], load: async () => (await import('./commands/doctor.ts')).registerDoctor },
  { names: ['errors'], load: async () => (await import('./commands/errors.ts')).registerErrors },
  { names: ['traffic'], load: async () => (await import('./commands/traffic.ts')).registerTraffic },
  { names: ['redis'], load: async () => (await import('./commands/redis.ts')).registerRedis },
  { names: ['triage', 'status'], load: async () => (await import('./commands/triage.ts')).registerTriage },
  { names: ['runs'], load: async () => (await import('./commands/runs.ts')).registerRuns },
  { names: ['issues'], load: async () => (await import('./commands/issues.ts')).registerIssues },
  { names: ['review'], load: async () => (await import('./commands/review.ts')).registerReview },
  { names: ['worker', 'start'], load: async () => (await import('./commands/worker.ts')).registerWorker },
  { names: ['prune'], load: async () => (await import('./commands/prune.ts')).registerPrune },
  { names: ['schemas'], load: async () => (await import('./commands/schemas.ts')).registerSchemas },
  { names: ['docs'], load: async () => (await import('./commands/docs.ts')).registerDocs },
  { names: ['eval'], load: async () => (await import('./commands/eval.ts')).registerEval },
  { names: ['demo'], load: async () => (await import('./commands/demo.ts')).registerDemo },
];

/** What `steward --help` says of each command; each command's module takes its description from here. */
const SUMMARIES: Readonly<Record<string, string>> = {
  init: 'make the current directory a steward library: steward.config.json, templates and the default playbook',
  plugin: 'the plugins of the library: add, pull, push, new, list',
  host: 'run the plugin host and its HTTP API (Ctrl-C stops it and every plugin process)',
  templates: 'files of templates/linked/ linked into every plugin',
  doctor: 'check every plugin: manifest, AGENT.md, links, subtree state, requirements (exit 1 on any error)',
  errors: 'captured production errors and their groups',
  traffic: 'production traffic: successful calls the host sampled per plugin version, scrubbed, kept as a regression oracle',
  redis: 'the Redis steward starts for itself when REDIS_URL is not set',
  triage: 'one pass of the Manager Agent: health, priorities, limits, and a run for each chosen group',
  status: 'the fleet summary of the last triage pass',
  runs: 'agent run sessions: list, inspect, follow, cancel, resume, replay',
  issues: "the tracker's issues that agents opened (local: files under the state dir; github: the repository's issues labelled steward)",
  review: 'validated fixes that wait for a maintainer',
  worker: 'consume the errors, triage and runs queues until Ctrl-C (any number of workers share them)',
  start: 'one machine, one process: the plugin host and its HTTP API, a worker and the scheduled triage',
  prune: 'delete what is past its retention (config "retention"): dead letters, resolved groups, finished runs and their checkpoints; the scheduler runs it daily',
  schemas: 'JSON Schemas of the formats, generated from their zod schemas',
  docs: "generated reference pages: the CLI reference (docs/cli.md) from every command's --help",
  eval: 'run eval suites of plugins with known defects, and compare playbooks and fixers',
  demo: 'the main job on the embedded defaults, on a scratch copy of the example library',
};

export function summary(name: string): string {
  const text = SUMMARIES[name];
  if (text === undefined) throw new Error(`no summary for the command "${name}"`);
  return text;
}
