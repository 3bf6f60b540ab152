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
  let start = -1;
  let inBatch = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte === QUOTE) {
      if (depth === 1 && !inBatch && body.subarray(i, i + BATCH_KEY.length).equals(BATCH_KEY))
        inBatch = isArrayValue(body, i + BATCH_KEY.length);
      if (inBatch && depth === 2 && start < 0) start = i;
      i = closingQuote(body, i);
      if (i < 0) return undefined;
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

/**
 * The index of the quote closing the string opened at `open`, or -1. NOTE: strings are most of a batch's
 * bytes; `indexOf` finds quotes natively, and a quote is escaped when an odd run of backslashes precedes it.
 */
function closingQuote(body: Buffer, open: number): number {
  let quote = body.indexOf(QUOTE, open + 1);
  while (quote > 0) {
    let backslashes = 0;
    while (body[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = body.indexOf(QUOTE, quote + 1);
  }
  return -1;
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
