import type { ValidateFunction } from 'ajv';
import { compileJsonSchema, schemaErrors } from '../core/json-schema.ts';
import type { Manifest } from '../library/manifest.ts';
import type { Outcome } from './types.ts';

/** The compiled interface.input and interface.output of a plugin (absent: not checked). */
export interface Validators {
  input?: ValidateFunction;
  output?: ValidateFunction;
}

/** interface.input and interface.output compiled, as the host loads a plugin; the first side that does not compile, and why. */
export function compileValidators(manifest: Manifest): { validators: Validators; problem?: string } {
  const validators: Validators = {};
  for (const side of ['input', 'output'] as const) {
    const compiled = compileJsonSchema(manifest.interface[side]);
    if (!compiled.ok) return { validators, problem: `interface.${side}: ${compiled.message}` };
    validators[side] = compiled.validate;
  }
  return { validators };
}

/** The host's refusal of an input that breaks interface.input, before the plugin sees it. */
export function refusedInput(validators: Validators, input: unknown): Extract<Outcome, { ok: false }> | undefined {
  const validate = validators.input;
  if (!validate || validate(input)) return undefined;
  return { ok: false, kind: 'invalid-input', error: { type: 'InputSchemaViolation', message: `input does not match interface.input: ${schemaErrors(validate)}` }, durationMs: 0 };
}

/** A successful call whose output breaks interface.output becomes the host's failure. */
export function checkedOutput(validators: Validators, outcome: Outcome): Outcome {
  const validate = validators.output;
  if (!outcome.ok || !validate || validate(outcome.output)) return outcome;
  return {
    ok: false,
    kind: 'invalid-output',
    error: { type: 'OutputSchemaViolation', message: `output does not match interface.output: ${schemaErrors(validate)}` },
    durationMs: outcome.durationMs,
  };
}
