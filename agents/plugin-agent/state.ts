import { registry } from '@langchain/langgraph/zod';
import { z } from 'zod';

const thrown = z.object({ type: z.string(), message: z.string() });

const example = z.object({ input: z.unknown(), before: z.string(), after: z.string() });
const behaviourReport = z.object({
  traffic: z.object({ recorded: z.number(), checked: z.number(), unreproducible: z.number(), broken: z.number(), changed: z.number(), examples: z.array(example) }),
  generated: z.object({ inputs: z.number(), checked: z.number(), broken: z.number(), changed: z.number(), newlyHandled: z.number(), examples: z.array(example) }),
  production: z.array(example),
});

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
        maxChangedOutputShare: z.number().default(0.1),
        generatedInputs: z.number().default(200),
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
      /** Recorded successful calls of this version of the plugin (the host's traffic sample): what a fix must keep answering. */
      traffic: z.array(z.object({ input: z.unknown(), output: z.unknown() })).default([]),
      frames: z.array(z.object({ file: z.string(), line: z.number().nullable(), function: z.string().nullable(), inApp: z.boolean() })),
      source: z.array(z.object({ file: z.string(), startLine: z.number(), text: z.string() })),
    })
    .optional(),
  /**
   * Set by load-context when no fix is attempted: the plugin cannot run here
   * (`unavailable`), or its error says the environment failed (`environment`). The
   * issue says why (`reason`, `details`: names and places, never a value).
   */
  blocked: z.object({ kind: z.enum(['unavailable', 'environment']), reason: z.string(), details: z.array(z.string()) }).optional(),
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
  /** A test in the plugin's own style that fails now with the production error (`regression-test`), or why there is none. */
  regressionTest: z
    .object({
      path: z.string().optional(),
      text: z.string().optional(),
      runner: z.string().optional(),
      name: z.string().optional(),
      hook: z.object({ path: z.string(), text: z.string() }).optional(),
      failure: z.string().optional(),
      why: z.string().optional(),
    })
    .optional(),
  /** Set by localise (possibly empty: a stack with no frames); absent before. */
  suspects: z.array(z.object({ file: z.string(), line: z.number().nullable(), score: z.number(), reason: z.string(), inApp: z.boolean().optional() })).optional(),
  candidates: z
    .array(z.object({ fixer: z.string(), files: z.record(z.string(), z.string().nullable()), rationale: z.string(), refuses: thrown.optional(), template: z.string().optional() }))
    .optional(),
  /** Set by propose: the group's other captured inputs a fix is held to (`heldCalls`), measured once on the original for propose and validate. */
  held: z.array(z.object({ call: z.object({ op: z.literal('execute'), input: z.unknown() }), handled: z.boolean() })).optional(),
  /** Why each fixer stopped, in its own words: what an escalation tells a person. */
  searched: z.array(z.object({ fixer: z.string(), why: z.string(), more: z.boolean().optional() })).optional(),
  /** Search rounds so far: validate sends the run back to propose while a fixer stopped with candidates left and every one it found was rejected. */
  rounds: z.number().optional(),
  /** Candidates (`candidateKey`) the fixers tried in earlier rounds: a later round skips them. */
  tried: z.array(z.string()).optional(),
  /** Candidates of earlier rounds that passed the reproduction and the suite and were refuted on other inputs, with their answer to the failing call. */
  refuted: z.array(z.object({ fixer: z.string(), rationale: z.string(), diff: z.string(), why: z.string(), answer: z.object({ output: z.unknown() }) })).optional(),
  /** The smallest validated candidate, with its evidence. */
  proposal: z
    .object({
      fixer: z.string(),
      rationale: z.string(),
      files: z.record(z.string(), z.string().nullable()),
      diff: z.string(),
      stats: z.object({ files: z.number(), added: z.number(), removed: z.number() }),
      evidence: z.object({
        before: z.string(),
        after: z.string(),
        suite: z.object({ passed: z.number(), failed: z.number(), baselinePassed: z.number() }),
        /** The fix against recorded production traffic and generated inputs (`BehaviourReport`). */
        behaviour: behaviourReport.optional(),
        /** Why the change may only hide the failure (`silencing`): shown first to the reviewer. */
        warnings: z.array(z.string()).default([]),
      }),
      validated: z.number(),
      tried: z.number(),
      /** Set when the change refuses the call with a contract error instead of making it succeed. */
      refuses: thrown.optional(),
      /** The library commit it was validated on: the fix branch starts there. */
      base: z.string().optional(),
      /** The next validated candidates in rank order (up to three): what the reviewer could have had instead. */
      others: z
        .array(z.object({ fixer: z.string(), rationale: z.string(), diff: z.string(), outputsChanged: z.number(), warnings: z.array(z.string()), refuses: thrown.optional() }))
        .default([]),
    })
    .optional(),
  rejected: z.array(z.object({ fixer: z.string(), reason: z.string() })).optional(),
  /**
   * Set by validate when validated fixes disagree on what the failing call returns: the
   * evidence cannot tell which is right, so none is proposed; each answer with its fix.
   */
  disagreement: z
    .array(
      z.object({
        fixer: z.string(),
        rationale: z.string(),
        output: z.string(),
        diff: z.string(),
        /** Set for a fix that passed the reproduction and the suite and was refuted on other inputs: why. */
        refuted: z.string().optional(),
      }),
    )
    .optional(),
  review: z.object({ decision: z.enum(['approve', 'reject']), by: z.string(), reason: z.string().optional() }).optional(),
  published: z.object({ branch: z.string(), commit: z.string(), proposal: z.number(), url: z.string() }).optional(),
  /** The draft proposal opened at validation, on a tracker that reviews there (`draftsAtValidation`). */
  draft: z.object({ branch: z.string(), commit: z.string(), proposal: z.number(), url: z.string() }).optional(),
  /** Pauses a person has let the run go past. */
  released: z.array(z.string()).register(registry, { reducer: { fn: (a: string[], b: string[]) => [...new Set([...a, ...b])] }, default: () => [] }),
  outcome: z.string().optional(),
});

export type PluginAgentState = z.output<typeof pluginAgentState>;
