import type { LibraryConfig } from './config.ts';
import type { Manifest } from './manifest.ts';

/**
 * Variables that hold steward's own credentials and stores. A plugin that declares one
 * would be handed it and could print it back, so no plugin gets them, whatever its
 * manifest says: the schema refuses them, and the two places that build a plugin's
 * environment (the host, the agent's sandbox) leave them out.
 */
const RESERVED_NAMES = new Set([
  'REDIS_URL',
  'DATABASE_URL',
  'PGPASSWORD',
  'PGPASSFILE',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  // The model providers' keys, as LangChain's integrations read them.
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'GOOGLE_API_KEY',
  'GEMINI_API_KEY',
  'MISTRAL_API_KEY',
  'GROQ_API_KEY',
  'COHERE_API_KEY',
  'TOGETHER_AI_API_KEY',
  'FIREWORKS_API_KEY',
  'DEEPSEEK_API_KEY',
  'XAI_API_KEY',
  'OLLAMA_API_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LANGSMITH_API_KEY',
  'LANGCHAIN_API_KEY',
]);

/** Why a plugin may not declare `name`, or undefined when it may. `extra` adds the library's own names. */
export function reservedEnvProblem(name: string, extra: readonly string[] = []): string | undefined {
  const upper = name.toUpperCase();
  if (upper.startsWith('STEWARD_')) return `"${name}" is reserved: STEWARD_* variables are steward's own`;
  if (RESERVED_NAMES.has(upper) || extra.includes(name)) return `"${name}" is reserved: it holds steward's own credentials or stores`;
  return undefined;
}

/** The library's reserved names beyond the fixed list: the tracker's token variable. */
export function libraryReservedEnv(config: LibraryConfig): string[] {
  return config.github ? [config.github.tokenEnv] : [];
}

export interface PluginEnv {
  /** What the plugin's process gets. */
  env: Record<string, string>;
  /** The secret values among them, for scrubbing. */
  secrets: string[];
}

/**
 * A plugin's declared variables as `source` has them, reserved names left out. With
 * `placeholders`, a secret is replaced by a stand-in: code that needs it present runs,
 * and no secret enters the agent's sandbox.
 */
export function pluginEnv(manifest: Manifest, source: NodeJS.ProcessEnv, options: { reserved?: readonly string[]; placeholders?: boolean } = {}): PluginEnv {
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  for (const variable of manifest.env) {
    if (reservedEnvProblem(variable.name, options.reserved)) continue;
    const value = source[variable.name];
    if (value === undefined) continue;
    if (variable.secret && value !== '') secrets.push(value);
    env[variable.name] = variable.secret && options.placeholders ? `steward-placeholder-${variable.name.toLowerCase()}` : value;
  }
  return { env, secrets };
}
