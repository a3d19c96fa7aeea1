/** How numbers and keys read in the engine picture, in the terminal and in SVG alike. */

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatPercent(fraction: number): string {
  const pct = fraction * 100;
  return `${pct >= 10 ? pct.toFixed(0) : pct >= 1 ? pct.toFixed(1) : pct.toFixed(2)}%`;
}

/** "42 s", "3 min", "2 h", "5 d": a segment's age at a glance. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/**
 * A key as text a person can read and any renderer can embed: printable ASCII as is, other bytes as
 * `\xNN`, cut to `max` characters with an ellipsis. Control characters never reach SVG (they are not XML).
 */
export function displayKey(key: Uint8Array, max = 24): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const b = key[i]!;
    out +=
      b >= 0x20 && b < 0x7f && b !== 0x5c
        ? String.fromCharCode(b)
        : b === 0x5c
          ? '\\\\'
          : `\\x${b.toString(16).padStart(2, '0')}`;
    if (out.length > max) return `${out.slice(0, max - 1)}…`;
  }
  return out;
}
