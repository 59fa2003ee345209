import { messageOf } from './errors.ts';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

const draft07 = new Ajv({ allErrors: true, strict: false });
const draft2020 = new Ajv2020({ allErrors: true, strict: false });

function engineFor(schema: Record<string, unknown>): Ajv {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  return declared.includes('2020-12') ? draft2020 : draft07;
}

/** Checks a JSON Schema against its meta-schema and compiles it; returns the problems, or a validator. */
export function compileJsonSchema(schema: Record<string, unknown>): { ok: true; validate: ValidateFunction } | { ok: false; message: string } {
  const ajv = engineFor(schema);
  if (!ajv.validateSchema(schema)) {
    return { ok: false, message: `not a valid JSON Schema: ${ajv.errorsText(ajv.errors)}` };
  }
  try {
    return { ok: true, validate: ajv.compile(schema) };
  } catch (error) {
    return { ok: false, message: `JSON Schema does not compile: ${messageOf(error)}` };
  }
}

/** Meta-schema check only: cheap enough to run on every manifest of a large library. */
export function jsonSchemaProblem(schema: Record<string, unknown>): string | undefined {
  const ajv = engineFor(schema);
  return ajv.validateSchema(schema) ? undefined : `not a valid JSON Schema: ${ajv.errorsText(ajv.errors)}`;
}

/** The first few problems of a failed validation, as the host reports them in its events. */
export function schemaErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
    .join('; ');
}
