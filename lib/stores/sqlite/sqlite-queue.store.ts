import type BetterSqlite3 from 'better-sqlite3';
import type { CustomerIOQueueStore, LeaseLimits, QueuedOperation } from '../../interfaces/queue-store.interface.js';
import { openQueueFile } from './sqlite-queue.file.js';
import { describeError, SQLITE_CLOSED, SQLITE_NOT_LEASED, SQLITE_WRITE_FAILED } from './sqlite-queue.messages.js';
import { type SqliteLeasedOperation, SqliteQueueTable } from './sqlite-queue.table.js';

/** Options of {@link SqliteQueueStore}. */
export interface SqliteQueueStoreOptions {
  /**
   * The queue file. Created when missing (its directory must exist); a `-wal` file lives beside it while
   * the store is open. An existing file must be a queue this store wrote: any other file is refused,
   * never emptied.
   */
  readonly path: string;
  /**
   * SQLite's `synchronous` setting (the file is always in WAL mode). With `'normal'`, every operation is
   * committed before `enqueue` returns and survives the process being killed at any moment; an OS crash
   * or power loss can roll back what was committed since the last checkpoint (at most SQLite's
   * auto-checkpoint of 1,000 pages, about 4 MB of operations and acknowledgements): lost appends are lost
   * events, lost acknowledgements are events sent again (Customer.io drops repeated event ids).
   * `'full'` syncs the disk on every commit — nothing committed is lost, at the price of an fsync per
   * enqueued operation.
   * @default 'normal'
   */
  readonly synchronous?: 'normal' | 'full';
  /**
   * How long opening waits for another user of the file (another process, or a store not closed yet) to
   * let it go before failing.
   * @default 1000
   */
  readonly lockTimeoutMs?: number;
}

/**
 * A durable queue store in an embedded SQLite file (through `better-sqlite3` 12, an optional peer
 * dependency: `npm install better-sqlite3@12`). Operations outlive the process: what shutdown could not
 * send, and what a crash left behind, is sent when the application starts again.
 *
 * - Every `append` is a committed INSERT before `enqueue` returns (see `synchronous` for what an OS crash
 *   can lose); an operation is deleted only once acknowledged, that is after Customer.io answered for it.
 * - Leases live in this process's memory: after a crash, a batch that was in flight is sent again with
 *   the same ids (at-least-once; Customer.io drops repeated event ids).
 * - The file has one user at a time (SQLite's exclusive locking mode): a second store or process on the
 *   same file fails to open, saying so. Close a store ({@link close}) before opening the file again.
 * - Opening checks the file (application id, schema, `PRAGMA quick_check`) and refuses a foreign or
 *   corrupted one with an error naming it, leaving it untouched; an unwritable path or a full disk fails
 *   here too, not at the first event.
 *
 * ```ts
 * CustomerIOModule.forRoot({ siteId, apiKey, queue: { store: new SqliteQueueStore({ path: '/var/lib/app/customerio.db' }) } });
 * ```
 */
export class SqliteQueueStore implements CustomerIOQueueStore {
  /** Operations outlive the process: kept at shutdown, sent at the next start. */
  readonly durable = true;
  /** The queue file. */
  readonly path: string;
  readonly #db: BetterSqlite3.Database;
  readonly #table: SqliteQueueTable;
  #size = 0;
  #bytes = 0;
  /** Leased rows (seq → id). */
  readonly #leased = new Map<number, string>();
  /** Keys with an operation in a lease, and how many. */
  readonly #leasedKeys = new Map<string, number>();

  /**
   * Opens (or creates) the queue file and checks it. Throws when `better-sqlite3` is not installed, the
   * file cannot be opened or written, is in use, or is not a queue of this store.
   */
  constructor(options: SqliteQueueStoreOptions) {
    const { path, synchronous = 'normal', lockTimeoutMs = 1_000 } = options;
    this.path = path;
    this.#db = openQueueFile(path, synchronous, lockTimeoutMs);
    this.#table = new SqliteQueueTable(this.#db);
    const { count, total } = this.#table.totals();
    this.#size = count;
    this.#bytes = total;
  }

  get size(): number {
    return this.#size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Whether the file is still open (see {@link close}). */
  get open(): boolean {
    return this.#db.open;
  }

  append({ id, key, json, bytes, attempts }: QueuedOperation): void {
    this.#assertOpen();
    try {
      this.#table.insert({ id, key, json, bytes, attempts });
    } catch (error) {
      throw new Error(SQLITE_WRITE_FAILED(this.path, 'append an operation', describeError(error)), { cause: error });
    }
    this.#size += 1;
    this.#bytes += bytes;
  }

  // NOTE: typed as the interface's QueuedOperation, so the published types never name better-sqlite3's.
  lease({ maxOperations, maxBytes }: LeaseLimits): QueuedOperation[] {
    this.#assertOpen();
    const seqs: number[] = [];
    let skipped: Set<string> | undefined;
    let bytes = 0;
    if (maxOperations <= 0) return [];
    // NOTE: scans seq, key and bytes only; the rows taken are read whole afterwards, in one query.
    for (const [seq, key, size] of this.#table.scan()) {
      if (this.#leased.has(seq)) continue;
      if (this.#leasedKeys.has(key) || skipped?.has(key)) {
        (skipped ??= new Set()).add(key);
        continue;
      }
      if (bytes + size > maxBytes) break;
      bytes += size;
      seqs.push(seq);
      if (seqs.length >= maxOperations) break;
    }
    if (seqs.length === 0) return [];
    const taken = this.#table.rows(seqs);
    for (const { seq, id, key } of taken) {
      this.#leased.set(seq, id);
      this.#leasedKeys.set(key, (this.#leasedKeys.get(key) ?? 0) + 1);
    }
    return taken;
  }

  acknowledge(operations: readonly QueuedOperation[]): void {
    this.#assertOpen();
    const leased = this.#checkLeased(operations);
    if (leased.length === 0) return;
    try {
      this.#table.deleteAll(leased.map(({ seq }) => seq));
    } catch (error) {
      throw new Error(SQLITE_WRITE_FAILED(this.path, 'acknowledge operations', describeError(error)), { cause: error });
    }
    for (const operation of leased) {
      this.#unlease(operation);
      this.#size -= 1;
      this.#bytes -= operation.bytes;
    }
  }

  release(operations: readonly QueuedOperation[]): void {
    this.#assertOpen();
    const leased = this.#checkLeased(operations);
    if (leased.length === 0) return;
    // NOTE: back in the queue even if the new attempt counts cannot be written: losing a count is
    // better than an operation stuck leased until the process ends.
    for (const operation of leased) this.#unlease(operation);
    try {
      this.#table.updateAttempts(leased);
    } catch (error) {
      throw new Error(SQLITE_WRITE_FAILED(this.path, 'release operations', describeError(error)), { cause: error });
    }
  }

  dropOldest(): QueuedOperation | undefined {
    this.#assertOpen();
    let oldest: number | undefined;
    for (const [seq] of this.#table.scan()) {
      if (this.#leased.has(seq)) continue;
      oldest = seq;
      break;
    }
    if (oldest === undefined) return undefined;
    const [row] = this.#table.rows([oldest]);
    try {
      this.#table.delete(oldest);
    } catch (error) {
      throw new Error(SQLITE_WRITE_FAILED(this.path, 'drop an operation', describeError(error)), { cause: error });
    }
    const { seq: _seq, ...operation } = row;
    this.#size -= 1;
    this.#bytes -= operation.bytes;
    return operation;
  }

  has(id: string): boolean {
    this.#assertOpen();
    return this.#table.has(id);
  }

  /**
   * Closes the file (SQLite checkpoints the WAL into it). Leases end with it: what was leased and not
   * acknowledged is queued again for the next store opened on the file. Calling it again does nothing.
   */
  close(): void {
    if (!this.#db.open) return;
    this.#db.close();
    this.#leased.clear();
    this.#leasedKeys.clear();
  }

  #checkLeased(operations: readonly QueuedOperation[]): SqliteLeasedOperation[] {
    for (const operation of operations) {
      const seq = (operation as Partial<SqliteLeasedOperation>).seq;
      if (seq === undefined || this.#leased.get(seq) !== operation.id) throw new Error(SQLITE_NOT_LEASED(operation.id));
    }
    return operations as SqliteLeasedOperation[];
  }

  #unlease({ seq, key }: SqliteLeasedOperation): void {
    this.#leased.delete(seq);
    const count = this.#leasedKeys.get(key)! - 1;
    if (count === 0) this.#leasedKeys.delete(key);
    else this.#leasedKeys.set(key, count);
  }

  #assertOpen(): void {
    if (!this.#db.open) throw new Error(SQLITE_CLOSED(this.path));
  }
}
