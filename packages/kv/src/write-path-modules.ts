export { compactStore } from './compaction.js';
export { appendDurably, createJournal, openJournalForAppend, truncateTornTail } from './journal-writer.js';
export { KvTransaction } from './kv-transaction.js';
export { acquireStoreLock } from './store-lock.js';
export { writeSnapshot } from './snapshot-writer.js';
export { loadNativeCrc32 } from './crc32.js';
