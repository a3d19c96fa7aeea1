import type { EngineStats } from '../engine-stats.js';
import { escapeXml, renderEngineSvg } from './svg-renderer.js';
import type { PictureOptions } from './segment-picture.js';

/**
 * The SVG picture in a self-contained HTML page (no scripts, no external files) that any browser opens.
 * The page is also well-formed XML, so the same checker that validates the SVG validates it.
 */
export function renderEngineHtml(stats: EngineStats, options: PictureOptions = {}): string {
  const svg = renderEngineSvg(stats, options).replace(/^<\?xml[^>]*\?>\n/, '');
  const title = escapeXml(`esc engine · ${stats.dir}`);
  return (
    `<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n<head>\n<meta charset="utf-8"/>\n<title>${title}</title>\n` +
    `<style>body{margin:0;background:#f1f3f5;display:flex;justify-content:center}svg{margin:16px;box-shadow:0 1px 4px #0002;max-width:100%;height:auto}</style>\n` +
    `</head>\n<body>\n${svg}</body>\n</html>\n`
  );
}
