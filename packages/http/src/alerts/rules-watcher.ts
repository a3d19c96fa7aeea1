import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` when the rules file is written, replaced (editors save by rename) or created. It watches the
 * directory, not the file, so a replacement is seen; events within 100 ms are one change.
 */
export class RulesWatcher {
  private readonly watcher: FSWatcher;
  private timer: NodeJS.Timeout | null = null;

  constructor(path: string, onChange: () => void) {
    const name = basename(path);
    this.watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name) return;
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = null;
        onChange();
      }, 100);
    });
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.watcher.close();
  }
}
