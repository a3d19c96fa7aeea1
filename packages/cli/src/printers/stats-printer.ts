import type { StatsReport } from '@esc/parser';

/** The colours the report uses; core's createPalette() (chalk) fits, and a no-op palette prints plain text. */
export interface Palette {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

const BAR_WIDTH = 40;
// 1,234,567 (toLocaleString would load ICU's number formatting: tens of milliseconds for one report).
const num = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const pctText = (p: number) => `${p.toFixed(2)}%`;

/** `1d 15h 12m 3s` */
function humanSpan(seconds: number): string {
  const parts: string[] = [];
  let s = Math.round(seconds);
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s}s`);
  return parts.join(' ');
}

function rate(r: number): string {
  return r >= 100 ? num(Math.round(r)) : r >= 1 ? r.toFixed(2) : r.toPrecision(3);
}

function levelColour(p: Palette, level: string): (s: string) => string {
  if (level === 'WARN') return p.yellow;
  if (['ERROR', 'FATAL', 'CRIT', 'SEVERE', 'EMERG', 'ALERT'].includes(level)) return p.red;
  return p.green;
}

// A template is text from the log: control characters from binary input would drive the terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it escapes
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
const printable = (text: string) => text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** The text report of `esc parse --stats`, for a terminal or a pipe (colour only through `palette`). */
export function renderStatsReport(report: StatsReport, palette: Palette): string {
  const p = palette;
  const out: string[] = [];
  const l = report.lines;
  out.push(p.bold(`${report.source}`) + p.dim(` (format ${report.format})`));
  out.push('');
  out.push(
    `${p.bold('Lines')}        ${num(l.read)} read · ${num(l.parsed)} parsed · ${num(l.malformed)} malformed · ${num(l.invalidTimestamps)} invalid timestamps`,
  );
  if (l.filteredOut > 0)
    out.push(`${p.bold('Selected')}     ${num(report.events)} events (${num(l.filteredOut)} filtered out)`);
  const t = report.time;
  if (t.first !== null && t.last !== null && t.spanSeconds !== null) {
    out.push(
      `${p.bold('Time')}         ${t.first} → ${t.last} (span ${humanSpan(t.spanSeconds)} = ${num(t.spanSeconds)} s)`,
    );
    const r = report.rate;
    out.push(
      `${p.bold('Rate')}         ${rate(r.eventsPerSecond!)} events/s (${num(r.eventsWithTimestamp)} events with a timestamp ÷ ${num(r.denominatorSeconds!)} s span)`,
    );
    if (r.peakSecond && r.peakMinute)
      out.push(
        `${p.bold('Peak')}         ${num(r.peakSecond.events)} events in second ${r.peakSecond.at} · ${num(r.peakMinute.events)} in minute ${r.peakMinute.at}`,
      );
  } else out.push(`${p.bold('Time')}         no timestamps`);

  if (report.levels.length > 0) {
    out.push('', p.bold('Levels'));
    const max = Math.max(...report.levels.map((x) => x.count));
    const w = Math.max(...report.levels.map((x) => x.level.length));
    const cw = Math.max(...report.levels.map((x) => num(x.count).length));
    for (const x of report.levels) {
      const bar = '█'.repeat(Math.max(1, Math.round((x.count / max) * 30)));
      out.push(
        `  ${levelColour(p, x.level)(x.level.padEnd(w))}  ${num(x.count).padStart(cw)}  ${pctText(x.percent).padStart(7)}  ${levelColour(p, x.level)(bar)}`,
      );
    }
  }
  if (report.topComponents.length > 0) {
    out.push('', p.bold('Top components'));
    const cw = Math.max(...report.topComponents.map((x) => num(x.count).length));
    for (const x of report.topComponents)
      out.push(`  ${num(x.count).padStart(cw)}  ${pctText(x.percent).padStart(7)}  ${x.component}`);
  }
  for (const [level, msgs] of Object.entries(report.topMessages)) {
    if (msgs.length === 0) continue;
    out.push('', p.bold(`Most frequent ${levelColour(p, level)(level)} messages`));
    const cw = Math.max(...msgs.map((x) => num(x.count).length));
    for (const x of msgs) out.push(`  ${num(x.count).padStart(cw)}  ${x.message}`);
  }
  const tpl = report.templates;
  if (tpl !== undefined && tpl.top.length > 0) {
    out.push(
      '',
      p.bold('Top templates') +
        p.dim(
          ` (${num(tpl.top.length)} of ${num(tpl.distinct)}; ${tpl.exact ? `all ${num(tpl.messages)} messages mined` : `counts estimated from ${num(tpl.mined)} of ${num(tpl.messages)} messages mined`})`,
        ),
    );
    const cw = Math.max(...tpl.top.map((x) => num(x.count).length));
    for (const x of tpl.top)
      out.push(`  ${num(x.count).padStart(cw)}  ${pctText(x.percent).padStart(7)}  ${printable(x.template)}`);
  }
  const h = report.histogram;
  if (h.buckets.length > 0) {
    out.push(
      '',
      p.bold(`Events over time`) +
        p.dim(` (bucket ${h.bucket}; ${p.green('█')} other, ${p.yellow('█')} warn, ${p.red('█')} error)`),
    );
    const max = Math.max(...h.buckets.map((b) => b.events));
    const labelLen = h.bucketSeconds < 60 ? 19 : h.bucketSeconds < 86400 ? 16 : 10;
    const cw = num(max).length;
    for (const b of h.buckets) {
      const cells = b.events === 0 ? 0 : Math.max(1, Math.round((b.events / max) * BAR_WIDTH));
      const errCells = b.error === 0 ? 0 : Math.max(1, Math.round((b.error / max) * BAR_WIDTH));
      const warnCells = b.warn === 0 ? 0 : Math.max(1, Math.round((b.warn / max) * BAR_WIDTH));
      const otherCells = Math.max(0, cells - errCells - warnCells);
      const bar = p.green('█'.repeat(otherCells)) + p.yellow('█'.repeat(warnCells)) + p.red('█'.repeat(errCells));
      const pad = ' '.repeat(Math.max(0, BAR_WIDTH - otherCells - warnCells - errCells));
      const extra = b.warn + b.error > 0 ? p.dim(`  (${b.warn} warn, ${b.error} error)`) : '';
      out.push(`  ${b.start.replace('T', ' ').slice(0, labelLen)} │${bar}${pad} ${num(b.events).padStart(cw)}${extra}`);
    }
  }
  const samples = (title: string, list: { line: number; text: string }[], total: number) => {
    if (list.length === 0) return;
    out.push('', p.bold(`${title} (${list.length === total ? 'all' : `first ${list.length} of ${num(total)}`})`));
    for (const s of list) out.push(`  line ${s.line}: ${s.text}`);
  };
  samples('Malformed lines', report.malformedSamples, l.malformed);
  samples('Invalid timestamps', report.invalidTimestampSamples, l.invalidTimestamps);
  return `${out.join('\n')}\n`;
}
