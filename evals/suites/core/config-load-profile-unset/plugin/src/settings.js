import { COERCERS, ConfigError, parseDuration } from './coerce.js';

function setPath(target, path, value) {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys.at(-1)] = value;
}

function checkRule(path, rule, value, where) {
  const bound = (limit) => (rule.type === 'duration' ? parseDuration(limit, `spec ${path}`) : limit);
  if (rule.min !== undefined && value < bound(rule.min)) throw new ConfigError(`${where}: ${JSON.stringify(value)} is below the minimum ${rule.min}`);
  if (rule.max !== undefined && value > bound(rule.max)) throw new ConfigError(`${where}: ${JSON.stringify(value)} is above the maximum ${rule.max}`);
  if (rule.enum !== undefined && !rule.enum.includes(value)) throw new ConfigError(`${where}: ${JSON.stringify(value)} is not one of ${rule.enum.join(', ')}`);
}

/** Applies the spec to the layers: later layers win, defaults fill the gaps, every value is coerced and checked. */
export function resolveSettings(spec, layers, envNameOf) {
  const winners = new Map();
  const ignored = [];
  for (const { entries } of layers) {
    for (const entry of entries) {
      if (Object.hasOwn(spec, entry.path)) winners.set(entry.path, entry);
      else ignored.push(`${entry.where}: ${entry.path}`);
    }
  }
  const settings = {};
  const sources = {};
  for (const [path, rule] of Object.entries(spec)) {
    const coerce = COERCERS[rule.type];
    if (!coerce) throw new ConfigError(`spec ${path}: unknown type ${JSON.stringify(rule.type)}`);
    const found = winners.get(path) ?? (rule.default !== undefined ? { value: rule.default, where: 'default' } : undefined);
    if (found === undefined) {
      if (rule.required) throw new ConfigError(`${path} is required: set it in the config, its preset or ${envNameOf(path)}`);
      continue;
    }
    const where = `${path} (${found.where})`;
    const value = coerce(found.value, where);
    checkRule(path, rule, value, where);
    setPath(settings, path, value);
    sources[path] = found.where;
  }
  return { settings, sources, ignored };
}
