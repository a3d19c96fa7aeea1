import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { FileAccessError, writeFileAtomicSync } from '@esc/core';
import { encodeLine, JOURNAL_FORMAT, JOURNAL_VERSION } from './journal-format.js';

/**
 * Starts the journal of `generation` atomically (temp file, fsync, rename over the old journal, fsync the
 * directory): a crash leaves either the old journal or the new one, never an empty or half-written header.
 */
export function createJournal(path: string, generation: number): number {
  const header = encodeLine({ journal: JOURNAL_FORMAT, version: JOURNAL_VERSION, generation });
  try {
    writeFileAtomicSync(path, header);
  } catch (err) {
    throw new FileAccessError(path, err);
  }
  return Buffer.byteLength(header);
}

export function openJournalForAppend(path: string): number {
  try {
    return openSync(path, 'a');
  } catch (err) {
    throw new FileAccessError(path, err);
  }
}

/**
 * Appends `text` (whole lines) in one write and makes it durable with fdatasync before returning: the
 * caller acknowledges nothing until this returns. The journal only grows, so fdatasync (which also flushes the
 * new size) is enough.
 */
export function appendDurably(fd: number, path: string, text: string): number {
  const buf = Buffer.from(text, 'utf8');
  try {
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fdatasyncSync(fd);
  } catch (err) {
    throw new FileAccessError(path, err);
  }
  return buf.length;
}

/**
 * Cuts a torn last line off the journal before the next append, so the new line does not land glued to the
 * fragment (which would make a good line look corrupt). The fragment was never acknowledged: it is a write
 * that a crash interrupted before its fsync returned, so removing it loses nothing that was promised.
 */
export function truncateTornTail(path: string, goodEnd: number): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r+');
    ftruncateSync(fd, goodEnd);
    fsyncSync(fd);
  } catch (err) {
    throw new FileAccessError(path, err);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
