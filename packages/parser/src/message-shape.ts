/**
 * The shape of a message: numbers, hex ids and IP addresses masked as `<*>`, so that "Block blk_123 is lost"
 * and "Block blk_456 is lost" count as one frequent message (Loghub's templates use the same `<*>` mark).
 */
const VARIABLE = /(?:\d+\.){3}\d+(?::\d+)?|0x[0-9a-f]+|[0-9a-f]{8,}|-?\d+/gi;

export function messageShape(message: string): string {
  const text = message.length > 300 ? message.slice(0, 300) : message;
  return text.replace(VARIABLE, '<*>');
}
