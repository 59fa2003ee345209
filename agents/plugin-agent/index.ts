/** The Plugin Agent: what the rest of steward uses of it. */

export { openPluginAgent, pluginAgent } from './agent.ts';
export { settleMerged } from './settle.ts';
export { openReviewSync, syncReviews, type SyncReport } from './review-sync.ts';
export { changeSize } from './change-size.ts';
export { proposalFile, readProposalRecord, type ProposalRecord } from './proposal-record.ts';

export type { PluginAgentState } from './state.ts';
export { behaviourLines } from './behaviour/index.ts';
