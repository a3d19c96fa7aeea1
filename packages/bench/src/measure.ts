import { spawnSync } from 'node:child_process';

export interface Measurement {
  ms: number;
  maxRssKiB: number;
  status: number;
}

export interface CommandSpec {
  /** Shown in tables. */
  label: string;
  argv: string[];
  /** A file fed to standard input, else /dev/null. */
  stdinFile?: string;
  /** 'pipe' drains stdout through a pipe (what `| wc` sees); 'null' sends it to /dev/null. */
  stdout?: 'pipe' | 'null';
  env?: NodeJS.ProcessEnv;
}

// Node cannot read a child's rusage, so a tiny python3 wrapper forks the command, drains its stdout through a
// pipe and reports wall time and peak RSS from wait4(2) for exactly that child.
const WRAPPER = `
import json, os, subprocess, sys, time
stdin_path, mode, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
stdin = open(stdin_path, 'rb') if stdin_path != '-' else subprocess.DEVNULL
t0 = time.perf_counter()
if mode == 'pipe':
    p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE)
    while p.stdout.read(1 << 20):
        pass
else:
    p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
p.returncode = 0
elapsed = time.perf_counter() - t0
print(json.dumps({"ms": elapsed * 1000, "maxRssKiB": ru.ru_maxrss, "status": os.waitstatus_to_exitcode(status)}))
`;

export function measure(spec: CommandSpec): Measurement {
  const res = spawnSync('python3', ['-c', WRAPPER, spec.stdinFile ?? '-', spec.stdout ?? 'pipe', ...spec.argv], {
    encoding: 'utf8',
    env: spec.env ?? process.env,
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (res.status !== 0) throw new Error(`measuring ${spec.label} failed: ${res.stderr ?? ''}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as Measurement;
}

export interface Summary {
  label: string;
  medianMs: number;
  maxRssKiB: number;
  runs: Measurement[];
}

/**
 * Runs the commands in turn, round after round (A B C, A B C, …), so that noise from this shared machine
 * falls on all of them alike; reports the median time and the largest peak RSS of each.
 */
export function alternate(specs: CommandSpec[], rounds: number): Summary[] {
  const runs: Measurement[][] = specs.map(() => []);
  for (let r = 0; r < rounds; r++) for (const [i, spec] of specs.entries()) runs[i]!.push(measure(spec));
  return specs.map((spec, i) => ({
    label: spec.label,
    medianMs: median(runs[i]!.map((m) => m.ms)),
    maxRssKiB: Math.max(...runs[i]!.map((m) => m.maxRssKiB)),
    runs: runs[i]!,
  }));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
export const fmtRatio = (r: number) => `${r.toFixed(2)}×`;
export const fmtMiB = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
export const fmtRate = (perSec: number) =>
  perSec >= 1e6
    ? `${(perSec / 1e6).toFixed(2)} M/s`
    : perSec >= 1e3
      ? `${(perSec / 1e3).toFixed(1)} k/s`
      : `${perSec.toFixed(0)}/s`;

/** A markdown table. */
export function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
