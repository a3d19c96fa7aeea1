export { ExitCode } from './exit-codes.js';
export {
  EscError,
  UsageError,
  FileAccessError,
  CorruptionError,
  InvalidInputError,
  BrokenPipeError,
  describeFsError,
  isErrno,
  type ErrorLocation,
} from './errors.js';
export { shouldColor, parseColorMode, createPalette, COLOR_MODES, type ColorMode } from './color.js';
export { BufferedOutput, type BufferedOutputOptions } from './buffered-output.js';
export { unfinishedUtf8Tail } from './utf8-replacer.js';
export {
  openInput,
  readChunks,
  readLines,
  stripCr,
  hasBinaryData,
  countNewlines,
  STDIN_NAME,
  DEFAULT_CHUNK_SIZE,
  type InputSource,
  type ReadChunksOptions,
} from './line-source.js';
export { writeFileAtomicSync, fsyncDirSync, fsyncDir } from './atomic-write.js';
export { loadJsonFile, parseWithSchema } from './config-file.js';
export {
  compileUserPattern,
  enableLinearRegExpFallback,
  InvalidPatternError,
  UnsafePatternError,
  type UserPatternOptions,
} from './safe-pattern.js';
export { acquireFileLock, type FileLockOptions, type ReleaseLock } from './file-lock.js';
