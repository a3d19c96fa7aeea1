export type { Bytes } from './key-compare.js';
export {
  ConfigSchema,
  PartialConfigSchema,
  loadConfigFile,
  configFromFlags,
  resolveConfig,
  type Config,
} from './config.js';
export {
  open,
  Engine,
  EngineClosedError,
  type BatchOp,
  type WriteOptions,
} from './engine.js';
export type { EngineStats } from './engine-stats.js';
export type { VerifyReport } from './engine-verify.js';
export type { SegmentInfo } from './segment-meta.js';
export type { RangeOptions, EngineIterator } from './engine-iterator.js';
export { openSegmentReader, type SegmentReaderHandle } from './segment-file-handle.js';
export type { VerifyProblem } from './segment-verify.js';
export { EngineLockedError } from './dir-lock.js';
export { theoreticalFpRate } from './bloom-filter.js';
export { CorruptionError } from '@esc/core';
