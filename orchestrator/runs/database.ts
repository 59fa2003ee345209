import { join } from 'node:path';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { StewardError } from '../core/errors.ts';
import type { Library } from '../library/library.ts';
import { SqliteRunStore } from './sqlite-store.ts';
import type { RunStore } from './types.ts';

/** The state database: run sessions and the agent graphs' checkpoints, side by side. */
export function stateDatabase(library: Library): string {
  return join(library.paths.state, 'state.db');
}

function refusePostgres(env: NodeJS.ProcessEnv): void {
  // Quietly using SQLite would split a fleet's runs across machines without a word.
  if (env.DATABASE_URL) {
    throw new StewardError('E_NOT_BUILT', 'DATABASE_URL is set, but the Postgres state store is not built yet', {
      hint: 'unset DATABASE_URL to keep run sessions in the SQLite state database under the state dir',
    });
  }
}

export function openRunStore(library: Library, env: NodeJS.ProcessEnv = process.env): RunStore {
  refusePostgres(env);
  return new SqliteRunStore(stateDatabase(library));
}

/** LangGraph's checkpointer on the same database; the thread id of a run is its id. */
export function openCheckpointer(library: Library, env: NodeJS.ProcessEnv = process.env): SqliteSaver {
  refusePostgres(env);
  openRunStore(library, env).close(); // creates the directory and the WAL mode first
  return SqliteSaver.fromConnString(stateDatabase(library));
}
