import type { QueuedOperation } from '../../interfaces/queue-store.interface.js';
import type { SqliteLeasedOperation } from './sqlite-queue.table.js';

/** Most operations kept, and most bytes of them: past either, the older half goes. */
const RECENT_OPERATIONS = 8_192;
const RECENT_BYTES = 4 * 1_024 * 1_024;

/**
 * The operations committed last, kept in memory (copies, with their rows' seqs): every row from
 * {@link first} on (those deleted since as holes), up to {@link RECENT_OPERATIONS} operations and
 * {@link RECENT_BYTES} bytes. A lease takes them from here instead of reading their rows back, as most leases of a
 * queue that keeps up do (they take what was appended a few turns before). The rows stay the record: this is a
 * copy of the newest of them, empty at start.
 */
export class RecentOperations {
  /** The seq of slot 0. */
  #first = Number.POSITIVE_INFINITY;
  #slots: (SqliteLeasedOperation | undefined)[] = [];
  #bytes = 0;

  /** The seq from which every row is kept here (`Infinity` when none is). */
  get first(): number {
    return this.#first;
  }

  /**
   * Keeps `operations`, just committed in rows of consecutive seqs from `seq`, when the store holds at most
   * {@link RECENT_OPERATIONS} operations not leased (`waiting`, them included); else forgets all: the queue is
   * behind, and would lease them long after they went from here (kept that long, they would only cost the
   * garbage collector). A `seq` that does not follow the last one kept (SQLite gave again the seqs of rows deleted
   * at the end) starts afresh.
   */
  add(operations: readonly QueuedOperation[], seq: number, waiting: number): void {
    if (waiting > RECENT_OPERATIONS) return this.clear();
    if (seq !== this.#first + this.#slots.length) this.clear(seq);
    for (let i = 0; i < operations.length; i++) {
      const { id, key, json, bytes, attempts } = operations[i];
      this.#slots.push({ id, key, json, bytes, attempts, seq: seq + i });
      this.#bytes += bytes;
    }
    while (this.#slots.length > RECENT_OPERATIONS || this.#bytes > RECENT_BYTES) {
      const cut = this.#slots.length - (this.#slots.length >> 1);
      for (const slot of this.#slots.splice(0, cut)) this.#bytes -= slot?.bytes ?? 0;
      this.#first += cut;
    }
  }

  /** The operations kept from the row `seq` on, in append order. */
  *from(seq: number): Generator<SqliteLeasedOperation> {
    for (let i = Math.max(seq - this.#first, 0); i < this.#slots.length; i++) {
      const operation = this.#slots[i];
      if (operation) yield operation;
    }
  }

  /** Forgets the operation of row `seq` (deleted). */
  delete(seq: number): void {
    const operation = this.#slots[seq - this.#first];
    if (!operation) return;
    this.#bytes -= operation.bytes;
    this.#slots[seq - this.#first] = undefined;
  }

  /** Writes the attempts of `operation` (released) to the copy kept of it, if any. */
  updateAttempts(operation: SqliteLeasedOperation): void {
    const kept = this.#slots[operation.seq - this.#first];
    if (kept) kept.attempts = operation.attempts;
  }

  /** Forgets every operation; the next kept start at `seq`. */
  clear(seq = Number.POSITIVE_INFINITY): void {
    this.#first = seq;
    this.#slots = [];
    this.#bytes = 0;
  }
}
