/**
 * Keys and values in `--json` output: a string when the bytes are valid UTF-8 (the common case), else
 * `{"base64": "…"}`, so binary data survives a round trip and is never silently mangled.
 */
export type JsonBytes = string | { base64: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

export function jsonBytes(data: Uint8Array): JsonBytes {
  try {
    return decoder.decode(data);
  } catch {
    return { base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
  }
}
