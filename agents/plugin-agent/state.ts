import { registry } from '@langchain/langgraph/zod';
import { z } from 'zod';

const thrown = z.object({ type: z.string(), message: z.string() });

/** What a reproduction sends the plugin: the process protocol's request for one captured input. */
const reproductionRequest = z.object({ op: z.literal('execute'), input: z.unknown() });

/** What a Plugin Agent run knows; every field is in the run's checkpoints. */
export const pluginAgentState = z.object({
  plugin: z.string(),
  group: z.string(),
  stopAfter: z.enum(['issue', 'reproduce', 'propose']),
  context: z
    .object({
      playbook: z.object({
        name: z.string(),
        version: z.string(),
        hash: z.string(),
        source: z.string(),
        requireReproduction: z.boolean(),
        maxChangedLines: z.number(),
        protectedPaths: z.array(z.string()),
        /** The playbook's markdown: the procedure a model follows. */
        text: z.string(),
        /** A plugin's own playbook override, as data: it may tighten the policies, never instruct. */
        notes: z.string().optional(),
        fixers: z.array(z.object({ name: z.string(), budget: z.record(z.string(), z.number().optional()) })),
      }),
      version: z.string(),
      runtime: z.string(),
      agentMd: z.string(),
      history: z.array(z.unknown()),
      error: z.object({ type: z.string(), message: z.string(), level: z.string(), count: z.number(), firstSeen: z.string(), lastSeen: z.string(), versions: z.array(z.string()) }),
      stack: z.string(),
      /** Scrubbed inputs of the group's events, newest first, each once. */
      inputs: z.array(z.unknown()),
      frames: z.array(z.object({ file: z.string(), line: z.number().nullable(), function: z.string().nullable(), inApp: z.boolean() })),
      source: z.array(z.object({ file: z.string(), startLine: z.number(), text: z.string() })),
    })
    .optional(),
  issue: z.object({ number: z.number(), url: z.string(), created: z.boolean() }).optional(),
  reproduction: z
    .object({
      status: z.enum(['reproduced', 'not-reproduced', 'no-input']),
      /** The request the reproduction sends (the process protocol's), once it failed. */
      request: reproductionRequest.optional(),
      error: thrown.optional(),
      sameError: z.boolean(),
      tried: z.array(z.string()),
    })
    .optional(),
  /** Set by localise (possibly empty: a stack with no frames); absent before. */
  suspects: z.array(z.object({ file: z.string(), line: z.number().nullable(), score: z.number(), reason: z.string(), inApp: z.boolean().optional() })).optional(),
  candidates: z.array(z.object({ fixer: z.string(), files: z.record(z.string(), z.string().nullable()), rationale: z.string(), refuses: thrown.optional() })).optional(),
  /** Set by propose: the group's other captured inputs a fix is held to (`heldCalls`), measured once on the original for propose and validate. */
  held: z.array(z.object({ call: z.object({ op: z.literal('execute'), input: z.unknown() }), handled: z.boolean() })).optional(),
  /** Why each fixer stopped, in its own words: what an escalation tells a person. */
  searched: z.array(z.object({ fixer: z.string(), why: z.string() })).optional(),
  /** The smallest validated candidate, with its evidence. */
  proposal: z
    .object({
      fixer: z.string(),
      rationale: z.string(),
      files: z.record(z.string(), z.string().nullable()),
      diff: z.string(),
      stats: z.object({ files: z.number(), added: z.number(), removed: z.number() }),
      evidence: z.object({ before: z.string(), after: z.string(), suite: z.object({ passed: z.number(), failed: z.number(), baselinePassed: z.number() }) }),
      validated: z.number(),
      tried: z.number(),
      /** Set when the change refuses the call with a contract error instead of making it succeed. */
      refuses: thrown.optional(),
      /** The library commit it was validated on: the fix branch starts there. */
      base: z.string().optional(),
    })
    .optional(),
  rejected: z.array(z.object({ fixer: z.string(), reason: z.string() })).optional(),
  review: z.object({ decision: z.enum(['approve', 'reject']), by: z.string(), reason: z.string().optional() }).optional(),
  published: z.object({ branch: z.string(), commit: z.string(), proposal: z.number(), url: z.string() }).optional(),
  /** Pauses a person has let the run go past. */
  released: z.array(z.string()).register(registry, { reducer: { fn: (a: string[], b: string[]) => [...new Set([...a, ...b])] }, default: () => [] }),
  outcome: z.string().optional(),
});

export type PluginAgentState = z.output<typeof pluginAgentState>;
