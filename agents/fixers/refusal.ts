import type { ContractError } from './types.ts';

/** Whether a failure is exactly the contract error a refusing candidate adds (`Candidate.refuses`). */
export function refusedAs(error: ContractError | undefined, refusal: ContractError): boolean {
  return error !== undefined && error.type === refusal.type && error.message === refusal.message;
}
