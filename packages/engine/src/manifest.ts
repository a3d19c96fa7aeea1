import { readFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { CorruptionError, FileAccessError, fsyncDir, isErrno } from '@esc/core';

/**
 * The manifest names the live segments and the oldest write-ahead log still needed. It is replaced
 * whole by write-temp, fsync, rename, fsync-directory, so a crash leaves either the old set or the new one:
 * a flush or compaction whose rename did not happen left only unreferenced files, which the next open
 * deletes; one whose rename happened is complete, because the segments were synced before it.
 *
 * File layout (docs/formats/manifest.md, "Layout"): one ASCII header line
 *   `ESC-MANIFEST 1 <crc32 of the body, 8 hex digits> <body length in bytes>\n`
 * followed by the body, a JSON object matching ManifestSchema.
 */
export const MANIFEST_FILE = 'MANIFEST';

const SegmentMetaSchema = z.object({
  id: z.number().int().nonnegative(),
  level: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  entries: z.number().int().nonnegative(),
  tombstones: z.number().int().nonnegative(),
  minKey: z.string(),
  maxKey: z.string(),
  createdAt: z.number(),
  bloomBitsPerKey: z.number().int().nonnegative(),
  bloomHashes: z.number().int().nonnegative(),
});

const ManifestSchema = z.object({
  formatVersion: z.literal(1),
  /** No file number below this is ever handed out again. */
  nextFileNumber: z.number().int().positive(),
  /** Logs numbered below this are fully contained in segments. */
  logNumber: z.number().int().nonnegative(),
  lastSequence: z.number().int().nonnegative(),
  flushes: z.number().int().nonnegative(),
  compactions: z.number().int().nonnegative(),
  /**
   * Where the logs numbered from logNumber on live: relative to the database directory when inside it ('' is
   * the directory itself), else absolute. Absent in manifests written before it was recorded.
   */
  walDir: z.string().optional(),
  segments: z.array(SegmentMetaSchema),
});

export type SegmentMeta = z.infer<typeof SegmentMetaSchema>;
export type ManifestData = z.infer<typeof ManifestSchema>;

export function emptyManifest(): ManifestData {
  return {
    formatVersion: 1,
    nextFileNumber: 1,
    logNumber: 0,
    lastSequence: 0,
    flushes: 0,
    compactions: 0,
    segments: [],
  };
}

function encodeManifest(data: ManifestData): Buffer {
  const body = Buffer.from(JSON.stringify(data), 'utf8');
  const header = Buffer.from(`ESC-MANIFEST 1 ${crc32(body).toString(16).padStart(8, '0')} ${body.length}\n`, 'latin1');
  return Buffer.concat([header, body]);
}

/** Parses and checks a manifest; damage raises CorruptionError with the file and the offset. */
export function decodeManifest(path: string, raw: Buffer): ManifestData {
  const nl = raw.indexOf(0x0a);
  const header = nl < 0 ? '' : raw.subarray(0, nl).toString('latin1');
  const m = /^ESC-MANIFEST 1 ([0-9a-f]{8}) (\d+)$/.exec(header);
  if (!m) throw new CorruptionError('manifest header is damaged', { path, offset: 0 });
  const bodyOffset = nl + 1;
  const body = raw.subarray(bodyOffset);
  if (body.length !== Number(m[2]))
    throw new CorruptionError(`manifest body is ${body.length} bytes, header says ${m[2]}`, {
      path,
      offset: bodyOffset,
    });
  if (crc32(body) !== parseInt(m[1]!, 16))
    throw new CorruptionError('manifest checksum mismatch', { path, offset: bodyOffset });
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CorruptionError('manifest body is not valid JSON', { path, offset: bodyOffset });
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new CorruptionError(`manifest does not match its schema: ${parsed.error.issues[0]?.message}`, {
      path,
      offset: bodyOffset,
    });
  return parsed.data;
}

/** Reads the manifest of `dir`; undefined when the directory holds no database yet. */
export function readManifest(dir: string): ManifestData | undefined {
  const path = join(dir, MANIFEST_FILE);
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw new FileAccessError(path, err);
  }
  return decodeManifest(path, raw);
}

let tmpCounter = 0;

/** Replaces the manifest atomically and durably without blocking the event loop on the file's fsync. */
export async function writeManifest(dir: string, data: ManifestData): Promise<void> {
  const path = join(dir, MANIFEST_FILE);
  const tmp = join(dir, `.${MANIFEST_FILE}.${process.pid}.${++tmpCounter}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(encodeManifest(data));
    await fh.datasync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  await fsyncDir(dir);
}
