import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * A factory of operation ids: ULIDs, monotonic within this process (so they sort in enqueue order),
 * drawing randomness from a pool refilled 4 KiB at a time.
 */
export function createOperationIdFactory(): () => string {
  // NOTE: ulid's default source calls crypto.getRandomValues once per character, ~80 µs on the first
  // id of every millisecond; a pooled source keeps every id under a microsecond.
  const pool = new Uint32Array(1_024);
  let next = pool.length;
  return monotonicFactory(() => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++] / 0x1_0000_0000;
  });
}
