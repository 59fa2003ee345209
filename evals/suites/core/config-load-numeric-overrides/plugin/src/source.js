import { readFile } from 'node:fs/promises';
import { ConfigError } from './coerce.js';

const PRESET_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const presets = new Map();

/** The config text as a JSON object. */
export function parseConfigText(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`the config text is not valid JSON: ${error.message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError('the config text must be a JSON object');
  return doc;
}

/** A preset from presets/<name>.json, read once per process. */
export async function loadPreset(name) {
  if (typeof name !== 'string' || !PRESET_NAME.test(name)) throw new ConfigError(`$extends must name a preset, got ${JSON.stringify(name)}`);
  if (!presets.has(name)) {
    let text;
    try {
      text = await readFile(new URL(`../presets/${name}.json`, import.meta.url), 'utf8');
    } catch (error) {
      if (error.code === 'ENOENT') throw new ConfigError(`$extends: there is no preset "${name}" in presets/`);
      throw error;
    }
    presets.set(name, JSON.parse(text));
  }
  return presets.get(name);
}

/** Nested objects → [dotted path, leaf value] pairs. Arrays are leaves; null means "not set". */
export function flatten(object, prefix = '') {
  const out = [];
  for (const [key, value] of Object.entries(object)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (value === null) continue;
    if (typeof value === 'object' && !Array.isArray(value)) out.push(...flatten(value, path));
    else out.push([path, value]);
  }
  return out;
}

/** APP_HTTP__REQUEST_TIMEOUT → http.requestTimeout ("__" separates sections, "_" joins words). */
export function pathOfOverride(name, prefix) {
  return name
    .slice(prefix.length)
    .split('__')
    .map((segment) => segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()))
    .join('.');
}

const layer = (source, pairs, whereOf = () => source) => ({ source, entries: pairs.map(([path, value]) => ({ path, value, where: whereOf(path) })) });

/** The layers of a config, lowest precedence first: preset, config, profile section, overrides. */
export async function collectLayers(doc, { profile, prefix, overrides }) {
  const { $extends, profiles = {}, ...base } = doc;
  const layers = [];
  if ($extends !== undefined) {
    const preset = await loadPreset($extends);
    layers.push(layer(`preset:${$extends}`, flatten(preset)));
  }
  layers.push(layer('config', flatten(base)));
  if (profiles[profile] !== undefined && profiles[profile] !== null) layers.push(layer(`profile:${profile}`, flatten(profiles[profile])));
  const names = new Map();
  const pairs = [];
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (!name.startsWith(prefix)) continue; // the rest of the environment is none of our business
    const path = pathOfOverride(name, prefix);
    names.set(path, name);
    pairs.push([path, value]);
  }
  layers.push(layer('env', pairs, (path) => `env:${names.get(path)}`));
  return layers;
}
