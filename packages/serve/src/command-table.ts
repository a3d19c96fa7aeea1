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

const SHORT_NAME = 12;

/** A hash of the bytes with ASCII letters lowercased. */
function foldedKey(name: Uint8Array): number {
  let key = name.length;
  for (let i = 0; i < name.length; i++) {
    let c = name[i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    key = (key * 131 + c) % 9007199254740881;
  }
  return key;
}

function sameFolded(lower: string, name: Uint8Array): boolean {
  if (lower.length !== name.length) return false;
  for (let i = 0; i < name.length; i++) {
    let c = name[i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Redis's list of what a RESP2 subscriber may still run. */
const SUBSCRIBED_MODE = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ping', 'quit', 'reset']);

/**
 * Every command the server knows, by name, from the families' specs: the one source for dispatch, the arity
 * check and COMMAND. Lookups try the name as sent first (clients send `GET` or `get`), then its lowercase.
 */
export class CommandTable {
  private readonly byName = new Map<string, TableEntry>();
  /**
   * Names up to 12 bytes by a hash of their case-folded bytes: found without making a string per request. null
   * marks a hash two names share (then the string lookup decides).
   */
  private readonly byKey = new Map<number, TableEntry | null>();
  private readonly entries: TableEntry[] = [];
  private lastFound: TableEntry | null = null;
  private readonly lastName = new Uint8Array(SHORT_NAME);
  private lastLength = -1;

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
    const bytes = Buffer.from(name, 'latin1');
    if (bytes.length <= SHORT_NAME) {
      const key = foldedKey(bytes);
      this.byKey.set(key, this.byKey.has(key) ? null : entry);
    }
  }

  lookup(name: string): TableEntry | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  /** The entry for a request's name as sent (any case); undefined when unknown. */
  lookupBytes(name: Buffer): TableEntry | undefined {
    // A pipeline mostly repeats one command: the bytes of the last name found are compared first, as sent.
    const last = this.lastName;
    if (name.length === this.lastLength && this.lastFound !== null) {
      let same = true;
      for (let i = 0; i < name.length; i++)
        if (name[i] !== last[i]) {
          same = false;
          break;
        }
      if (same) return this.lastFound;
    }
    const entry = this.findBytes(name);
    if (entry !== undefined && name.length <= SHORT_NAME) {
      this.lastFound = entry;
      this.lastName.set(name);
      this.lastLength = name.length;
    }
    return entry;
  }

  private findBytes(name: Buffer): TableEntry | undefined {
    if (name.length <= SHORT_NAME) {
      const entry = this.byKey.get(foldedKey(name));
      if (entry === undefined) return undefined;
      // A hash: a hit is confirmed byte by byte.
      if (entry !== null) return sameFolded(entry.spec.name, name) ? entry : undefined;
    }
    return this.lookup(name.toString('latin1'));
  }

  all(): readonly TableEntry[] {
    return this.entries;
  }
}
