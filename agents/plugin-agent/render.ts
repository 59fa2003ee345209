import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { STEWARD_ROOT } from '../../orchestrator/core/steward-root.ts';
import type { Library } from '../../orchestrator/library/library.ts';

const STEWARD_TEMPLATES = join(STEWARD_ROOT, 'templates');

/** A body template: the library's own `templates/<name>` when it has one, else steward's. */
export function readTemplate(library: Library, name: string): string {
  const own = join(library.paths.templates, name);
  return readFileSync(existsSync(own) ? own : join(STEWARD_TEMPLATES, name), 'utf8');
}

/** Fills `{{key}}`s; a key the template names and the values lack is a template bug, not an empty string. */
export function render(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new StewardError('E_USAGE', `template names {{${key}}}, which steward does not fill`);
    return value;
  });
}
