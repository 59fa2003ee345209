import { messageOf } from '../../../orchestrator/core/errors.ts';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LibraryConfig } from '../../../orchestrator/library/config.ts';
import { scrubText } from '../../../orchestrator/ingest/scrub.ts';
import { runSandboxed } from '../../../orchestrator/sandbox/run.ts';
import { buildPrompt } from '../llm/prompt.ts';
import type { Candidate, FixRequest, Fixer } from '../types.ts';
import { Workspace } from '../workspace.ts';

export type CommandSettings = NonNullable<LibraryConfig['command']>;

/** Linux refuses a single argument longer than this (MAX_ARG_STRLEN). */
const MAX_ARG = 128 * 1024 - 1;

/**
 * A headless coding-agent CLI (Gemini CLI, Claude Code, Codex, Aider) run in a
 * sandboxed scratch copy of the plugin with the built prompt. What it leaves changed
 * is one candidate for `validate`, which alone decides whether it counts. Its sandbox
 * is the only one that may reach the network, and it sees no environment variable
 * but those the config names.
 */
export class CommandFixer implements Fixer {
  readonly name = 'command';

  /**
   * @param forbidden values that must never reach the CLI whatever variable holds them
   *   (the tracker's token): a named variable that holds one stops the fixer.
   */
  constructor(
    private readonly settings: CommandSettings,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly forbidden: string[] = [],
  ) {}

  async propose(request: FixRequest): Promise<Candidate[]> {
    const { system, user } = buildPrompt(request, 'files');
    const prompt = `${system}\n\n${user}\n`;
    const given = Object.fromEntries(this.settings.env.flatMap((name) => (this.env[name] === undefined ? [] : [[name, this.env[name]!]])));
    const leaking = Object.entries(given).find(([, value]) => this.forbidden.includes(value));
    if (leaking) {
      request.emit('fixer-stopped', { fixer: this.name, why: `command.env names ${leaking[0]}, which holds the tracker's token: it never reaches a sandbox` });
      return [];
    }
    // What steward keeps of the CLI's output is scrubbed as events are: the given values and anything secret-shaped.
    const redact = (text: string): string => scrubText(text, Object.values(given));
    // The prompt file is visible at its own path, so it is found whichever sandbox backend runs.
    const promptDir = mkdtempSync(join(tmpdir(), 'steward-prompt-'));
    // Readable by the sandbox's own uid (an unprivileged one when steward runs as root).
    chmodSync(promptDir, 0o755);
    const promptFile = join(promptDir, 'prompt.md');
    const argv = this.settings.argv.map((arg) => arg.replaceAll('{promptFile}', promptFile).replaceAll('{prompt}', prompt));
    const viaStdin = !this.settings.argv.some((arg) => arg.includes('{prompt}') || arg.includes('{promptFile}'));
    const tooLong = argv.find((arg) => Buffer.byteLength(arg) > MAX_ARG);
    if (tooLong) {
      rmSync(promptDir, { recursive: true, force: true });
      request.emit('fixer-stopped', { fixer: this.name, why: `the prompt (${Buffer.byteLength(tooLong)} bytes) is too long for an argument: use "{promptFile}" or stdin` });
      return [];
    }
    const ws = new Workspace(request.dir, request.manifest.limits?.diskMb);
    try {
      writeFileSync(promptFile, prompt);
      // The playbook may shorten the CLI's time, never lengthen it past the config's.
      const wallSeconds = Math.min(request.budget.wallSeconds ?? Infinity, this.settings.wallSeconds);
      const result = await runSandboxed({
        argv,
        cwd: ws.dir,
        env: given,
        timeoutMs: wallSeconds * 1000,
        memoryMb: this.settings.memoryMb,
        maxProcesses: 512,
        network: this.settings.network,
        readOnlyBinds: [{ source: promptDir, target: promptDir }, ...this.settings.binds.map((path) => ({ source: path, target: path }))],
        ...(viaStdin ? { stdin: prompt } : {}),
        signal: request.signal,
        // Network and the named variables are only safe inside bubblewrap's namespaces:
        // without it the CLI would see the host, steward's environment included.
        backend: 'bubblewrap',
      });
      const said = redact(result.stdout).trim();
      const changed = ws.stats().map((s) => s.path);
      request.emit('command-finished', {
        argv0: this.settings.argv[0],
        status: result.status,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        wallSeconds,
        network: result.isolation.network,
        changedFiles: changed,
        stdoutTail: said.slice(-2000),
        stderrTail: redact(result.stderr).trim().slice(-2000),
        ...(result.reason ? { reason: result.reason } : {}),
      });
      if (result.status !== 'ok') {
        request.emit('fixer-stopped', {
          fixer: this.name,
          why: `${this.settings.argv[0]} ended ${result.status}${result.exitCode !== null ? ` (exit ${result.exitCode})` : ''}${result.reason ? `: ${result.reason}` : ''}; its changes are not used`,
        });
        return [];
      }
      if (changed.length === 0) {
        request.emit('fixer-stopped', { fixer: this.name, why: `${this.settings.argv[0]} changed no file` });
        return [];
      }
      const files: Record<string, string | null> = {};
      for (const path of changed) {
        try {
          files[path] = ws.exists(path) ? ws.read(path) : null;
        } catch (error) {
          request.emit('fixer-stopped', { fixer: this.name, why: `${this.settings.argv[0]} left ${path} as something steward does not propose: ${messageOf(error)}` });
          return [];
        }
      }
      const secret = Object.entries(given).find(([, value]) => value.length >= 4 && Object.values(files).some((text) => text?.includes(value)));
      if (secret) {
        request.emit('fixer-stopped', { fixer: this.name, why: `${this.settings.argv[0]} left the value of ${secret[0]} in a file; nothing of it is proposed` });
        return [];
      }
      const paragraph =
        said
          .split(/\n\s*\n/)
          .at(-1)
          ?.trim()
          .slice(0, 1200) ?? '';
      return [
        {
          fixer: this.name,
          files,
          rationale: paragraph ? `${paragraph}\n\n(by ${this.settings.argv[0]}, a coding-agent CLI)` : `the change ${this.settings.argv[0]} left (it said nothing about it)`,
        },
      ];
    } finally {
      ws.dispose();
      rmSync(promptDir, { recursive: true, force: true });
    }
  }
}
