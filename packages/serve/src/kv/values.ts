import { bytesToKvString, bytesToKvStringAt, isWellFormedKvString, kvStringToBytes } from '@esc/kv';
import type { ParsedCommand } from '../parsed-command.js';
import { bulk, NULL_BULK, type Reply } from '../reply.js';

/** A key or value as the store holds it (binary bytes as text, lossless: see @esc/kv's binary-value). */
export const text = (arg: Buffer): string => bytesToKvString(arg);

/** `text(command.arg(i))`, read where the parser found it (no Buffer made for it). */
export const textAt = (command: ParsedCommand, i: number): string =>
  command.inPlace ? bytesToKvStringAt(command.bytes, command.start(i), command.end(i)) : text(command.arg(i));

/** The bytes a stored string stands for, as a bulk reply (plain text goes to the encoder as it is). */
export function valueReply(value: string | undefined | null): Reply {
  if (value === undefined || value === null) return NULL_BULK;
  return bulk(isWellFormedKvString(value) ? value : kvStringToBytes(value));
}

/** A stored key as the bytes a client sent. */
export const keyBytes = (key: string): Buffer => kvStringToBytes(key);
