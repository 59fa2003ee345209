import { z } from 'zod';

/** docs/specs/error-event.md: what the capture SDK sends, ingest accepts and evals replay. */
export const MAX_EVENT_BYTES = 256 * 1024;
/** Objects and arrays nested deeper than this refuse the event: no sender needs more, and deeper costs the stack. */
export const MAX_EVENT_DEPTH = 64;

export const errorEventSchema = z
  .strictObject({
    id: z.string().min(1).max(128).describe('Unique; the same id twice is one event.'),
    timestamp: z.iso.datetime({ offset: true }),
    plugin: z.string().min(1),
    pluginVersion: z.string().min(1),
    environment: z.string().optional(),
    level: z.enum(['warning', 'error', 'fatal']),
    error: z.strictObject({
      type: z.string().min(1),
      message: z.string(),
      stack: z.string().optional(),
      code: z.string().optional(),
    }),
    invocation: z.strictObject({ operation: z.string().optional(), input: z.unknown().optional() }).optional().describe('What the plugin was asked to do.'),
    host: z.strictObject({ name: z.string().optional(), runtime: z.string().optional() }).optional(),
    tags: z.record(z.string(), z.string()).optional(),
  })
  .describe('One captured production failure of one plugin invocation.');

export type ErrorEvent = z.output<typeof errorEventSchema>;
