export { renderEngineSvg } from './svg-renderer.js';
export { renderEngineHtml } from './html-page.js';
export { renderEngineText, type TextPalette } from './terminal-renderer.js';
export { describeEngine, keyAxis, type EnginePicture, type PictureOptions } from './segment-picture.js';
