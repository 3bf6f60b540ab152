import type { CustomerIOQueueStore, LeaseLimits, QueuedOperation } from '../interfaces/queue-store.interface.js';
import { HeldKeys } from './held-keys.js';

const QUEUED = 0;
const LEASED = 1;
const GONE = 2;

/** An operation handed out by a lease, with its position for the way back. */
interface LeasedOperation extends QueuedOperation {
  readonly seq: number;
}

// NOTE: operations live in parallel arrays rather than an object each, and as strings rather than
// Buffers: the queue may hold a hundred thousand of them, and both choices cut the garbage-collection
// work that otherwise lands on the caller's enqueue (a retained Buffer each put p90 at 10 µs).
// Positions are sequence numbers (`seq - base` is the index); a leased operation keeps its place, so
// a released one goes back exactly where it was, ahead of its key's later operations. Removed slots
// become holes that `head` skips and that compaction cuts off once they are the larger part.

/** The default store: operations in append order, in this process's memory. */
export class MemoryQueueStore implements CustomerIOQueueStore {
  #ids: string[] = [];
  /** The row of each operation's key (see {@link HeldKeys}). */
  #rows: number[] = [];
  #jsons: string[] = [];
  #bytes: number[] = [];
  #attempts: number[] = [];
  #states: number[] = [];
  /** Sequence number of index 0. */
  #base = 0;
  /** Index of the first slot that is not a hole. */
  #head = 0;
  #size = 0;
  #totalBytes = 0;
  readonly #keys = new HeldKeys();

  get size(): number {
    return this.#size;
  }

  get bytes(): number {
    return this.#totalBytes;
  }

  append({ id, key, json, bytes, attempts }: QueuedOperation): void {
    this.#ids.push(id);
    this.#rows.push(this.#keys.hold(key));
    this.#jsons.push(json);
    this.#bytes.push(bytes);
    this.#attempts.push(attempts);
    this.#states.push(QUEUED);
    this.#size += 1;
    this.#totalBytes += bytes;
  }

  lease({ maxOperations, maxBytes }: LeaseLimits): LeasedOperation[] {
    const taken: LeasedOperation[] = [];
    const lease = this.#keys.nextLease();
    let bytes = 0;
    for (let i = this.#head; i < this.#states.length && taken.length < maxOperations; i++) {
      if (this.#states[i] !== QUEUED) continue;
      const row = this.#rows[i];
      if (!this.#keys.mayTake(row, lease)) {
        this.#keys.skip(row, lease);
        continue;
      }
      if (bytes + this.#bytes[i] > maxBytes) break;
      bytes += this.#bytes[i];
      this.#states[i] = LEASED;
      this.#keys.take(row, lease);
      taken.push(this.#operation(i));
    }
    return taken;
  }

  acknowledge(operations: readonly QueuedOperation[]): void {
    for (const operation of operations) {
      const index = this.#unlease(operation);
      this.#remove(index);
    }
    this.#compact();
  }

  release(operations: readonly QueuedOperation[]): void {
    for (const operation of operations) {
      const index = this.#unlease(operation);
      this.#attempts[index] = operation.attempts;
    }
  }

  dropOldest(): QueuedOperation | undefined {
    for (let i = this.#head; i < this.#states.length; i++) {
      if (this.#states[i] !== QUEUED) continue;
      const operation = this.#operation(i);
      this.#remove(i);
      this.#compact();
      return operation;
    }
    return undefined;
  }

  has(id: string): boolean {
    for (let i = this.#head; i < this.#states.length; i++)
      if (this.#states[i] !== GONE && this.#ids[i] === id) return true;
    return false;
  }

  /** The id of the oldest operation held (queued or leased), if any: the first slot that is not a hole. */
  oldestId(): string | undefined {
    return this.#size > 0 ? this.#ids[this.#head] : undefined;
  }

  #operation(index: number): LeasedOperation {
    return {
      id: this.#ids[index],
      key: this.#keys.key(this.#rows[index]),
      json: this.#jsons[index],
      bytes: this.#bytes[index],
      attempts: this.#attempts[index],
      seq: this.#base + index,
    };
  }

  #remove(index: number): void {
    this.#states[index] = GONE;
    this.#keys.remove(this.#rows[index]);
    this.#size -= 1;
    this.#totalBytes -= this.#bytes[index];
    this.#jsons[index] = '';
  }

  #unlease(operation: QueuedOperation): number {
    const index = (operation as LeasedOperation).seq - this.#base;
    if (this.#states[index] !== LEASED || this.#ids[index] !== operation.id) {
      throw new Error(`operation ${operation.id} is not leased from this store`);
    }
    this.#states[index] = QUEUED;
    this.#keys.unlease(this.#rows[index]);
    return index;
  }

  #compact(): void {
    while (this.#head < this.#states.length && this.#states[this.#head] === GONE) this.#head += 1;
    if (this.#head < 1_024 || this.#head * 2 < this.#states.length) return;
    const cut = this.#head;
    for (const column of [this.#ids, this.#rows, this.#jsons, this.#bytes, this.#attempts, this.#states])
      column.splice(0, cut);
    this.#base += cut;
    this.#head = 0;
  }
}
