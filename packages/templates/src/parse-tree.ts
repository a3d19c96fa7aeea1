import type { LogCluster } from './log-cluster.js';
import { WILDCARD } from './masking.js';

interface TreeNode {
  children: Map<string, TreeNode>;
  clusters: LogCluster[];
}

const newNode = (): TreeNode => ({ children: new Map(), clusters: [] });

/**
 * Drain's fixed-depth parse tree: a line goes down by its token count, then by its first `prefixTokens`
 * tokens, to a leaf holding the few clusters it can join. A token holding a variable (a wildcard from the
 * masks) goes to the wildcard child, as does any token once a node is full, so the tree stays bounded.
 */
export class ParseTree {
  private readonly root = new Map<number, TreeNode>();
  private readonly leafOf = new Map<LogCluster, LogCluster[]>();

  constructor(
    private readonly prefixTokens: number,
    private readonly maxChildren: number,
  ) {}

  /** The candidate clusters for a line (empty when none), without changing the tree. */
  candidates(tokens: readonly string[]): readonly LogCluster[] {
    let node = this.root.get(tokens.length);
    const depth = Math.min(this.prefixTokens, tokens.length);
    for (let i = 0; i < depth && node !== undefined; i++) {
      const token = tokens[i]!;
      node = (token.includes(WILDCARD) ? undefined : node.children.get(token)) ?? node.children.get(WILDCARD);
    }
    return node?.clusters ?? [];
  }

  /** Files a new cluster under its template's path. */
  add(cluster: LogCluster): void {
    const tokens = cluster.tokens;
    let node: TreeNode | undefined = this.root.get(tokens.length);
    if (node === undefined) {
      node = newNode();
      this.root.set(tokens.length, node);
    }
    const depth = Math.min(this.prefixTokens, tokens.length);
    for (let i = 0; i < depth; i++) {
      let key = tokens[i]!;
      if (key.includes(WILDCARD)) key = WILDCARD;
      let child: TreeNode | undefined = node.children.get(key);
      if (child === undefined) {
        // A full node sends new tokens to its wildcard child (Drain's maxChild), so one position full of
        // unmasked values cannot grow the tree without bound.
        if (key !== WILDCARD && node.children.size >= this.maxChildren - 1) key = WILDCARD;
        child = node.children.get(key);
        if (child === undefined) {
          child = newNode();
          node.children.set(key, child);
        }
      }
      node = child;
    }
    node.clusters.push(cluster);
    // The template's prefix may later widen to wildcards: the leaf is remembered, not recomputed.
    this.leafOf.set(cluster, node.clusters);
  }

  /** The clusters filed in the same leaf as `cluster` (itself included). */
  leafMates(cluster: LogCluster): readonly LogCluster[] {
    return this.leafOf.get(cluster) ?? [];
  }

  /** Removes a cluster (LRU eviction); empty nodes stay, they are cheap and likely reused. */
  remove(cluster: LogCluster): void {
    const list = this.leafOf.get(cluster);
    this.leafOf.delete(cluster);
    const i = list?.indexOf(cluster) ?? -1;
    if (i >= 0) list!.splice(i, 1);
  }
}
