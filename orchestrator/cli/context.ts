import type { Command } from 'commander';
import { openLibrary, type Library } from '../library/library.ts';

/** The library the command acts on, from the global --library option. */
export function libraryFrom(command: Command): Library {
  const { library } = command.optsWithGlobals<{ library?: string }>();
  return openLibrary(library ? { library } : {});
}
