import { ConfigError } from './coerce.js';
import { collectLayers, loadPreset, parseConfigText } from './source.js';
import { resolveSettings } from './settings.js';

const PROFILE = /^[a-z][a-z0-9-]{0,31}$/;
const PREFIX = /^[A-Z][A-Z0-9_]*_$/;
const PRESETS = ['http-service', 'worker'];

/** The deployment's side of the configuration: which profile, which override prefix. */
function readEnv(env) {
  const profile = env.CONFIG_LOAD_PROFILE;
  if (profile === undefined || profile === '') {
    throw new ConfigError('CONFIG_LOAD_PROFILE is not set: config-load needs the deployment profile (production, staging, ...) to choose the profiles.<name> section of every config');
  }
  if (!PROFILE.test(profile)) throw new ConfigError(`CONFIG_LOAD_PROFILE "${profile}" is not a profile name (lower case letters, digits and dashes)`);
  const prefix = env.CONFIG_LOAD_ENV_PREFIX || 'APP_';
  if (!PREFIX.test(prefix)) throw new ConfigError(`CONFIG_LOAD_ENV_PREFIX "${prefix}" must be upper case and end with "_"`);
  return { profile, prefix };
}

let deployment;

const plugin = {
  name: 'config-load',

  init(ctx) {
    deployment = readEnv(ctx.env ?? {});
  },

  async validate() {
    for (const name of PRESETS) await loadPreset(name);
  },

  async execute(input, ctx) {
    const { profile, prefix } = deployment ?? readEnv(ctx.env ?? {});
    const doc = parseConfigText(input.text);
    const layers = await collectLayers(doc, { profile, prefix, overrides: input.overrides });
    const envNameOf = (path) => prefix + path.split('.').map((key) => key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()).join('__');
    const { settings, sources, ignored } = resolveSettings(input.spec, layers, envNameOf);
    for (const entry of ignored) ctx.log?.warn?.(`not in the spec, ignored: ${entry}`);
    return { profile, settings, sources, ignored };
  },

  help() {
    return [
      'config-load: typed settings from a JSON config, its preset and profile, and environment overrides.',
      'input:  { text: "<JSON>", overrides?: { APP_HTTP__PORT: "8081" }, spec: { "http.port": { type: "integer", default: 8080, min: 1, max: 65535 } } }',
      'output: { profile, settings, sources, ignored }',
      'types: string, integer, number, boolean, duration (→ ms), list',
    ].join('\n');
  },
};

export default plugin;
