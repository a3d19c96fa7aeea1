import { VARIABLE_MARK } from './line-tokenizer.js';

/**
 * Which column each variable of each template goes to. A variable's column is named by the template text
 * before it, so templates that begin alike share their leading columns: the timestamps, process ids and
 * hosts of a header are one column across every template of the block (in line order, where deltas are
 * small), while variables after the text where templates part stay apart. The encoder and the decoder both
 * derive the columns from the template table, so the format stores no mapping.
 */
export class ColumnKeys {
  private readonly byKey = new Map<string, number>();

  get count(): number {
    return this.byKey.size;
  }

  /** The column of each variable of `template` (numbered in first-seen order over the calls). */
  columnsOf(template: string): number[] {
    const columns: number[] = [];
    for (let at = template.indexOf(VARIABLE_MARK); at !== -1; at = template.indexOf(VARIABLE_MARK, at + 1)) {
      const key = template.slice(0, at);
      let column = this.byKey.get(key);
      if (column === undefined) {
        column = this.byKey.size;
        this.byKey.set(key, column);
      }
      columns.push(column);
    }
    return columns;
  }
}
