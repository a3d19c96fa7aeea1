export {};
// logread and logtail
export { logread, type LogreadOptions, type OutputSink } from './logread.js';
export { logtail, printTail, type LogtailOptions, type TailSink, type TailedInput } from './logtail.js';
export { parseCount, type TailCount } from './byte-size.js';
export { findTailStart } from './backward-reader.js';
export { TailRing } from './tail-ring.js';
export type { FollowMode } from './file-follower.js';
export type { HeaderMode } from './file-headers.js';
