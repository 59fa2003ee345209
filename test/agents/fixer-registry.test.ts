import { describe, expect, it } from 'vitest';
import { CommandFixer } from '../../agents/fixers/command/index.ts';
import { LlmFixer } from '../../agents/fixers/llm/index.ts';
import { OfflineFixer } from '../../agents/fixers/offline/index.ts';
import { fixersFor, modelByName } from '../../agents/fixers/registry.ts';

const command = { argv: ['aider', '--message-file', '{promptFile}'], env: [], binds: [], network: true, wallSeconds: 60, memoryMb: 1024 };

describe('the fixer registry', () => {
  it('picks fixers by the config name, in the order they are tried', () => {
    expect(fixersFor({ fixer: 'offline', model: null }).map((f) => f.constructor)).toEqual([OfflineFixer]);
    // hybrid: the offline search first, the model only when it found nothing; without a model, offline alone.
    expect(fixersFor({ fixer: 'hybrid', model: null }).map((f) => f.constructor)).toEqual([OfflineFixer]);
    expect(fixersFor({ fixer: 'hybrid', model: 'ollama:qwen2.5-coder' }).map((f) => f.constructor)).toEqual([OfflineFixer, LlmFixer]);
    expect(fixersFor({ fixer: 'llm', model: 'openai:gpt-4o-mini' }).map((f) => f.name)).toEqual(['llm']);
    expect(() => fixersFor({ fixer: 'llm', model: null })).toThrow('fixer "llm" needs a model');
    expect(fixersFor({ fixer: 'command', model: null, command }).map((f) => f.constructor)).toEqual([CommandFixer]);
    expect(() => fixersFor({ fixer: 'command', model: null })).toThrow('fixer "command" needs its CLI');
  });

  it('resolves a model name through the installed providers, and says what is wrong with one it cannot', async () => {
    const saved = { ...process.env };
    delete process.env.ANTHROPIC_API_KEY;
    try {
      for (const name of ['ollama:qwen2.5-coder', 'openai:gpt-4o-mini']) {
        const model = await modelByName(name)();
        expect(typeof model.bindTools).toBe('function');
      }
      await expect(modelByName('anthropic:claude-sonnet-4-5')()).rejects.toMatchObject({
        code: 'E_CONFIG_INVALID',
        details: { path: '$.model' },
        message: expect.stringContaining('Anthropic API key not found'),
      });
      await expect(modelByName('nope:x')()).rejects.toMatchObject({ code: 'E_CONFIG_INVALID', message: expect.stringContaining('model "nope:x": Unable to infer model provider') });
    } finally {
      process.env = saved;
    }
  });
});
