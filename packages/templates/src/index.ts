// The public API of @esc/templates: the online miner, its masks and options, template ids, saved state.
export { TemplateMiner, type MinedTemplate, type LineTemplate } from './template-miner.js';
export type { LogCluster } from './log-cluster.js';
export { Masker, DEFAULT_MASKS, WILDCARD, type MaskRule } from './masking.js';
export { DEFAULT_MINER_OPTIONS, type MinerOptions } from './miner-options.js';
export { templateId } from './template-id.js';
export type { MinerState } from './miner-state.js';
