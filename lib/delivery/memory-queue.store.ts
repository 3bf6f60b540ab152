import type { CustomerIOQueueStore, LeaseLimits, QueuedOperation } from './queue-store.interface.js';

/** A slot of the queue; `leased` while a batch holds it. */
interface Slot {
  readonly operation: QueuedOperation;
  leased: boolean;
}

// NOTE: slots stay in place while leased, so a released operation goes back exactly where it was,
// ahead of its key's later operations; acknowledged slots become holes that `head` skips and that
// compaction removes once they are the larger part of the array.

/** The default store: an array of slots in append order, held in this process's memory. */
export class MemoryQueueStore implements CustomerIOQueueStore {
  #slots: (Slot | undefined)[] = [];
  #head = 0;
  #size = 0;
  #bytes = 0;
  /** Keys with an operation in a lease, and how many. */
  readonly #leasedKeys = new Map<string, number>();
  readonly #slotOf = new Map<string, number>();

  get size(): number {
    return this.#size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  append(operation: QueuedOperation): void {
    this.#slotOf.set(operation.id, this.#slots.length);
    this.#slots.push({ operation, leased: false });
    this.#size += 1;
    this.#bytes += operation.bytes;
  }

  lease({ maxOperations, maxBytes }: LeaseLimits): QueuedOperation[] {
    const taken: QueuedOperation[] = [];
    const skipped = new Set<string>();
    let bytes = 0;
    for (let i = this.#head; i < this.#slots.length && taken.length < maxOperations; i++) {
      const slot = this.#slots[i];
      if (!slot || slot.leased) continue;
      const { key } = slot.operation;
      if (skipped.has(key) || this.#leasedKeys.has(key)) {
        skipped.add(key);
        continue;
      }
      if (bytes + slot.operation.bytes > maxBytes) break;
      slot.leased = true;
      bytes += slot.operation.bytes;
      taken.push(slot.operation);
    }
    for (const { key } of taken) this.#leasedKeys.set(key, (this.#leasedKeys.get(key) ?? 0) + 1);
    return taken;
  }

  acknowledge(operations: readonly QueuedOperation[]): void {
    for (const operation of operations) {
      const index = this.#unlease(operation);
      this.#slots[index] = undefined;
      this.#slotOf.delete(operation.id);
      this.#size -= 1;
      this.#bytes -= operation.bytes;
    }
    this.#compact();
  }

  release(operations: readonly QueuedOperation[]): void {
    for (const operation of operations) this.#unlease(operation);
  }

  dropOldest(): QueuedOperation | undefined {
    for (let i = this.#head; i < this.#slots.length; i++) {
      const slot = this.#slots[i];
      if (!slot || slot.leased) continue;
      this.#slots[i] = undefined;
      this.#slotOf.delete(slot.operation.id);
      this.#size -= 1;
      this.#bytes -= slot.operation.bytes;
      this.#compact();
      return slot.operation;
    }
    return undefined;
  }

  has(id: string): boolean {
    return this.#slotOf.has(id);
  }

  #unlease(operation: QueuedOperation): number {
    const index = this.#slotOf.get(operation.id);
    const slot = index === undefined ? undefined : this.#slots[index];
    if (index === undefined || !slot?.leased) throw new Error(`operation ${operation.id} is not leased`);
    slot.leased = false;
    const count = this.#leasedKeys.get(operation.key)! - 1;
    if (count === 0) this.#leasedKeys.delete(operation.key);
    else this.#leasedKeys.set(operation.key, count);
    return index;
  }

  #compact(): void {
    while (this.#head < this.#slots.length && this.#slots[this.#head] === undefined) this.#head += 1;
    if (this.#head < 1_024 || this.#head * 2 < this.#slots.length) return;
    this.#slots = this.#slots.slice(this.#head);
    this.#head = 0;
    this.#slotOf.clear();
    this.#slots.forEach((slot, index) => slot && this.#slotOf.set(slot.operation.id, index));
  }
}
