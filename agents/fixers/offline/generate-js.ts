import type { FixRequest } from '../types.ts';
import { COSTLY_EARLY, fromTemplates, interleave, PER_SITE, tried, weave, type Tried } from './candidates.ts';
import { suspectSites } from './sites.ts';
import { applyEdits, compiles } from './source.ts';
import { COSTLY, REPLACE, TOKEN } from './operators/index.ts';
import { TEMPLATES } from './templates/index.ts';
import type { Site, Template } from './templates/types.ts';

/** How many of the most suspicious sites the operator families visit. */
const MUTATION_SITES = 8;

/** How much more often a site gets a turn than the next one down (see `weave`). */
const STRIDE = 6;

/**
 * The share of the budget kept for the operator families: the ladder's last rung must
 * not be starved by the templates. Half, since the families answer most defect classes
 * the templates do not (a wrong argument, a bound, the loop around the line), and the
 * templates' fixes come early in their rung when they come at all.
 */
const MUTATION_SHARE = 1 / 2;

/**
 * Candidate patches of a JavaScript or TypeScript plugin, deduplicated, in the order
 * they are tried: SapFix's ladder, the fix templates at every suspect statement
 * first, then the operator families at the most suspicious ones, with half the budget
 * kept for them: the one-token families at every such site first, then the ones that
 * replace a name or add a clause (with the costly families of the two most suspicious
 * sites), then statement insertion and moves, negation, narrowing and deletion at the
 * rest (which cost more, or may silence the failure); the most suspicious sites get the
 * most turns.
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
    // Templates take turns at a site: one that proposes many (null-guard) must not crowd out the rest.
    for (const fix of interleave(templates.map((template) => template.propose(site)))) {
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
    return out;
  };
  // Templates first, so that a text both rungs make counts as the template's.
  const templateLists = sites.map((site) => atSite(site, TEMPLATES));
  // Tier by tier over the same sites: every one-token change before a name replaced, every one of those before a statement inserted or a check narrowed.
  const top = sites.slice(0, MUTATION_SITES);
  const [token = [], replace = [], costly = []] = [TOKEN, REPLACE, COSTLY].map((tier) => top.map((site) => atSite(site, tier)));
  const early = costly.slice(0, COSTLY_EARLY);
  const mutations = [...weave(token, STRIDE), ...weave([...replace, ...early], STRIDE), ...weave(costly.slice(COSTLY_EARLY), STRIDE)];
  const templates = weave(templateLists, STRIDE).slice(0, limit - Math.min(mutations.length, Math.ceil(limit * MUTATION_SHARE)));
  return { sites: sites.length, candidates: [...fromTemplates(templates), ...mutations].slice(0, limit) };
}
