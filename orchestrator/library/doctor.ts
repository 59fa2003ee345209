import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { isStewardError, messageOf } from '../core/errors.ts';
import { PLAYBOOK_LINK, readPlaybook, type PlaybookSource } from './context.ts';
import { checkManifest, MANIFEST_FILE } from './manifest.ts';
import { effectivePlaybook } from './playbook.ts';
import { libraryReservedEnv, reservedEnvProblem } from './plugin-env.ts';
import { listPluginNames, pluginPrefix, type Library } from './library.ts';
import { linkedTemplates, linkStatus, type LinkState } from './links.ts';
import { checkRequirements, defaultRequirementContext, type RequirementContext, type RequirementProblem } from './requires.ts';
import { subtreeStatuses, type SubtreeStatus } from './subtree/status.ts';
import { escapingSymlinks } from './tree.ts';
import { sandboxFindings } from '../sandbox/capabilities.ts';

const YIELD_EVERY = 20;

type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  code: string;
  message: string;
  file?: string;
  path?: string;
}

export interface DoctorRow {
  plugin: string;
  status: 'ok' | 'warning' | 'error';
  manifest: 'ok' | 'invalid' | 'missing';
  agentMd: boolean;
  links: { file: string; state: LinkState }[];
  subtree: SubtreeStatus & { upstream: string | null };
  requirements: RequirementProblem[];
  findings: Finding[];
}

export interface DoctorReport {
  version: 1;
  library: string;
  /** Findings about this machine rather than a plugin (the sandbox's strength). */
  environment: Finding[];
  summary: { plugins: number; ok: number; warnings: number; errors: number };
  plugins: DoctorRow[];
}

function worst(findings: readonly Finding[]): DoctorRow['status'] {
  if (findings.some((f) => f.severity === 'error')) return 'error';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}

/** What a plugin's own files say, before the history is read. */
interface LocalCheck {
  name: string;
  manifest: ReturnType<typeof checkManifest>['manifest'];
  manifestState: DoctorRow['manifest'];
  manifestFile: string;
  agentMd: boolean;
  links: DoctorRow['links'];
  requirements: RequirementProblem[];
  /** Findings from the files, and those from the manifest's variables and requirements. */
  files: Finding[];
  variables: Finding[];
}

function checkPluginFiles(library: Library, name: string, templates: readonly string[], ctx: RequirementContext): LocalCheck {
  const dir = join(library.paths.plugins, name);
  const prefix = pluginPrefix(library, name);
  const findings: Finding[] = [];
  const { manifest, problems } = checkManifest(dir, name);
  const manifestFile = `${prefix}/${MANIFEST_FILE}`;
  for (const problem of problems) {
    findings.push({ severity: 'error', code: 'manifest', message: problem.message, file: manifestFile, path: problem.path });
  }
  const agentMd = existsSync(join(dir, 'AGENT.md'));
  if (!agentMd) findings.push({ severity: 'error', code: 'agent-md', message: 'AGENT.md is missing', file: `${prefix}/AGENT.md` });

  const links = templates.map((template) => linkStatus(library, name, template));
  for (const link of links) {
    const file = `${prefix}/${link.file}`;
    if (link.state === 'missing') findings.push({ severity: 'error', code: 'link-missing', message: `${link.file} is not linked (run "steward templates link")`, file });
    if (link.state === 'broken') findings.push({ severity: 'error', code: 'link-broken', message: `${link.file} is broken: ${link.detail ?? ''}`, file });
    if (link.state === 'overridden') findings.push({ severity: 'info', code: 'link-overridden', message: `${link.file} is overridden by a regular file`, file });
  }
  if (manifest) findings.push(...overrideFindings(library, name, `${prefix}/${PLAYBOOK_LINK}`));
  for (const escape of escapingSymlinks(dir, library.paths.linked)) {
    findings.push({ severity: 'error', code: 'symlink-escape', message: `symlink points outside the plugin: -> ${escape.target ?? ''}`, file: `${prefix}/${escape.path}` });
  }

  const variables: Finding[] = [];
  for (const [i, variable] of (manifest?.env ?? []).entries()) {
    const problem = reservedEnvProblem(variable.name, libraryReservedEnv(library.config));
    if (problem) variables.push({ severity: 'error', code: 'reserved-env', message: `${problem}; no plugin is given it`, file: manifestFile, path: `$.env[${i}].name` });
  }
  const requirements = manifest ? checkRequirements(manifest, dir, ctx) : [];
  for (const problem of requirements) {
    variables.push({ severity: 'warning', code: `requires-${problem.kind}`, message: `UNAVAILABLE here: ${problem.message}`, file: manifestFile, path: problem.path });
  }
  return {
    name,
    manifest,
    manifestState: problems.length === 0 ? 'ok' : existsSync(join(dir, MANIFEST_FILE)) ? 'invalid' : 'missing',
    manifestFile,
    agentMd,
    links: links.map(({ file, state }) => ({ file, state })),
    requirements,
    files: findings,
    variables,
  };
}

function pluginRow(local: LocalCheck, subtree: SubtreeStatus | undefined): DoctorRow {
  const { manifest, manifestFile } = local;
  const findings = [...local.files];
  const status: SubtreeStatus = subtree ?? { added: false, unpushed: null, since: null };
  if (!status.added) findings.push({ severity: 'warning', code: 'not-a-subtree', message: 'not added as a git subtree (no subtree add in the history)' });
  if (manifest && !manifest.upstream) findings.push({ severity: 'warning', code: 'no-upstream', message: 'no upstream recorded', file: manifestFile, path: '$.upstream' });
  if (status.unpushed) findings.push({ severity: 'info', code: 'unpushed', message: `${status.unpushed} commit(s) not pushed upstream since the last ${status.since}` });
  findings.push(...local.variables);
  return {
    plugin: local.name,
    status: worst(findings),
    manifest: local.manifestState,
    agentMd: local.agentMd,
    links: local.links,
    subtree: { ...status, upstream: manifest?.upstream ? `${manifest.upstream.url}#${manifest.upstream.branch}` : null },
    requirements: local.requirements,
    findings,
  };
}

/** A plugin's own playbook is always worth a look: it only tightens, but a person should know it is there. */
function overrideFindings(library: Library, name: string, file: string): Finding[] {
  if (!lstatSync(join(library.paths.plugins, name, PLAYBOOK_LINK), { throwIfNoEntry: false })?.isFile()) return [];
  let source: PlaybookSource;
  try {
    source = readPlaybook(library, name);
  } catch {
    // The links check reports what is wrong with the link.
    return [];
  }
  try {
    const { loosened } = effectivePlaybook(source);
    const tail = loosened.length > 0 ? `; it tries to loosen ${loosened.join('; ')}, which is ignored` : '';
    return [
      {
        severity: 'warning',
        code: 'playbook-override',
        message: `the plugin overrides the library's playbook: its policies can only tighten the library's, its text reaches a model as data${tail}`,
        file,
      },
    ];
  } catch (error) {
    return [{ severity: 'error', code: 'playbook-override', message: isStewardError(error) ? error.format() : messageOf(error), file }];
  }
}

export async function runDoctor(
  library: Library,
  options: { plugins?: string[]; ctx?: RequirementContext; onProgress?: (done: number, total: number) => void } = {},
): Promise<DoctorReport> {
  const names = options.plugins ?? listPluginNames(library);
  const templates = linkedTemplates(library);
  const prefixes = new Map(names.map((name) => [name, pluginPrefix(library, name)]));
  // The history is read by git while the plugins' files are checked here.
  const subtreesRead = subtreeStatuses(library, prefixes);
  // Its failure is awaited below; until then it must not count as unhandled.
  subtreesRead.catch(() => undefined);
  const ctx = options.ctx ?? defaultRequirementContext();
  const locals: LocalCheck[] = [];
  for (const name of names) {
    locals.push(checkPluginFiles(library, name, templates, ctx));
    options.onProgress?.(locals.length, names.length);
    // Lets git's output drain, or it would wait on a full pipe until the last plugin.
    if (locals.length % YIELD_EVERY === 0) await setImmediate();
  }
  const subtrees = await subtreesRead;
  const rows = locals.map((local) => pluginRow(local, subtrees.get(local.name)));
  return {
    version: 1,
    library: library.root,
    environment: sandboxFindings(),
    summary: {
      plugins: rows.length,
      ok: rows.filter((r) => r.status === 'ok').length,
      warnings: rows.filter((r) => r.status === 'warning').length,
      errors: rows.filter((r) => r.status === 'error').length,
    },
    plugins: rows,
  };
}
