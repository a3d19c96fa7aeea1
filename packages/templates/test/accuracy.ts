/**
 * Grouping accuracy as logparser's evaluator computes it: a line counts when the lines of its mined group are
 * exactly the lines of its ground-truth group.
 */
export function groupingAccuracy(mined: readonly string[], truth: readonly string[]): number {
  const minedGroups = groupLines(mined);
  const truthSizes = new Map<string, number>();
  for (const t of truth) truthSizes.set(t, (truthSizes.get(t) ?? 0) + 1);
  let correct = 0;
  for (const lines of minedGroups.values()) {
    const events = new Set(lines.map((i) => truth[i]));
    if (events.size === 1 && truthSizes.get(truth[lines[0]!]!) === lines.length) correct += lines.length;
  }
  return correct / mined.length;
}

/** Parsing accuracy: the share of lines whose mined template equals the ground truth's, both normalised. */
export function parsingAccuracy(mined: readonly string[], truth: readonly string[]): number {
  let correct = 0;
  for (let i = 0; i < mined.length; i++) if (normaliseTemplate(mined[i]!) === normaliseTemplate(truth[i]!)) correct++;
  return correct / mined.length;
}

/** One space between tokens, and a run of wildcards (adjacent or blank-separated) as one. */
export function normaliseTemplate(template: string): string {
  return template
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/<\*>(?:\s*<\*>)+/g, '<*>');
}

function groupLines(keys: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  keys.forEach((k, i) => {
    let g = groups.get(k);
    if (g === undefined) {
      g = [];
      groups.set(k, g);
    }
    g.push(i);
  });
  return groups;
}
