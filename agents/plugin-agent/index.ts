/** The Plugin Agent: what the rest of steward uses of it. */
export { buildPluginAgentGraph } from './graph.ts';
export { openPluginAgent, pluginAgent } from './agent.ts';
export { settleMerged } from './settle.ts';
export { proposalFile, readProposalRecord, type ProposalRecord } from './proposal-record.ts';
export { checkCall, coverageEnv, OTHER_INPUTS, otherCalls, pluginUnderFix, sandboxChecks } from './checks.ts';
export { ALWAYS_PROTECTED, globMatcher, isTestFile } from './policy.ts';
export type { PluginAgentDeps } from './deps.ts';
export type { PluginAgentState } from './state.ts';
