const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const isOpen = (byte: number): boolean => byte === 0x5b || byte === 0x7b; // [ {
const isClose = (byte: number): boolean => byte === 0x5d || byte === 0x7d; // ] }
const BATCH_KEY = Buffer.from('"batch"');

/**
 * The size in bytes of each element of the top-level `batch` array of a v2 batch body that already
 * parsed as JSON, found by one pass over the raw bytes — what Customer.io measures against its 32 KB
 * per-operation limit, without serializing every operation again. Undefined when the array is not found.
 */
export function batchOperationSizes(body: Buffer): number[] | undefined {
  const sizes: number[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  let inBatch = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    if (byte === QUOTE) {
      if (depth === 1 && !inBatch && body.subarray(i, i + BATCH_KEY.length).equals(BATCH_KEY)) inBatch = isArrayValue(body, i + BATCH_KEY.length);
      if (inBatch && depth === 2 && start < 0) start = i;
      inString = true;
    } else if (isOpen(byte)) {
      depth++;
      if (inBatch && depth === 3 && start < 0) start = i;
    } else if (isClose(byte)) {
      if (inBatch && depth === 2) {
        if (start >= 0) sizes.push(trimmedLength(body, start, i));
        return sizes;
      }
      depth--;
    } else if (inBatch && depth === 2) {
      if (byte === COMMA) {
        sizes.push(trimmedLength(body, start, i));
        start = -1;
      } else if (start < 0 && byte > 0x20) start = i;
    }
  }
  return undefined;
}

/** Whether what follows a key (after optional spaces and a colon) is an array. */
function isArrayValue(body: Buffer, from: number): boolean {
  let i = from;
  while (body[i] <= 0x20 || body[i] === 0x3a) i++;
  return body[i] === 0x5b;
}

/** Length of body[start, end) without trailing white space. */
function trimmedLength(body: Buffer, start: number, end: number): number {
  let last = end;
  while (last > start && body[last - 1] <= 0x20) last--;
  return last - start;
}
