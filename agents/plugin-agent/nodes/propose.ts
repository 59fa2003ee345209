import { messageOf } from '../../../orchestrator/core/errors.ts';
import type { Candidate, FixRequest } from '../../fixers/types.ts';
import { heldCalls, pluginUnderFix, sandboxChecks, type Held } from '../checks.ts';
import type { PluginAgentDeps } from '../deps.ts';
import type { PluginAgentState } from '../state.ts';

/** Asks the fixers, in order, for candidate patches; the first that has one making the call succeed ends the search (refusals are kept for last). */
export function propose(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    const { context, reproduction } = state;
    if (!context || !reproduction?.request) throw new Error('propose before a reproduction');
    const { dir, manifest, env } = pluginUnderFix(deps.library, state.plugin, deps.env);
    const request = reproduction.request;
    const searched: { fixer: string; why: string; more?: boolean }[] = [];
    const refusals: Candidate[] = [];
    const tried = new Set(state.tried ?? []);
    const skip: ReadonlySet<string> = new Set(tried);
    const rounds = (state.rounds ?? 0) + 1;
    if (rounds > 1) deps.emit('search-round', { round: rounds, skipped: skip.size });
    // Measured on the original, which a later round has not changed.
    const held = (state.held as Held[] | undefined) ?? (await heldCalls(manifest, dir, context.inputs, request, reproduction.error?.type, env, deps.signal));
    for (const fixer of deps.fixers) {
      const budget = context.playbook.fixers.find((f) => f.name === fixer.name)?.budget ?? {};
      const fixRequest: FixRequest = {
        plugin: state.plugin,
        dir,
        manifest,
        context,
        reproduction,
        suspects: state.suspects ?? [],
        playbook: context.playbook.text,
        ...(context.playbook.notes ? { playbookNotes: context.playbook.notes } : {}),
        budget: { iterations: budget.iterations, tokens: budget.tokens, wallSeconds: budget.wallSeconds, candidates: budget.candidates },
        skip,
        signal: deps.signal,
        emit(kind, data) {
          const said = data as { why?: unknown; more?: unknown; key?: unknown };
          if (kind === 'fixer-stopped') searched.push({ fixer: fixer.name, why: String(said.why ?? ''), ...(said.more === true ? { more: true } : {}) });
          if (kind === 'candidate-tried' && typeof said.key === 'string') tried.add(said.key);
          deps.emit(kind, data);
        },
        spendTokens: deps.spendTokens,
        ...sandboxChecks(manifest, request, env, deps.signal, held),
      };
      let candidates: Awaited<ReturnType<typeof fixer.propose>>;
      try {
        candidates = await fixer.propose(fixRequest);
      } catch (error) {
        // A stopped run stops here; a fixer that broke leaves the next one its turn.
        if (deps.signal.aborted) throw error;
        const why = `failed: ${messageOf(error)}`.slice(0, 300);
        searched.push({ fixer: fixer.name, why });
        deps.emit('fixer-failed', { fixer: fixer.name, why });
        continue;
      }
      deps.emit('candidates', { fixer: fixer.name, count: candidates.length });
      // Refusals only: kept, and the next fixer (a model, in hybrid) may still make the call succeed.
      if (candidates.some((c) => !c.refuses)) return { candidates: [...candidates, ...refusals], searched, held, rounds, tried: [...tried] };
      refusals.push(...candidates);
    }
    return { candidates: refusals, searched, held, rounds, tried: [...tried] };
  };
}
