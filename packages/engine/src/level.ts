// `@esc/engine/level`: the engine behind abstract-level, apart from the main entry so that
// `import { open } from '@esc/engine'` never loads abstract-level and its dependencies.
export { EscLevel, type EscLevelOptions } from './abstract-level-adapter.js';
