import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { messageOf, StewardError } from '../../orchestrator/core/errors.ts';
import type { LibraryConfig } from '../../orchestrator/library/config.ts';
import { CommandFixer } from './command/index.ts';
import { LlmFixer } from './llm/index.ts';
import { OfflineFixer } from './offline/index.ts';
import type { Fixer } from './types.ts';

/** A chat model by its "<provider>:<name>", through LangChain's initChatModel (the provider package must be installed). */
export function modelByName(name: string): () => Promise<BaseChatModel> {
  return async () => {
    const { initChatModel } = await import('langchain');
    try {
      return (await initChatModel(name)) as unknown as BaseChatModel;
    } catch (error) {
      throw new StewardError('E_CONFIG_INVALID', `model "${name}": ${messageOf(error)}`, { file: 'steward.config.json', path: '$.model' });
    }
  };
}

/**
 * The fixers to try, in order, for the config's `fixer` (Renovate-style: a name picks
 * an implementation); the agent stops at the first that has candidates, so `hybrid`
 * spends model tokens only when the offline search found nothing. `model` overrides
 * the config's, as tests do with a scripted one; `env` is where the command fixer
 * takes the variables its config names.
 */
export function fixersFor(
  config: Pick<LibraryConfig, 'fixer' | 'model' | 'command' | 'github'>,
  options: { model?: () => Promise<BaseChatModel>; env?: NodeJS.ProcessEnv } = {},
): Fixer[] {
  const chat = options.model ?? (config.model ? modelByName(config.model) : undefined);
  switch (config.fixer) {
    case 'offline':
      return [new OfflineFixer()];
    case 'llm':
      if (!chat)
        throw new StewardError('E_CONFIG_INVALID', 'fixer "llm" needs a model', {
          file: 'steward.config.json',
          path: '$.model',
          hint: 'set "model", e.g. "anthropic:claude-sonnet-4-5", or use the offline fixer',
        });
      return [new LlmFixer(chat)];
    case 'hybrid':
      return chat ? [new OfflineFixer(), new LlmFixer(chat)] : [new OfflineFixer()];
    case 'command':
      if (!config.command) throw new StewardError('E_CONFIG_INVALID', 'fixer "command" needs its CLI', { file: 'steward.config.json', path: '$.command' });
      return [new CommandFixer(config.command, options.env, [(options.env ?? process.env)[config.github?.tokenEnv ?? 'GITHUB_TOKEN'] ?? ''].filter(Boolean))];
  }
}
