export { BehaviourOracle } from './oracle.ts';
export { behaviourLines } from './evidence-text.ts';
export { generateInputs } from './inputs.ts';
export { outputComparer } from './same-output.ts';
