import type { CommandSpec, Subcommand } from './command-spec.js';

/** A spec with what the dispatcher checks on every call, read once. */
export interface TableEntry {
  readonly spec: CommandSpec;
  readonly noAuth: boolean;
  /** Allowed to a RESP2 client in Pub/Sub mode. */
  readonly inSubscribedMode: boolean;
  /** A container's subcommands by lowercase name; null for a plain command. */
  readonly subcommands: ReadonlyMap<string, Subcommand> | null;
  /** Counted by INFO commandstats-like figures. */
  calls: number;
}

/** Redis's list of what a RESP2 subscriber may still run. */
const SUBSCRIBED_MODE = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ping', 'quit', 'reset']);

/**
 * Every command the server knows, by name, from the families' specs: the one source for dispatch, the arity
 * check and COMMAND. Lookups try the name as sent first (clients send `GET` or `get`), then its lowercase.
 */
export class CommandTable {
  private readonly byName = new Map<string, TableEntry>();
  private readonly entries: TableEntry[] = [];

  add(spec: CommandSpec): void {
    const name = spec.name.toLowerCase();
    if (this.byName.has(name)) throw new Error(`command '${name}' is defined twice`);
    const entry: TableEntry = {
      spec,
      noAuth: spec.flags.includes('no_auth'),
      inSubscribedMode: SUBSCRIBED_MODE.has(name),
      subcommands: spec.subcommands ? new Map(Object.entries(spec.subcommands)) : null,
      calls: 0,
    };
    this.entries.push(entry);
    this.byName.set(name, entry);
    this.byName.set(name.toUpperCase(), entry);
  }

  lookup(name: string): TableEntry | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  all(): readonly TableEntry[] {
    return this.entries;
  }
}
