import type { LogCluster } from './log-cluster.js';
import { WILDCARD } from './masking.js';

/** Whether a template token is a variable: the wildcard, or wildcards with punctuation only (`(<*>)`, `<<*>`). */
function isVariableToken(token: string): boolean {
  if (!token.includes(WILDCARD)) return false;
  const rest = token.replaceAll(WILDCARD, '');
  return !/[\p{L}]/u.test(rest);
}

/**
 * Whether a token repeats the constant before it as one more item of a list of values (`delete blk_<*>
 * blk_<*> blk_<*>`): a list of any length is one variable, so its repeats are not constants of their own.
 */
function isListRepeat(token: string, previousConstant: string | undefined): boolean {
  return token === previousConstant && token.includes(WILDCARD);
}

/** The constant tokens of a template, in order: clusters with the same constants are one event. */
function constantSignature(tokens: readonly string[]): string {
  let sig = '';
  let previous: string | undefined;
  for (const t of tokens) {
    if (isVariableToken(t) || isListRepeat(t, previous)) continue;
    sig += `${t}\u0001`;
    previous = t;
  }
  return sig;
}

/**
 * Events: clusters whose templates have the same constant tokens in the same order, differing only in how
 * many tokens their variables span (`lifetime 00:01` and `lifetime <1 sec`, a size written with or without
 * its `(1.2 KB)`), are one event with one template. Clusters stay split by token count for speed and for
 * per-position parameters; the event is what users see and what ids name.
 */
export class TemplateEvents {
  private readonly bySignature = new Map<string, Set<LogCluster>>();
  private readonly signatureOf = new Map<LogCluster, string>();
  private readonly templateCache = new Map<string, string>();

  /** Files a cluster, or refiles it after its template changed. */
  update(cluster: LogCluster): void {
    const sig = constantSignature(cluster.tokens);
    const old = this.signatureOf.get(cluster);
    if (old === sig) {
      this.templateCache.delete(sig);
      return;
    }
    if (old !== undefined) this.remove(cluster);
    this.signatureOf.set(cluster, sig);
    let set = this.bySignature.get(sig);
    if (set === undefined) {
      set = new Set();
      this.bySignature.set(sig, set);
    }
    set.add(cluster);
    this.templateCache.delete(sig);
  }

  remove(cluster: LogCluster): void {
    const sig = this.signatureOf.get(cluster);
    if (sig === undefined) return;
    this.signatureOf.delete(cluster);
    const set = this.bySignature.get(sig)!;
    set.delete(cluster);
    if (set.size === 0) this.bySignature.delete(sig);
    this.templateCache.delete(sig);
  }

  /** The event key of a cluster (clusters with equal keys are one event). */
  keyOf(cluster: LogCluster): string {
    // An evicted cluster belongs to no event any more: it keeps a key of its own.
    return this.signatureOf.get(cluster) ?? `\u0002${cluster.id}`;
  }

  /** All events: their key and member clusters. */
  *events(): IterableIterator<[string, ReadonlySet<LogCluster>]> {
    yield* this.bySignature;
  }

  /** The template text of a cluster's event. */
  templateOf(cluster: LogCluster): string {
    const sig = this.signatureOf.get(cluster);
    if (sig === undefined) return cluster.tokens.join(' ');
    let text = this.templateCache.get(sig);
    if (text === undefined) {
      text = mergedTemplate(this.bySignature.get(sig)!);
      this.templateCache.set(sig, text);
    }
    return text;
  }
}

/**
 * One template for clusters that share their constants: a single cluster's own; for several, the constants
 * with one wildcard wherever any member has variables between them.
 */
function mergedTemplate(members: ReadonlySet<LogCluster>): string {
  if (members.size === 1) return [...members][0]!.tokens.join(' ');
  let gaps: boolean[] | undefined;
  let constants: string[] = [];
  for (const c of members) {
    const mine: boolean[] = [false];
    const consts: string[] = [];
    for (const t of c.tokens) {
      if (isVariableToken(t)) mine[consts.length] = true;
      else if (isListRepeat(t, consts.at(-1))) continue;
      else {
        consts.push(t);
        mine.push(false);
      }
    }
    if (gaps === undefined) {
      gaps = mine;
      constants = consts;
    } else for (let i = 0; i < gaps.length; i++) gaps[i] ||= mine[i]!;
  }
  const out: string[] = [];
  for (let i = 0; i <= constants.length; i++) {
    if (gaps![i]) out.push(WILDCARD);
    if (i < constants.length) out.push(constants[i]!);
  }
  return out.join(' ');
}
