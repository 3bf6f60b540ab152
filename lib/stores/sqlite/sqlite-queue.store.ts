import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { CustomerIOQueueStore, LeaseLimits, QueuedOperation } from '../../interfaces/queue-store.interface.js';
import {
  SQLITE_CANNOT_OPEN,
  SQLITE_CLOSED,
  SQLITE_CORRUPTED,
  SQLITE_IN_USE,
  SQLITE_NEWER_SCHEMA,
  SQLITE_NOT_INSTALLED,
  SQLITE_NOT_LEASED,
  SQLITE_NOT_OURS,
  SQLITE_WRITE_FAILED,
} from './sqlite-queue.messages.js';

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

/** `PRAGMA application_id` of a queue file: "CIOQ". */
export const SQLITE_QUEUE_APPLICATION_ID = 0x4349_4f51;
/** `PRAGMA user_version` of the schema this version writes. */
export const SQLITE_QUEUE_SCHEMA_VERSION = 1;

const SCHEMA = [
  // NOTE: `seq` is the rowid: append order, and a row keeps it until deleted, so a released
  // operation is back in its original place with no bookkeeping.
  `CREATE TABLE operations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    key TEXT NOT NULL,
    json TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    attempts INTEGER NOT NULL
  ) STRICT`,
  'CREATE INDEX operations_by_id ON operations (id)',
];
const SCHEMA_OBJECTS = ['index:operations_by_id', 'table:operations'];

type Row = [seq: number, id: string, key: string, json: string, bytes: number, attempts: number];

/** An operation handed out by a lease, with its row for the way back. */
interface LeasedOperation extends QueuedOperation {
  readonly seq: number;
}

type DatabaseConstructor = typeof BetterSqlite3;

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
  readonly #insert: BetterSqlite3.Statement<unknown[]>;
  readonly #scan: BetterSqlite3.Statement<unknown[]>;
  readonly #rows: BetterSqlite3.Statement<unknown[]>;
  readonly #delete: BetterSqlite3.Statement<unknown[]>;
  readonly #setAttempts: BetterSqlite3.Statement<unknown[]>;
  readonly #findId: BetterSqlite3.Statement<unknown[]>;
  readonly #deleteAll: (seqs: readonly number[]) => void;
  readonly #updateAll: (operations: readonly LeasedOperation[]) => void;
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
    const Database = loadDriver();
    let db: BetterSqlite3.Database;
    try {
      db = new Database(path, { timeout: lockTimeoutMs });
    } catch (error) {
      throw new Error(SQLITE_CANNOT_OPEN(path, describe(error)), { cause: error });
    }
    try {
      this.#prepareFile(db, synchronous);
    } catch (error) {
      db.close();
      throw openError(path, error);
    }
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO operations (id, key, json, bytes, attempts) VALUES (?, ?, ?, ?, ?)');
    this.#scan = db.prepare('SELECT seq, key, bytes FROM operations ORDER BY seq').raw();
    this.#rows = db
      .prepare(
        'SELECT seq, id, key, json, bytes, attempts FROM operations WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq',
      )
      .raw();
    this.#delete = db.prepare('DELETE FROM operations WHERE seq = ?');
    this.#setAttempts = db.prepare('UPDATE operations SET attempts = ? WHERE seq = ?');
    this.#findId = db.prepare('SELECT 1 FROM operations WHERE id = ? LIMIT 1').pluck();
    this.#deleteAll = db.transaction((seqs: readonly number[]) => {
      for (const seq of seqs) this.#delete.run(seq);
    });
    this.#updateAll = db.transaction((operations: readonly LeasedOperation[]) => {
      for (const { seq, attempts } of operations) this.#setAttempts.run(attempts, seq);
    });
    const { count, total } = db
      .prepare('SELECT COUNT(*) AS count, COALESCE(SUM(bytes), 0) AS total FROM operations')
      .get() as {
      count: number;
      total: number;
    };
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
      this.#insert.run(id, key, json, bytes, attempts);
    } catch (error) {
      throw new Error(SQLITE_WRITE_FAILED(this.path, 'append an operation', describe(error)), { cause: error });
    }
    this.#size += 1;
    this.#bytes += bytes;
  }

  lease({ maxOperations, maxBytes }: LeaseLimits): LeasedOperation[] {
    this.#assertOpen();
    const seqs: number[] = [];
    let skipped: Set<string> | undefined;
    let bytes = 0;
    if (maxOperations <= 0) return [];
    // NOTE: scans seq, key and bytes only; the rows taken are read whole afterwards, in one query.
    for (const [seq, key, size] of this.#scan.iterate() as IterableIterator<[number, string, number]>) {
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
    const taken = (this.#rows.all(JSON.stringify(seqs)) as Row[]).map(toOperation);
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
      this.#deleteAll(leased.map(({ seq }) => seq));
    } catch (error) {
      throw new Error(SQLITE_WRITE_FAILED(this.path, 'acknowledge operations', describe(error)), { cause: error });
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
      this.#updateAll(leased);
    } catch (error) {
      throw new Error(SQLITE_WRITE_FAILED(this.path, 'release operations', describe(error)), { cause: error });
    }
  }

  dropOldest(): QueuedOperation | undefined {
    this.#assertOpen();
    let oldest: number | undefined;
    for (const [seq] of this.#scan.iterate() as IterableIterator<[number]>) {
      if (this.#leased.has(seq)) continue;
      oldest = seq;
      break;
    }
    if (oldest === undefined) return undefined;
    const [row] = this.#rows.all(`[${oldest}]`) as Row[];
    try {
      this.#delete.run(oldest);
    } catch (error) {
      throw new Error(SQLITE_WRITE_FAILED(this.path, 'drop an operation', describe(error)), { cause: error });
    }
    const { seq: _seq, ...operation } = toOperation(row);
    this.#size -= 1;
    this.#bytes -= operation.bytes;
    return operation;
  }

  has(id: string): boolean {
    this.#assertOpen();
    return this.#findId.get(id) !== undefined;
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

  /** Checks the file is new or ours, then sets it up; writes nothing to a file that is not ours. */
  #prepareFile(db: BetterSqlite3.Database, synchronous: 'normal' | 'full'): void {
    // NOTE: exclusive locking keeps a second process off the file (it would lease the same rows); the
    // lock goes with the process, so a killed one does not keep it.
    db.pragma('locking_mode = EXCLUSIVE');
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const objects = (
      db
        .prepare("SELECT type || ':' || name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
        .pluck()
        .all() as string[]
    ).sort();
    const fresh = applicationId === 0 && version === 0 && objects.length === 0;
    if (!fresh) {
      if (applicationId !== SQLITE_QUEUE_APPLICATION_ID) {
        const why =
          applicationId === 0
            ? `it holds ${objects.join(', ') || 'a user_version'} of another application`
            : `application_id is 0x${(applicationId >>> 0).toString(16)}`;
        throw new Error(SQLITE_NOT_OURS(this.path, why));
      }
      if (version > SQLITE_QUEUE_SCHEMA_VERSION)
        throw new Error(SQLITE_NEWER_SCHEMA(this.path, version, SQLITE_QUEUE_SCHEMA_VERSION));
      if (version !== SQLITE_QUEUE_SCHEMA_VERSION || objects.join() !== SCHEMA_OBJECTS.join()) {
        throw new Error(
          SQLITE_CORRUPTED(this.path, `schema version ${version} with ${objects.join(', ') || 'no tables'}`),
        );
      }
      const check = (db.prepare('PRAGMA quick_check(3)').pluck().all() as string[]).flatMap((line) => line.split('\n'));
      if (check.join() !== 'ok')
        throw new Error(SQLITE_CORRUPTED(this.path, `quick_check: ${check.slice(0, 3).join('; ')}`));
    }
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // NOTE: a write at open, new file or not: it takes the exclusive lock now, and an unwritable file or
    // a full disk fails here rather than at the first event.
    db.transaction(() => {
      if (fresh) for (const statement of SCHEMA) db.exec(statement);
      db.pragma(`application_id = ${SQLITE_QUEUE_APPLICATION_ID}`);
      db.pragma(`user_version = ${SQLITE_QUEUE_SCHEMA_VERSION}`);
    }).immediate();
  }

  #checkLeased(operations: readonly QueuedOperation[]): LeasedOperation[] {
    for (const operation of operations) {
      const seq = (operation as Partial<LeasedOperation>).seq;
      if (seq === undefined || this.#leased.get(seq) !== operation.id) throw new Error(SQLITE_NOT_LEASED(operation.id));
    }
    return operations as LeasedOperation[];
  }

  #unlease({ seq, key }: LeasedOperation): void {
    this.#leased.delete(seq);
    const count = this.#leasedKeys.get(key)! - 1;
    if (count === 0) this.#leasedKeys.delete(key);
    else this.#leasedKeys.set(key, count);
  }

  #assertOpen(): void {
    if (!this.#db.open) throw new Error(SQLITE_CLOSED(this.path));
  }
}

function toOperation([seq, id, key, json, bytes, attempts]: Row): LeasedOperation {
  return { id, key, json, bytes, attempts, seq };
}

/** Loads better-sqlite3 only when a store is made, so the library does not need it otherwise. */
function loadDriver(): DatabaseConstructor {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor;
  } catch (error) {
    throw new Error(SQLITE_NOT_INSTALLED(describe(error)), { cause: error });
  }
}

/** An error met while opening, said with the path and what it means for the file. */
function openError(path: string, error: unknown): Error {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error as Error;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return new Error(SQLITE_IN_USE(path), { cause: error });
  if (code === 'SQLITE_NOTADB') return new Error(SQLITE_NOT_OURS(path, 'not a SQLite database'), { cause: error });
  if (code.startsWith('SQLITE_CORRUPT')) return new Error(SQLITE_CORRUPTED(path, describe(error)), { cause: error });
  return new Error(SQLITE_CANNOT_OPEN(path, describe(error)), { cause: error });
}

function describe(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}
