import { registry } from '@langchain/langgraph/zod';
import { z } from 'zod';

const thrown = z.object({ type: z.string(), message: z.string() });

/** What a Plugin Agent run knows; every field is in the run's checkpoints. */
export const pluginAgentState = z.object({
  plugin: z.string(),
  group: z.string(),
  stopAfter: z.enum(['issue', 'reproduce', 'propose']),
  context: z
    .object({
      playbook: z.object({ name: z.string(), version: z.string(), hash: z.string(), source: z.string(), requireReproduction: z.boolean(), fixers: z.array(z.string()) }),
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
      request: z.unknown().optional(),
      error: thrown.optional(),
      sameError: z.boolean(),
      tried: z.array(z.string()),
    })
    .optional(),
  /** Set by localise (possibly empty: a stack with no frames); absent before. */
  suspects: z.array(z.object({ file: z.string(), line: z.number().nullable(), score: z.number(), reason: z.string() })).optional(),
  /** Pauses a person has let the run go past. */
  released: z.array(z.string()).register(registry, { reducer: { fn: (a: string[], b: string[]) => [...new Set([...a, ...b])] }, default: () => [] }),
  outcome: z.string().optional(),
});

export type PluginAgentState = z.output<typeof pluginAgentState>;
