import { invokeMany, type BatchAnswer } from '../../../orchestrator/host/invoke-once.ts';
import type { Manifest } from '../../../orchestrator/library/manifest.ts';
import { createWorkingCopy, type WorkingCopy } from '../../../orchestrator/sandbox/working-copy.ts';
import { generateInputs } from './inputs.ts';
import { outputComparer } from './same-output.ts';

/** One recorded successful call of the plugin as it stands (the host's traffic sample, or an eval task's). */
export interface RecordedCall {
  input: unknown;
  output: unknown;
}

/** An input on which the candidate answers otherwise than the original: what a reviewer reads. */
export interface BehaviourExample {
  input: unknown;
  before: string;
  after: string;
}

export interface BehaviourReport {
  /** Recorded production successes: held when the original still answers them so here. */
  traffic: { recorded: number; checked: number; unreproducible: number; broken: number; changed: number; examples: BehaviourExample[] };
  /** Inputs generated from `interface.input`, answered by the original and the candidate. */
  generated: { inputs: number; checked: number; broken: number; changed: number; newlyHandled: number; examples: BehaviourExample[] };
  /** Each captured production input of the group: the original's error, and the candidate's answer. */
  production: BehaviourExample[];
}

export interface BehaviourJudgement {
  report: BehaviourReport;
  /** Set when the candidate must not be proposed. */
  reject?: string;
  /** Outputs it changes (recorded and generated): fewer ranks first. */
  changes: number;
  /** Set when the rejection is its answer to a production input, of a kind the original never gives. */
  implausible?: boolean;
  /**
   * Set when an input it breaks fails with the production error itself (type and
   * message): the fault is still there, and the failing call only steers around it.
   */
  faultRemains?: boolean;
}

export interface OracleOptions {
  manifest: Manifest;
  /** The plugin's directory in the library: the original is run from a copy of it. */
  dir: string;
  env: Record<string, string>;
  signal: AbortSignal;
  traffic: readonly RecordedCall[];
  /** The group's captured inputs, the reproduction's first. */
  captured: readonly unknown[];
  generated: number;
  /** The share of recorded outputs a candidate may change (the playbook's `maxChangedOutputShare`). */
  maxChangedShare: number;
  /** The production error being fixed: a candidate that breaks another input with it has not removed the fault. */
  fault?: { type: string; message: string } | undefined;
  /** Time for one batch of calls (the original's, or one candidate's). */
  batchMs?: number;
  seed?: number;
}

const EXAMPLES = 3;
const PROCESS_INPUTS = 40;
const TEXT = 300;

/** An answer as a reviewer reads it: the output's JSON, or the error. */
function answerText(answer: BatchAnswer | undefined): string {
  if (!answer) return 'not run';
  const text = answer.ok ? JSON.stringify(answer.output) : `${answer.error.type}: ${answer.error.message}`;
  return text.length > TEXT ? `${text.slice(0, TEXT)}…` : text;
}

/** Calls the plugin could not finish here are evidence of nothing, unless they time out twice: a busy machine, or the batch's clock. */
const unfinished = (a: BatchAnswer | undefined): boolean => !a || (!a.ok && (a.kind === 'not-run' || (a.kind === 'timeout' && a.error.type !== 'TimedOutTwice')));

const TIMED_OUT: BatchAnswer = { ok: false, kind: 'timeout', error: { type: 'TimedOutTwice', message: 'did not finish within the time limit, twice' }, durationMs: 0 };

/**
 * Holds candidates to what the plugin already does right: production's recorded
 * successes, and inputs generated from its input schema, each answered by the original
 * (once) and by the candidate (in one batch), compared as JSON. A success turned into a
 * failure rejects; other changes are counted, ranked on, and shown to the reviewer.
 */
export class BehaviourOracle {
  private readonly same: (a: unknown, b: unknown) => boolean;
  private inputs: unknown[] = [];
  private original: BatchAnswer[] = [];
  private traffic: { call: RecordedCall; at: number }[] = [];
  private unreproducible = 0;
  private generatedAt = 0;
  private capturedAt = 0;
  private ready: Promise<void> | undefined;

  constructor(private readonly options: OracleOptions) {
    this.same = outputComparer(options.manifest.interface.ignoreOutputFields);
  }

  private run(copy: WorkingCopy, inputs: readonly unknown[] = this.inputs): Promise<BatchAnswer[]> {
    const { manifest } = this.options;
    return invokeMany({
      manifest,
      copy,
      inputs,
      env: this.options.env,
      perCallMs: Math.min(manifest.limits.timeoutMs, 5000),
      totalMs: this.options.batchMs ?? 30_000,
      signal: this.options.signal,
    });
  }

  /** The original's answers, once per run. */
  baseline(): Promise<void> {
    this.ready ??= (async () => {
      const { traffic, captured, manifest } = this.options;
      const seeds = [...captured, ...traffic.map((t) => t.input)];
      // A command plugin costs a sandboxed process per call and a Python one a fork (tens of ms): fewer, so a check stays seconds.
      const count = manifest.runtime === 'node' ? this.options.generated : Math.min(this.options.generated, PROCESS_INPUTS);
      const generated = count > 0 ? generateInputs(manifest.interface.input, seeds, count, this.options.seed ?? 1) : [];
      this.inputs = [...traffic.map((t) => t.input), ...generated, ...captured];
      this.generatedAt = traffic.length;
      this.capturedAt = traffic.length + generated.length;
      const copy = createWorkingCopy(this.options.dir, { quotaMb: manifest.limits.diskMb });
      try {
        this.original = await this.run(copy);
      } finally {
        copy.dispose();
      }
      // A recorded success the original no longer gives here (another environment, a clock) holds no candidate to anything.
      this.traffic = traffic.flatMap((call, at) => {
        const now = this.original[at];
        return now?.ok && this.same(now.output, call.output) ? [{ call, at }] : [];
      });
      this.unreproducible = traffic.length - this.traffic.length;
    })();
    return this.ready;
  }

  /** The inputs besides the captured ones that candidates are held to: recorded traffic, then generated inputs. */
  async probes(): Promise<unknown[]> {
    await this.baseline();
    return this.inputs.slice(0, this.capturedAt);
  }

  /**
   * `refuses`: the contract error a refusal candidate answers bad input with. On a
   * generated input that error is a changed answer, not a break: refusing a value
   * the original let through is what such a fix is for. A recorded production
   * success refused is still a break.
   */
  async judge(copy: WorkingCopy, refuses?: { type: string }): Promise<BehaviourJudgement> {
    await this.baseline();
    const answers = await this.run(copy);
    // A call the original finished and the candidate did not is asked again on its own: a second time-out is the candidate's.
    const again = answers.flatMap((a, at) => (!a.ok && a.kind === 'timeout' && !unfinished(this.original[at]) ? [at] : []));
    if (again.length > 0) {
      const retried = await this.run(
        copy,
        again.map((at) => this.inputs[at]),
      );
      again.forEach((at, k) => {
        const answer = retried[k];
        answers[at] = unfinished(answer) ? TIMED_OUT : answer!;
      });
    }
    const trafficReport: BehaviourReport['traffic'] = {
      recorded: this.options.traffic.length,
      checked: 0,
      unreproducible: this.unreproducible,
      broken: 0,
      changed: 0,
      examples: [],
    };
    let reject: string | undefined;
    let faultRemains = false;
    const fault = this.options.fault;
    /** Why a broken answer matters beyond itself: it is the production error. */
    const faultSuffix = (after: BatchAnswer | undefined): string => {
      if (!fault || after?.ok !== false || after.error.type !== fault.type || after.error.message !== fault.message) return '';
      faultRemains = true;
      return ', the production error itself: the fault is still there';
    };
    for (const { call, at } of this.traffic) {
      const after = answers[at];
      if (unfinished(after)) continue;
      trafficReport.checked++;
      if (!after?.ok) {
        trafficReport.broken++;
        const itself = faultSuffix(after);
        reject ??= `it turns a recorded production success into a failure: input ${JSON.stringify(call.input).slice(0, TEXT)} now fails with ${answerText(after)}${itself}`;
      } else if (!this.same(after.output, call.output)) trafficReport.changed++;
      else continue;
      if (trafficReport.examples.length < EXAMPLES)
        trafficReport.examples.push({ input: call.input, before: JSON.stringify(call.output).slice(0, TEXT), after: answerText(after) });
    }
    const generated: BehaviourReport['generated'] = { inputs: this.capturedAt - this.generatedAt, checked: 0, broken: 0, changed: 0, newlyHandled: 0, examples: [] };
    for (let at = this.generatedAt; at < this.capturedAt; at++) {
      const before = this.original[at];
      const after = answers[at];
      if (unfinished(before) || unfinished(after)) continue;
      generated.checked++;
      if (!before?.ok) {
        if (after?.ok) generated.newlyHandled++;
        continue;
      }
      if (!after?.ok && after?.error.type !== refuses?.type) {
        generated.broken++;
        const itself = faultSuffix(after);
        reject ??= `it turns a success into a failure on input ${JSON.stringify(this.inputs[at]).slice(0, TEXT)}: the original answered ${answerText(before)}, the fix fails with ${answerText(after)}${itself}`;
      } else if (!after?.ok || !this.same(before.output, after.output)) generated.changed++;
      else continue;
      if (generated.examples.length < EXAMPLES) generated.examples.push({ input: this.inputs[at], before: answerText(before), after: answerText(after) });
    }
    const share = trafficReport.checked > 0 ? trafficReport.changed / trafficReport.checked : 0;
    if (!reject && share > this.options.maxChangedShare) {
      reject = `it changes ${trafficReport.changed} of ${trafficReport.checked} recorded production outputs (${Math.round(share * 100)}%), over the playbook's maxChangedOutputShare (${Math.round(this.options.maxChangedShare * 100)}%)`;
    }
    const production = this.inputs
      .slice(this.capturedAt)
      .map((input, i) => ({ input, before: answerText(this.original[this.capturedAt + i]), after: answerText(answers[this.capturedAt + i]) }));
    const unseen = reject ? undefined : this.unseenKind(answers.slice(this.capturedAt));
    reject ??= unseen;
    return {
      report: { traffic: trafficReport, generated, production },
      ...(reject ? { reject } : {}),
      ...(unseen ? { implausible: true } : {}),
      ...(faultRemains ? { faultRemains } : {}),
      changes: trafficReport.changed + generated.changed,
    };
  }

  /**
   * A production input now answered with a kind of value (a list, null, a string…)
   * the original never gave on the many calls it did answer: a function that returns
   * an index does not rightly return `[]` for the one input that crashed it. Such an
   * answer is what an early return of the empty value or an empty default looks like
   * from outside. Only the top level is compared, and only with enough answers seen.
   */
  private unseenKind(answers: readonly BatchAnswer[]): string | undefined {
    const seen = this.original.slice(0, this.capturedAt).flatMap((a) => (a.ok ? [kindOf(a.output)] : []));
    const kinds = new Set(seen);
    if (seen.length < MIN_SEEN) return undefined;
    for (const answer of answers) {
      if (!answer.ok || kinds.has(kindOf(answer.output))) continue;
      return `its answer to the production input, ${answerText(answer)}, is ${kindOf(answer.output)}: the original answered ${seen.length} other calls, never with that kind of value (${[...kinds].join(', ')})`;
    }
    return undefined;
  }
}

/** Successful answers of the original a kind must be missing from before it says anything. */
const MIN_SEEN = 5;

const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);
