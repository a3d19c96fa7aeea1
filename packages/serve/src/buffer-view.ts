/**
 * A Buffer over part of another's memory, made as Node makes its own (FastBuffer): a Uint8Array subclass whose
 * prototype is Buffer's, so every Buffer method, `Buffer.isBuffer` and `instanceof Buffer` hold. The parser makes
 * one per argument and the reply writer one per flush; `buf.subarray()` costs two to three times as much, as it
 * reads `buf.buffer` through a C++ builtin on every call.
 */
class BufferView extends Uint8Array {}
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);

/** Bytes [start, end) of a Buffer whose `.buffer` and `.byteOffset` the caller read once, as `memory` and `byteOffset`. */
export function bufferView(memory: ArrayBufferLike, byteOffset: number, start: number, end: number): Buffer {
  return new BufferView(memory as ArrayBuffer, byteOffset + start, end - start) as unknown as Buffer;
}
