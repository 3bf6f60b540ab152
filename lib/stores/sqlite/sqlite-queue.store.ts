import type BetterSqlite3 from 'better-sqlite3';
import type { CustomerIOQueueStore, LeaseLimits, QueuedOperation } from '../../interfaces/queue-store.interface.js';
import { AppendGroup } from './sqlite-queue.append-group.js';
import { openQueueFile } from './sqlite-queue.file.js';
import { resolveSqliteOptions, type SqliteQueueStoreOptions } from './sqlite-queue.options.js';
import { RecentOperations } from './sqlite-queue.recent.js';
import { describeError, SQLITE_CLOSED, SQLITE_NOT_LEASED, SQLITE_WRITE_FAILED } from './sqlite-queue.messages.js';
import { type SqliteLeasedOperation, SqliteQueueTable } from './sqlite-queue.table.js';

/**
 * A durable queue store in an embedded SQLite file (through `better-sqlite3` 12, an optional peer
 * dependency: `npm install better-sqlite3@12`). Operations outlive the process: what shutdown could not
 * send, and what a crash left behind, is sent when the application starts again.
 *
 * - The appends of one turn of the event loop are committed together right after it, `stored` resolving at the
 *   commit (`commit: 'tick'`, the default), or each before `enqueue` returns (`'append'`); see `commit` for what
 *   `kill -9` can lose, and `synchronous` for what an OS crash can. An operation is deleted only once acknowledged,
 *   that is after Customer.io answered for it.
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
  /** The appends waiting for their commit (`commit: 'tick'`); none with `commit: 'append'`. */
  readonly #group?: AppendGroup;
  #size = 0;
  #bytes = 0;
  /** Leased rows (seq → id). */
  readonly #leased = new Map<number, string>();
  /** Keys with an operation in a lease, and how many. */
  readonly #leasedKeys = new Map<string, number>();
  /** Every row below this seq is leased (or gone): a lease reads from here. */
  #floor = 0;
  /** The operations committed last, leased from memory rather than read back. */
  readonly #recent = new RecentOperations();

  /**
   * Opens (or creates) the queue file and checks it. Throws when `better-sqlite3` is not installed, the
   * file cannot be opened or written, is in use, or is not a queue of this store; a `RangeError` naming the
   * option when an option is not one of its values.
   */
  constructor(options: SqliteQueueStoreOptions) {
    const { path, commit, synchronous, lockTimeoutMs } = resolveSqliteOptions(options);
    this.path = path;
    this.#db = openQueueFile(path, synchronous, lockTimeoutMs);
    this.#table = new SqliteQueueTable(this.#db);
    if (commit === 'tick') this.#group = new AppendGroup((operations) => this.#commit(operations));
    const { count, total } = this.#table.totals();
    this.#size = count;
    this.#bytes = total;
  }

  /** Operations held, those waiting for their commit (`commit: 'tick'`) included. */
  get size(): number {
    return this.#size;
  }

  /** Bytes of the operations held, those waiting for their commit included. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether the file is still open (see {@link close}). */
  get open(): boolean {
    return this.#db.open;
  }

  /**
   * Keeps the operation: with `commit: 'tick'`, answers a promise of its group's commit (see
   * {@link SqliteQueueStoreOptions.commit}); with `'append'`, commits it before returning. Throws once closed.
   */
  append(operation: QueuedOperation): void | Promise<void> {
    this.#assertOpen();
    this.#size += 1;
    this.#bytes += operation.bytes;
    if (this.#group) return this.#group.add(operation);
    this.#commit([operation], 'append an operation');
  }

  // NOTE: typed as the interface's QueuedOperation, so the published types never name better-sqlite3's.
  lease({ maxOperations, maxBytes }: LeaseLimits): QueuedOperation[] {
    this.#assertOpen();
    this.#group?.commit();
    if (maxOperations <= 0) return [];
    const taken: SqliteLeasedOperation[] = [];
    let skipped: Set<string> | undefined;
    let bytes = 0;
    let front = true;
    let floor = this.#floor;
    // NOTE: reads whole rows from the floor, by chunks of as many as should fill the lease (by the mean size of the
    // operations held), so that what is taken is read once; a row passed over (leased, or behind a leased key) is
    // read for nothing. The floor moves past the rows at its front that are leased, so the next lease skips them.
    const mean = this.#bytes / Math.max(this.#size, 1);
    const wanted = () => Math.min(maxOperations - taken.length, (maxBytes - bytes) / mean) + 1;
    for (const operation of this.#rows(floor, wanted)) {
      const { seq, key } = operation;
      if (this.#leased.has(seq)) {
        if (front) floor = seq + 1;
        continue;
      }
      if (this.#leasedKeys.has(key) || skipped?.has(key)) {
        (skipped ??= new Set()).add(key);
        front = false;
        continue;
      }
      if (bytes + operation.bytes > maxBytes) break;
      bytes += operation.bytes;
      taken.push(operation);
      if (front) floor = seq + 1;
      if (taken.length >= maxOperations) break;
    }
    this.#floor = floor;
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
      this.#recent.delete(operation.seq);
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
    for (const operation of leased) {
      this.#unlease(operation);
      this.#recent.updateAttempts(operation);
      this.#floor = Math.min(this.#floor, operation.seq);
    }
    try {
      this.#table.updateAttempts(leased);
    } catch (error) {
      throw new Error(SQLITE_WRITE_FAILED(this.path, 'release operations', describeError(error)), { cause: error });
    }
  }

  dropOldest(): QueuedOperation | undefined {
    this.#assertOpen();
    this.#group?.commit();
    let oldest: SqliteLeasedOperation | undefined;
    for (const operation of this.#rows(this.#floor, (read) => read)) {
      if (this.#leased.has(operation.seq)) continue;
      oldest = operation;
      break;
    }
    if (oldest === undefined) return undefined;
    try {
      this.#table.delete(oldest.seq);
    } catch (error) {
      throw new Error(SQLITE_WRITE_FAILED(this.path, 'drop an operation', describeError(error)), { cause: error });
    }
    this.#recent.delete(oldest.seq);
    const { seq: _seq, ...operation } = oldest;
    this.#size -= 1;
    this.#bytes -= operation.bytes;
    return operation;
  }

  has(id: string): boolean {
    this.#assertOpen();
    this.#group?.commit();
    return this.#table.has(id);
  }

  /**
   * The id of the oldest operation held (queued or leased, or waiting for its commit), if any: one read of the
   * table's first row.
   */
  oldestId(): string | undefined {
    this.#assertOpen();
    return this.#size > 0 ? (this.#table.oldestId() ?? this.#group?.oldestId) : undefined;
  }

  /**
   * Closes the file (SQLite checkpoints the WAL into it). Leases end with it: what was leased and not
   * acknowledged is queued again for the next store opened on the file. The appends waiting for their commit are
   * committed first. Calling it again does nothing.
   */
  close(): void {
    if (!this.#db.open) return;
    this.#group?.commit();
    this.#db.close();
    this.#recent.clear();
    this.#leased.clear();
    this.#leasedKeys.clear();
  }

  /**
   * Inserts `operations` (already counted in `size` and `bytes`) in one transaction, and takes them out of the counts
   * when that fails; `action` names the write in the error, by default a group's commit.
   */
  #commit(
    operations: readonly QueuedOperation[],
    action = `commit ${operations.length} appended operation${operations.length === 1 ? '' : 's'}`,
  ): void {
    let first: number;
    try {
      first = operations.length === 1 ? this.#table.insert(operations[0]) : this.#table.insertAll(operations);
    } catch (error) {
      for (const { bytes } of operations) {
        this.#size -= 1;
        this.#bytes -= bytes;
      }
      throw new Error(SQLITE_WRITE_FAILED(this.path, action, describeError(error)), { cause: error });
    }
    this.#floor = Math.min(this.#floor, first);
    this.#recent.add(operations, first, this.#size - this.#leased.size);
  }

  /** The operations from the row `seq` on, in append order: read from the file up to the recent ones, then those. */
  *#rows(seq: number, chunk: (read: number) => number): Generator<SqliteLeasedOperation> {
    const recent = this.#recent.first;
    if (seq < recent) yield* this.#table.read(seq, recent, chunk);
    yield* this.#recent.from(seq);
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
