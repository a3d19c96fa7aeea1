// `npx node-gyp rebuild && node run.mjs` here: per append of the produce row (1,000 records of a 16-byte key
// and a 100-byte value), the ceiling's write, the Node-API look-up of the 2,000 Buffers alone, and a native
// encode (look-up, copies, inlined CRC-32C) + write; medians of 9 rounds of 1,000 appends, alternated.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const native = createRequire(import.meta.url)('./build/Release/enc.node');
const BATCH = 1000;
const APPENDS = 1000;
const keys = Array.from({ length: BATCH }, (_, i) => Buffer.from(`key-${String(i).padStart(12, '0')}`));
const values = new Array(BATCH).fill(Buffer.alloc(100, 'v'));
const out = Buffer.alloc(BATCH * 140 + 61);
const file = join(tmpdir(), `napi-probe-${process.pid}.bin`);

function perAppend(step) {
  const fd = openSync(file, 'w');
  const t0 = performance.now();
  for (let i = 0; i < APPENDS; i++) step(fd);
  const us = ((performance.now() - t0) * 1000) / APPENDS;
  closeSync(fd);
  rmSync(file);
  return us;
}

const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
const runs = { ceiling: [], access: [], encodeAndWrite: [] };
for (let round = 0; round < 9; round++) {
  runs.ceiling.push(perAppend((fd) => writeSync(fd, out)));
  runs.access.push(perAppend(() => native.access(out, keys, values)));
  runs.encodeAndWrite.push(
    perAppend((fd) => {
      native.encode(out, keys, values);
      writeSync(fd, out);
    }),
  );
}
for (const [name, us] of Object.entries(runs)) console.log(`${name}: ${median(us).toFixed(1)} µs an append`);
console.log(`native encode + write ÷ ceiling: ${(median(runs.ceiling) / median(runs.encodeAndWrite)).toFixed(2)}x`);
