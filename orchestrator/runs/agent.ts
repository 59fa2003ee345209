import type { RunnableConfig } from '@langchain/core/runnables';
import type { BaseCheckpointSaver, StateSnapshot } from '@langchain/langgraph';
import { z } from 'zod';
import type { Logger } from '../core/logger.ts';
import type { Library } from '../library/library.ts';
import type { RunRecord } from './types.ts';

/** What a run's graph gets from the worker that executes it. */
export interface RunDeps {
  run: RunRecord;
  library: Library;
  /** Aborted when the run is cancelled or the worker shuts down: hand it to every sandbox run. */
  signal: AbortSignal;
  /** A structured progress event (sandbox result, candidate tried, …) on the run's timeline. */
  emit(kind: string, data: unknown): void;
  /** Raw output (a sandbox's stdout, a model's reply), kept beside the events. */
  output(text: string): void;
  /**
   * A side effect done at most once under `key`, however often the run is resumed or
   * retried: the second call returns what the first recorded.
   */
  once<T>(key: string, effect: () => Promise<T>): Promise<T>;
  /** Counts model tokens against the run's budget; over it, the run is stopped. */
  spendTokens(tokens: number): void;
  log: Logger;
}

/** The part of a compiled LangGraph graph the executor uses. */
export interface AgentGraph {
  stream(input: unknown, options: Partial<RunnableConfig> & { streamMode: ['tasks']; durability?: 'exit' | 'async' | 'sync' }): Promise<AsyncIterable<unknown>>;
  getState(config: RunnableConfig): Promise<StateSnapshot>;
}

/** An agent a run can execute: the Plugin Agent, or in tests a stand-in with the same shape. */
export interface AgentDefinition {
  name: string;
  /** The graph's first input for a new run. */
  input(run: RunRecord): Record<string, unknown>;
  build(deps: RunDeps, checkpointer: BaseCheckpointSaver): AgentGraph;
  /** Releases what the agent holds (connections), when its worker stops. */
  close?(): Promise<void>;
}

/**
 * What a graph passes to `interrupt()` when it needs a person: `approval` (a proposal
 * waits for review) or `pause` (the run reached its `stopAfter`).
 */
export const runInterrupt = z.looseObject({
  kind: z.enum(['approval', 'pause']),
  reason: z.string(),
  nextAction: z.string(),
});
export type RunInterrupt = z.output<typeof runInterrupt>;
