/** Rows of keys that hold no operation kept for their next one: at least this many, or as many as in use. */
const IDLE_ROWS = 16_384;

/**
 * The keys a `MemoryQueueStore` holds operations of, each in a row of its own (a small number): how many of its
 * operations are held and how many leased, and which lease last took or skipped one. A lease is numbered
 * ({@link HeldKeys.nextLease}). A key that holds no operation keeps its row for its next one (an application's
 * active people come back), until there are more such idle rows than {@link IDLE_ROWS} and than rows in use: they
 * are then all forgotten, and reused.
 * NOTE: the key is looked up once per operation, when it is appended; leases and acknowledgements then read and
 * write rows in arrays. A Map of leased keys cost five lookups an operation (~0.3 µs); adding and deleting each
 * key with its operations, ~0.2 µs more than finding it again.
 */
export class HeldKeys {
  readonly #rowOf = new Map<string, number>();
  readonly #free: number[] = [];
  #keys: string[] = [];
  #held: number[] = [];
  #leased: number[] = [];
  /** The lease that last took one of the key's operations, and the one that last skipped one. */
  #takenBy: number[] = [];
  #skippedBy: number[] = [];
  #leases = 0;
  /** Rows whose key holds no operation. */
  #idle = 0;

  /** The row of `key`, which holds one more operation. */
  hold(key: string): number {
    let row = this.#rowOf.get(key);
    if (row === undefined) {
      row = this.#free.pop() ?? this.#keys.length;
      this.#rowOf.set(key, row);
      this.#keys[row] = key;
      this.#held[row] = 0;
      this.#leased[row] = 0;
      this.#takenBy[row] = 0;
      this.#skippedBy[row] = 0;
    } else if (this.#held[row] === 0) {
      this.#idle -= 1;
    }
    this.#held[row] += 1;
    return row;
  }

  /** The key of `row`. */
  key(row: number): string {
    return this.#keys[row];
  }

  /** Starts a lease: answers its number. */
  nextLease(): number {
    return ++this.#leases;
  }

  /**
   * Whether lease `lease` may take an operation of `row`: none of the key's operations is leased but by this lease,
   * and this lease skipped none of them (once one is skipped, so is every later one, so the key's order holds).
   */
  mayTake(row: number, lease: number): boolean {
    return (this.#leased[row] === 0 || this.#takenBy[row] === lease) && this.#skippedBy[row] !== lease;
  }

  /** Lease `lease` takes an operation of `row`. */
  take(row: number, lease: number): void {
    this.#leased[row] += 1;
    this.#takenBy[row] = lease;
  }

  /** Lease `lease` skips an operation of `row`. */
  skip(row: number, lease: number): void {
    this.#skippedBy[row] = lease;
  }

  /** An operation of `row` is no longer leased (acknowledged or released). */
  unlease(row: number): void {
    this.#leased[row] -= 1;
  }

  /** An operation of `row` is removed; the row turns idle once the key holds none. */
  remove(row: number): void {
    this.#held[row] -= 1;
    if (this.#held[row] > 0) return;
    this.#idle += 1;
    if (this.#idle > IDLE_ROWS && this.#idle * 2 > this.#rowOf.size) this.#forgetIdle();
  }

  /** Forgets the keys that hold no operation, and frees their rows. */
  #forgetIdle(): void {
    for (const [key, row] of this.#rowOf) {
      if (this.#held[row] > 0) continue;
      this.#rowOf.delete(key);
      this.#keys[row] = '';
      this.#free.push(row);
    }
    this.#idle = 0;
  }
}
