import { closeSync, openSync, writeSync } from 'node:fs';

/** mulberry32: a tiny, fast, seedable PRNG, so every run generates the same bytes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INFO_EVENTS: ((r: () => number, blk: string, ip: () => string) => [string, string])[] = [
  (r, blk) => ['dfs.DataNode$PacketResponder', `PacketResponder ${Math.floor(r() * 3)} for block ${blk} terminating`],
  (r, blk, ip) => [
    'dfs.DataNode$PacketResponder',
    `Received block ${blk} of size ${Math.floor(r() * 67108864)} from /${ip()}`,
  ],
  (r, blk, ip) => [
    'dfs.FSNamesystem',
    `BLOCK* NameSystem.addStoredBlock: blockMap updated: ${ip()}:50010 is added to ${blk} size ${Math.floor(r() * 67108864)}`,
  ],
  (_r, blk, ip) => [
    'dfs.DataNode$DataXceiver',
    `Receiving block ${blk} src: /${ip()}:${40000 + Math.floor(_r() * 20000)} dest: /${ip()}:50010`,
  ],
  (r, blk) => [
    'dfs.FSNamesystem',
    `BLOCK* NameSystem.allocateBlock: /mnt/hadoop/mapred/system/job_200811092030_${String(Math.floor(r() * 9999)).padStart(4, '0')}/job.jar. ${blk}`,
  ],
  (_r, blk, ip) => ['dfs.DataNode$DataTransfer', `${ip()}:50010:Transmitted block ${blk} to /${ip()}:50010`],
  (_r, blk, ip) => ['dfs.DataNode', `${ip()}:50010 Starting thread to transfer block ${blk} to ${ip()}:50010`],
  (_r, blk) => [
    'dfs.FSDataset',
    `Deleting block ${blk} file /mnt/hadoop/dfs/data/current/subdir${Math.floor(_r() * 64)}/${blk}`,
  ],
];
const WARN_EVENTS: ((r: () => number, blk: string, ip: () => string) => [string, string])[] = [
  (_r, blk, ip) => ['dfs.DataNode$DataXceiver', `${ip()}:50010:Got exception while serving ${blk} to /${ip()}:`],
  (_r, blk) => [
    'dfs.FSNamesystem',
    `BLOCK* NameSystem.delete: ${blk} is added to invalidSet of 10.250.${Math.floor(_r() * 255)}.${Math.floor(_r() * 255)}:50010`,
  ],
];
const ERROR_EVENTS: ((r: () => number, blk: string, ip: () => string) => [string, string])[] = [
  (_r, blk, ip) => [
    'dfs.DataNode',
    `${ip()}:50010:DataXceiver: java.io.IOException: Block ${blk} is valid, and cannot be written to.`,
  ],
  (_r, blk, ip) => [
    'dfs.DataNode$PacketResponder',
    `IOException in BlockReceiver.run() for block ${blk} from /${ip()}`,
  ],
];

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Writes a realistic HDFS-style log (the Loghub HDFS layout: `yymmdd HHMMSS pid LEVEL component: content`)
 * of about `bytes` bytes, LF line endings: about 96% INFO, 3.5% WARN and 0.5% ERROR lines, timestamps that
 * rise a second at a time in bursts, and varied block ids and IPs. The same seed always gives the same file.
 */
export function generateHdfsLog(path: string, bytes: number, seed = 20081109): void {
  const r = prng(seed);
  const ip = () => `10.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`;
  const fd = openSync(path, 'w');
  let written = 0;
  let t = Date.UTC(2008, 10, 9, 20, 35, 18) / 1000;
  const parts: string[] = [];
  let partLen = 0;
  try {
    while (written < bytes) {
      if (r() < 0.02) t += 1 + Math.floor(r() * 3);
      const d = new Date(t * 1000);
      const stamp = `${pad2(d.getUTCFullYear() % 100)}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}`;
      const roll = r();
      const [level, events] =
        roll < 0.005 ? ['ERROR', ERROR_EVENTS] : roll < 0.04 ? ['WARN', WARN_EVENTS] : ['INFO', INFO_EVENTS];
      const blk = `blk_${r() < 0.5 ? '-' : ''}${Math.floor(r() * 9e15) + 1e15}${Math.floor(r() * 1000)}`;
      const [component, content] = events[Math.floor(r() * events.length)]!(r, blk, ip);
      const line = `${stamp} ${Math.floor(r() * 32768)} ${level} ${component}: ${content}\n`;
      parts.push(line);
      partLen += line.length;
      if (partLen >= 4 << 20) {
        written += writeSync(fd, parts.join(''));
        parts.length = 0;
        partLen = 0;
      }
    }
    if (parts.length) writeSync(fd, parts.join(''));
  } finally {
    closeSync(fd);
  }
}
