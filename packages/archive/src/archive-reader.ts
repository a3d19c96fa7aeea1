import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from '@node-rs/crc32';
import { CorruptionError, FileAccessError } from '@esc/core';
import { BLOCK_HEADER_SIZE, FILE_HEADER_SIZE, FOOTER_SIZE } from './archive-format.js';
import {
  type ArchiveDescription,
  type BlockInfo,
  decodeBlockHeader,
  decodeFooter,
  decodeIndex,
  fileHeaderJsonLength,
  fileHeaderValid,
} from './archive-layout.js';
import { assembleBlock, decodeBlockPayload, type DecodedBlock } from './block-decoder.js';
import { TruncatedDataError } from './byte-buffer.js';

/** A block that cannot be read back: its header, checksum or content is wrong. The other blocks still are. */
export class ArchiveDamageError extends CorruptionError {
  constructor(
    path: string,
    readonly block: number,
    offset: number,
    input: string,
    reason: string,
  ) {
    super(`block ${block} (${input}): ${reason}`, { path, offset });
  }
}

const SCAN_WINDOW = 1 << 20;
const BLOCK_MAGIC_BYTES = Buffer.from('ESCB', 'latin1');

/** An open archive: its description and block list (from the index, or by scanning when that is damaged). */
export class ArchiveReader {
  /** Set when the footer or index was unreadable and the blocks were found by scanning. */
  readonly indexProblem: string | null;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly size: number,
    /** The format version (archive-format.ts): 2 when templates may hold field marks. */
    readonly version: number,
    readonly description: ArchiveDescription,
    readonly blocks: BlockInfo[],
    indexProblem: string | null,
  ) {
    this.indexProblem = indexProblem;
  }

  static open(path: string): ArchiveReader {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw new FileAccessError(path, err);
    }
    try {
      const size = fstatSync(fd).size;
      const header = readAt(fd, 0, FILE_HEADER_SIZE);
      const jsonLength = fileHeaderJsonLength(header);
      if (jsonLength === null || FILE_HEADER_SIZE + jsonLength > size)
        throw new CorruptionError('not an esc archive (bad magic or version)', { path, offset: 0 });
      const json = readAt(fd, FILE_HEADER_SIZE, jsonLength);
      if (!fileHeaderValid(header, json))
        throw new CorruptionError('archive header checksum mismatch', { path, offset: 0 });
      const description = JSON.parse(json.toString('utf8')) as ArchiveDescription;
      const version = header[4]!;
      const dataStart = FILE_HEADER_SIZE + jsonLength;
      let blocks: BlockInfo[] | null = null;
      let problem: string | null = null;
      const footer = size >= dataStart + FOOTER_SIZE ? decodeFooter(readAt(fd, size - FOOTER_SIZE, FOOTER_SIZE)) : null;
      if (footer === null) problem = 'footer damaged or missing';
      else if (footer.indexOffset + footer.indexLength > size - FOOTER_SIZE) problem = 'footer points past the end';
      else {
        blocks = decodeIndex(readAt(fd, footer.indexOffset, footer.indexLength));
        if (blocks === null) problem = 'index checksum mismatch';
      }
      if (blocks === null) blocks = scanBlocks(fd, dataStart, size);
      return new ArchiveReader(path, fd, size, version, description, blocks, problem);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  inputName(block: BlockInfo): string {
    return this.description.inputs[block.input]?.name ?? `input ${block.input}`;
  }

  private damage(number: number, block: BlockInfo, reason: string): ArchiveDamageError {
    return new ArchiveDamageError(this.path, number, block.offset, this.inputName(block), reason);
  }

  /** The block's payload, its header and checksum checked. */
  readPayload(number: number): Buffer {
    const block = this.blocks[number]!;
    if (block.offset + BLOCK_HEADER_SIZE + block.payloadLength + 4 > this.size)
      throw this.damage(number, block, 'block extends past the end of the archive');
    const data = readAt(this.fd, block.offset, BLOCK_HEADER_SIZE + block.payloadLength + 4);
    const header = decodeBlockHeader(data.subarray(0, BLOCK_HEADER_SIZE), block.offset);
    if (header === null) throw this.damage(number, block, 'block header checksum mismatch');
    for (const key of ['payloadLength', 'input', 'inputOffset', 'inputLength', 'firstLine', 'lines'] as const)
      if (header[key] !== block[key])
        throw this.damage(number, block, `block header disagrees with the index (${key})`);
    const payload = data.subarray(BLOCK_HEADER_SIZE, BLOCK_HEADER_SIZE + block.payloadLength);
    if (data.readUInt32LE(BLOCK_HEADER_SIZE + block.payloadLength) !== crc32(payload))
      throw this.damage(number, block, 'payload checksum mismatch');
    return payload;
  }

  /** `read()`, which reads block `number`'s payload, with content that does not decode reported as damage. */
  checked<T>(number: number, read: () => T): T {
    try {
      return read();
    } catch (err) {
      if (err instanceof TruncatedDataError) throw this.damage(number, this.blocks[number]!, err.message);
      throw err;
    }
  }

  /**
   * The block decoded into lines and columns (for grep), checked as readPayload does; with `keep`, only the
   * columns of the templates it marks.
   */
  decodeBlock(number: number, keep: Uint8Array | null = null): DecodedBlock {
    const payload = this.readPayload(number);
    return this.checked(number, () => {
      const decoded = decodeBlockPayload(payload, this.version >= 2, keep);
      if (decoded.lines !== this.blocks[number]!.lines) throw new TruncatedDataError('line count disagrees');
      return decoded;
    });
  }

  /** The block's original bytes. */
  blockBytes(number: number): Buffer {
    const decoded = this.decodeBlock(number);
    return this.checked(number, () => assembleBlock(decoded, this.blocks[number]!.inputLength));
  }

  close(): void {
    closeSync(this.fd);
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/** Finds the blocks without the index: a valid header gives the next block's place; else the next `ESCB`. */
function scanBlocks(fd: number, start: number, size: number): BlockInfo[] {
  const blocks: BlockInfo[] = [];
  let pos = start;
  while (pos + BLOCK_HEADER_SIZE <= size) {
    const header = decodeBlockHeader(readAt(fd, pos, BLOCK_HEADER_SIZE), pos);
    if (header !== null && pos + BLOCK_HEADER_SIZE + header.payloadLength + 4 <= size) {
      blocks.push(header);
      pos += BLOCK_HEADER_SIZE + header.payloadLength + 4;
      continue;
    }
    let next = -1;
    for (let from = pos + 1; from < size && next === -1; from += SCAN_WINDOW - 3) {
      const at = readAt(fd, from, SCAN_WINDOW).indexOf(BLOCK_MAGIC_BYTES);
      if (at !== -1) next = from + at;
    }
    if (next === -1) break;
    pos = next;
  }
  return blocks;
}
