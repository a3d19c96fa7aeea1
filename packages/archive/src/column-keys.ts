import { FIELD_MARK, VARIABLE_MARK } from './line-tokenizer.js';

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

  /**
   * The column of each variable of `template` (numbered in first-seen order over the calls). With
   * `fieldMarks` (version 2), FIELD_MARK + f is a variable too, named by its field and its rank in the field
   * (`15:16:01`, three variables of field Time); otherwise FIELD_MARK is text.
   */
  columnsOf(template: string, fieldMarks: boolean): number[] {
    const columns: number[] = [];
    const ranks = new Map<string, number>();
    for (let at = 0; at < template.length; at++) {
      const c = template[at];
      let key: string;
      if (c === VARIABLE_MARK) key = template.slice(0, at);
      else if (c === FIELD_MARK && fieldMarks) {
        const field = template[++at]!;
        const rank = ranks.get(field) ?? 0;
        ranks.set(field, rank + 1);
        // A line feed, which no template text holds, keeps these keys apart from the text before a variable.
        key = `\n${field}${rank}`;
      } else continue;
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
