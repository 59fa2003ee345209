import type { FixRequest } from '../types.ts';
import { interleave, PER_SITE, tried, type Tried } from './candidates.ts';
import { suspectSites } from './localise.ts';
import { applyEdits, compiles } from './source.ts';
import { MUTATIONS, TEMPLATES } from './templates/index.ts';
import type { Site, Template } from './templates/types.ts';

/** How many of the most suspicious sites the mutation rung visits. */
const MUTATION_SITES = 8;

/**
 * Candidate patches of a JavaScript or TypeScript plugin, deduplicated, in the order
 * they are tried: SapFix's ladder, the fix templates at every suspect statement
 * first, then mutations at the most suspicious ones; sites interleaved.
 */
export function generateJs(request: FixRequest, limit: number, spectrum: readonly { file: string; line: number }[] = []): { sites: number; candidates: Tried[] } {
  const sites = suspectSites(request, 40, spectrum);
  const seen = new Set<string>();
  const compilesAlready = new Map<string, boolean>();
  const atSite = (site: Site, templates: readonly Template[]): Tried[] => {
    const original = site.sf.getFullText();
    // A file Node could not load before is not held to it after (top-level await, say).
    if (!compilesAlready.has(site.file)) compilesAlready.set(site.file, compiles(site.file, original));
    const out: Tried[] = [];
    for (const template of templates) {
      for (const fix of template.propose(site)) {
        if (out.length >= PER_SITE) return out;
        let changed: string;
        try {
          changed = applyEdits(original, fix.edits);
        } catch {
          continue;
        }
        const key = `${site.file}\0${changed}`;
        if (changed === original || seen.has(key)) continue;
        seen.add(key);
        if (compilesAlready.get(site.file) && !compiles(site.file, changed)) continue;
        out.push(tried(site.file, original, changed, fix));
      }
    }
    return out;
  };
  const candidates = [
    ...interleave(sites.map((site) => atSite(site, TEMPLATES))),
    ...interleave(sites.slice(0, MUTATION_SITES).map((site) => atSite(site, MUTATIONS))),
  ].slice(0, limit);
  return { sites: sites.length, candidates };
}
