import type { Manifest } from '../../../orchestrator/library/manifest.ts';
import type { PluginFiles } from './plugin-files.ts';

/** A thrown error as the host reports it: its type (the error's name, Python's class) and message. */
export interface ThrownError {
  type: string;
  message: string;
}

export interface RegressionTestArgs {
  /** The plugin's directory: a working copy, or the plugin in the library. */
  dir: string;
  manifest: Manifest;
  /** The production call's input, as captured and scrubbed (the reproduction's). */
  input: unknown;
  /** The production error, which the test fails with until the defect is fixed. */
  error: ThrownError;
  /** The error group's id: it names the file and the test. */
  group: string;
  /** For a fix that refuses the call: the contract error the test then expects, exactly. */
  refusal?: ThrownError;
  /**
   * The plugin's variables as the reproduction ran with them (`pluginUnderFix(…).env`).
   * Only the manifest's variables are written, and a secret one only as steward's
   * placeholder, whatever value is passed.
   */
  env?: Record<string, string>;
}

export interface RegressionTest {
  /** Plugin-relative, "/"-separated. */
  path: string;
  text: string;
  /** 'node --test', 'unittest' or 'pytest'. */
  runner: string;
  /** The test's own name: the last part (after " > ") of the name the suite's results give it. */
  name: string;
  /**
   * When the test command names its test files one by one, so that a new file would not
   * run: the named file that now loads this test, with its whole new text (one line added).
   */
  hook?: { path: string; text: string };
}

/** A test that can be written, or why none can: the style cannot be told, or would not run. */
export type RegressionTestPlan = { ok: true; test: RegressionTest } | { ok: false; reason: string };

/** What a style's planner is given. */
export interface StyleInput {
  files: PluginFiles;
  manifest: Manifest;
  args: RegressionTestArgs;
  /** The group's short id, for names. */
  short: string;
  /** The variables the call gets, placeholders for secrets. */
  env: Record<string, string>;
  /** One line naming the group and the production error, without a comment marker. */
  header: string;
}
