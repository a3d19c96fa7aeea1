import { compare, coversTemplate, generalise, type LogCluster, resolveCluster } from './log-cluster.js';
import { Masker, WILDCARD } from './masking.js';
import { DEFAULT_MINER_OPTIONS, type MinerOptions } from './miner-options.js';
import type { MinerState } from './miner-state.js';
import { ParseTree } from './parse-tree.js';
import { TemplateEvents } from './template-events.js';
import { templateId } from './template-id.js';

/** One mined template, as reported. */
export interface MinedTemplate {
  id: string;
  template: string;
  count: number;
  /** The first line seen of this template. */
  sample: string;
}

/** What a line turned out to be. */
export interface LineTemplate {
  templateId: string;
  template: string;
  /** The values the wildcards stand for, in order. */
  params: string[];
}

// Lines are split on runs of blanks; the template joins its tokens with one space.
const BLANKS = /\s+/;

/**
 * The online template miner (Drain's parse tree with default masks, grouped into events by constant tokens,
 * see docs/templates.md): `add` learns from one line at a time and never looks back, so it runs on endless
 * input in bounded memory (at most `maxClusters` clusters, least recently used evicted first).
 * It knows nothing of files or formats: it is given the message part of each line.
 */
export class TemplateMiner {
  readonly options: MinerOptions;
  readonly masker: Masker;
  private readonly tree: ParseTree;
  private readonly events = new TemplateEvents();
  /** Live clusters in least-recently-used-first order (a Map keeps insertion order; a hit re-inserts). */
  private readonly lru = new Map<number, LogCluster>();
  private nextId = 1;
  private mostRecent: LogCluster | undefined;
  private lastContent = '';
  private lastMasked = '';
  private readonly ids = new Map<string, string>();
  /** Lines already seen, masked, to their cluster: most lines of a log repeat a masked shape exactly. */
  private readonly seen = new Map<string, LogCluster>();

  constructor(options: Partial<MinerOptions> = {}) {
    this.options = { ...DEFAULT_MINER_OPTIONS, ...options };
    this.masker = new Masker(this.options.masks);
    this.tree = new ParseTree(this.options.prefixTokens, this.options.maxChildren);
  }

  /**
   * Learns from one line (its message); returns the cluster it joined, a handle for `describe`. `weight` is how
   * many lines this one stands for (a sampler that mines one message in N passes N): the cluster counts it so.
   */
  add(content: string, weight = 1): LogCluster {
    const cluster = this.addOne(content);
    if (weight !== 1) resolveCluster(cluster).count += weight - 1;
    return cluster;
  }

  private addOne(content: string): LogCluster {
    const masked = this.masker.mask(content);
    this.lastContent = content;
    this.lastMasked = masked;
    const known = this.known(masked);
    if (known !== undefined) {
      known.count++;
      this.touch(known);
      return known;
    }
    const tokens = tokenize(masked);
    const { best, blocked } = this.search(tokens);
    if (best === undefined) {
      const created = this.create(tokens, content, masked);
      if (blocked.length + 1 >= this.options.foldAt) return this.absorbCovered(this.fold([...blocked, created]));
      return created;
    }
    best.count++;
    this.remember(masked, best);
    if (generalise(best.tokens, tokens)) {
      this.events.update(best);
      return this.absorbCovered(best);
    }
    this.touch(best);
    return best;
  }

  /** The cluster a line would join, without learning from it (undefined when none is alike enough). */
  match(content: string): LogCluster | undefined {
    const masked = this.masker.mask(content);
    return this.known(masked) ?? this.search(tokenize(masked)).best;
  }

  /** A line's template, id and parameters, given the cluster `add` or `match` returned for it. */
  describe(content: string, handle: LogCluster): LineTemplate {
    const cluster = resolveCluster(handle);
    const template = this.events.templateOf(cluster);
    let id = this.ids.get(template);
    if (id === undefined) {
      // A hash per line would cost more than mining it: ids are kept per template text (bounded like `seen`).
      if (this.ids.size >= 4 * this.options.maxClusters) this.ids.clear();
      id = templateId(template);
      this.ids.set(template, id);
    }
    return { templateId: id, template, params: this.params(content, cluster) };
  }

  /** The template of a cluster's event (clusters of one event share it). */
  templateOf(cluster: LogCluster): string {
    return this.events.templateOf(resolveCluster(cluster));
  }

  /** A key equal for clusters of the same event. */
  eventKey(cluster: LogCluster): string {
    return this.events.keyOf(resolveCluster(cluster));
  }

  /** Every template mined so far, most frequent first (ties by template text). */
  templates(): MinedTemplate[] {
    const out: MinedTemplate[] = [];
    for (const [, members] of this.events.events()) {
      let count = 0;
      let first: LogCluster | undefined;
      for (const c of members) {
        count += c.count;
        if (first === undefined || c.id < first.id) first = c;
      }
      const template = this.events.templateOf(first!);
      out.push({ id: templateId(template), template, count, sample: first!.sample });
    }
    return out.sort((a, b) => b.count - a.count || (a.template < b.template ? -1 : a.template > b.template ? 1 : 0));
  }

  /** The miner as plain data (validate it with `minerStateSchema` when reading it back). */
  toState(): MinerState {
    const { similarity, prefixTokens, maxChildren, maxClusters, foldAt, masks } = this.options;
    return {
      version: 1,
      options: { similarity, prefixTokens, maxChildren, maxClusters, foldAt, masks: masks.map((m) => ({ ...m })) },
      nextClusterId: this.nextId,
      clusters: [...this.lru.values()].map(({ id, tokens, count, sample }) => ({ id, tokens, count, sample })),
    };
  }

  /** A miner that continues where `toState` left off (its options, clusters and their recency). */
  static fromState(state: MinerState): TemplateMiner {
    const miner = new TemplateMiner(state.options);
    for (const c of state.clusters) miner.insert({ ...c, tokens: [...c.tokens], evicted: false });
    miner.nextId = Math.max(miner.nextId, state.nextClusterId);
    return miner;
  }

  /**
   * The most similar cluster a line may join (ties to the more general template, Drain's rule), and the
   * largest set of clusters it may not join only because one word differs, at the same place for all.
   */
  private search(tokens: readonly string[]): { best: LogCluster | undefined; blocked: LogCluster[] } {
    let best: LogCluster | undefined;
    let bestSim = -1;
    let bestWild = -1;
    let blockedAt: Map<number, LogCluster[]> | undefined;
    const threshold = this.options.similarity;
    for (const c of this.tree.candidates(tokens)) {
      const { similarity, wordConflict, onlyMiss } = compare(c.tokens, tokens, threshold);
      if (similarity < 0) continue;
      if (wordConflict) {
        // Only clusters that differ in that one word are evidence that it is a value: `from NEW to
        // UNASSIGNED` and `from ASSIGNED to RUNNING` differ in two and stay apart.
        if (onlyMiss >= 0) {
          blockedAt ??= new Map();
          const group = blockedAt.get(onlyMiss);
          if (group === undefined) blockedAt.set(onlyMiss, [c]);
          else group.push(c);
        }
        continue;
      }
      if (similarity < bestSim) continue;
      const wild = wildcards(c.tokens);
      if (similarity > bestSim || wild > bestWild) {
        best = c;
        bestSim = similarity;
        bestWild = wild;
      }
    }
    let blocked: LogCluster[] = [];
    for (const group of blockedAt?.values() ?? []) if (group.length > blocked.length) blocked = group;
    return { best, blocked };
  }

  /**
   * Folds clusters that differ only where a word stands into the oldest of them: `foldAt` alike clusters
   * mean the word is a value (user names), fewer are kept apart as constants (`VM Started`, `VM Paused`).
   */
  private fold(group: LogCluster[]): LogCluster {
    group.sort((a, b) => a.id - b.id);
    const survivor = group[0]!;
    for (const other of group.slice(1)) {
      generalise(survivor.tokens, other.tokens);
      survivor.count += other.count;
      this.lru.delete(other.id);
      this.tree.remove(other);
      this.events.remove(other);
      other.mergedInto = survivor;
    }
    this.events.update(survivor);
    this.touch(survivor);
    return survivor;
  }

  /**
   * After a template widened: clusters of its leaf that it now covers are folded into it, so that a word
   * cluster made before the position proved variable (`user admin` beside `user <*>`) does not stay apart.
   */
  private absorbCovered(cluster: LogCluster): LogCluster {
    const covered = this.tree
      .leafMates(cluster)
      .filter((c) => c !== cluster && coversTemplate(cluster.tokens, c.tokens));
    if (covered.length === 0) {
      this.touch(cluster);
      return cluster;
    }
    return this.fold([cluster, ...covered]);
  }

  private known(masked: string): LogCluster | undefined {
    const hit = this.seen.get(masked);
    if (hit === undefined) return undefined;
    const cluster = resolveCluster(hit);
    return cluster.evicted ? undefined : cluster;
  }

  private create(tokens: string[], content: string, masked: string): LogCluster {
    const cluster: LogCluster = { id: this.nextId++, tokens, count: 1, sample: content, evicted: false };
    this.insert(cluster);
    this.remember(masked, cluster);
    return cluster;
  }

  private insert(cluster: LogCluster): void {
    if (this.lru.size >= this.options.maxClusters) this.evictOldest();
    this.lru.set(cluster.id, cluster);
    this.mostRecent = cluster;
    this.tree.add(cluster);
    this.events.update(cluster);
  }

  private evictOldest(): void {
    const oldest = this.lru.values().next().value as LogCluster;
    this.lru.delete(oldest.id);
    if (oldest === this.mostRecent) this.mostRecent = undefined;
    this.tree.remove(oldest);
    this.events.remove(oldest);
    oldest.evicted = true;
  }

  private touch(cluster: LogCluster): void {
    // Runs of one template are common: the most recent cluster needs no move.
    if (cluster === this.mostRecent) return;
    this.mostRecent = cluster;
    this.lru.delete(cluster.id);
    this.lru.set(cluster.id, cluster);
  }

  private remember(masked: string, cluster: LogCluster): void {
    // Bounded like the clusters: forgetting costs a tree search, never a wrong answer.
    if (this.seen.size >= 4 * this.options.maxClusters) this.seen.clear();
    this.seen.set(masked, cluster);
  }

  /**
   * The values behind the cluster template's wildcards: a whole token where the template has `<*>`, the
   * masked parts where it keeps a partly masked token (`blk_<*>` gives the block number).
   */
  private params(content: string, cluster: LogCluster): string[] {
    const parts = this.masker.maskedParts(content);
    // describe() right after add() of the same line (the per-line path) reuses its masking.
    const tokens = tokenize(content === this.lastContent ? this.lastMasked : this.masker.mask(content));
    const template = cluster.tokens;
    const params: string[] = [];
    let k = 0;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      let original = token;
      let partCount = 0;
      if (token.includes(WILDCARD)) {
        const pieces = token.split(WILDCARD);
        original = pieces[0]!;
        for (let p = 1; p < pieces.length; p++) original += (parts[k + partCount++] ?? WILDCARD) + pieces[p]!;
      }
      if (template[i] === WILDCARD) params.push(original);
      else for (let p = 0; p < partCount; p++) params.push(parts[k + p] ?? '');
      k += partCount;
    }
    return params;
  }
}

function tokenize(masked: string): string[] {
  const tokens = masked.split(BLANKS);
  // split leaves an empty token for leading or trailing blanks.
  if (tokens.length > 0 && tokens[0] === '') tokens.shift();
  if (tokens.length > 0 && tokens[tokens.length - 1] === '') tokens.pop();
  return tokens;
}

function wildcards(tokens: readonly string[]): number {
  let n = 0;
  for (const t of tokens) if (t === WILDCARD) n++;
  return n;
}
