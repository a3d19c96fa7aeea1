import { createHash } from 'node:crypto';

/**
 * A template's id: the first 16 hex digits (64 bits) of the SHA-256 of its text. The same template has the
 * same id in every run, on every machine and after `--state` resumes, so ids can be stored and compared.
 */
export function templateId(template: string): string {
  return createHash('sha256').update(template).digest('hex').slice(0, 16);
}
