import { join } from 'node:path';

/** The files one store is made of, all beside each other so a rename never crosses a file system. */
export interface StoreFiles {
  /** The snapshot, the path the user names (`--store`). */
  snapshot: string;
  /** The append-only journal of changes since that snapshot. */
  journal: string;
  /** The inter-process lock (a directory, proper-lockfile's choice: mkdir is atomic everywhere). */
  lock: string;
}

export function storeFiles(path: string): StoreFiles {
  return { snapshot: path, journal: `${path}.journal`, lock: `${path}.lock` };
}

/**
 * Where `esc kv` keeps its store when neither `--store` nor `$ESC_KV_STORE` names one: per user, in the XDG data
 * directory (`$XDG_DATA_HOME/esc/kv.json`, else `~/.local/share/esc/kv.json`). node:os is read only here, when
 * needed, so a get with --store never loads it.
 */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ESC_KV_STORE) return env.ESC_KV_STORE;
  const dataHome = env.XDG_DATA_HOME?.startsWith('/')
    ? env.XDG_DATA_HOME
    : join(process.getBuiltinModule('node:os').homedir(), '.local', 'share');
  return join(dataHome, 'esc', 'kv.json');
}
