import type BetterSqlite3 from 'better-sqlite3';
import type { QueuedOperation } from '../../interfaces/queue-store.interface.js';

/** The queue file's schema: what a new file is given, in order. */
export const SCHEMA = [
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
/** The objects {@link SCHEMA} makes, as `type:name`, sorted: what a queue file holds. */
export const SCHEMA_OBJECTS = ['index:operations_by_id', 'table:operations'];

/** An operation handed out by a lease of the SQLite queue store, with its row for the way back. */
export interface SqliteLeasedOperation extends QueuedOperation {
  readonly seq: number;
}

/** Rows one statement of {@link SqliteQueueTable.insertAll} adds. */
const INSERT_ROWS = 16;
/** Most rows one query of {@link SqliteQueueTable.read} takes. */
const MAX_READ_CHUNK = 4_096;

/** The `operations` table of an open queue file: its statements, prepared once. Writes throw the driver's errors. */
export class SqliteQueueTable {
  readonly #insert: BetterSqlite3.Statement<unknown[]>;
  readonly #insertRows: BetterSqlite3.Statement<unknown[]>;
  readonly #read: BetterSqlite3.Statement<unknown[]>;
  readonly #delete: BetterSqlite3.Statement<unknown[]>;
  readonly #findId: BetterSqlite3.Statement<unknown[]>;
  readonly #oldest: BetterSqlite3.Statement<unknown[]>;
  readonly #totals: BetterSqlite3.Statement<unknown[]>;
  readonly #deleteRange: BetterSqlite3.Statement<unknown[]>;
  readonly #insertAll: (operations: readonly QueuedOperation[]) => number;
  readonly #deleteAll: (seqs: readonly number[]) => void;
  readonly #updateAll: (operations: readonly SqliteLeasedOperation[]) => void;

  /** Prepares the statements on `db`, a queue file {@link SCHEMA} was given. */
  constructor(db: BetterSqlite3.Database) {
    this.#insert = db.prepare('INSERT INTO operations (id, key, json, bytes, attempts) VALUES (?, ?, ?, ?, ?)');
    // NOTE: rows as objects of the columns' names: the leased operations themselves, with no copy.
    this.#read = db.prepare(
      'SELECT seq, id, key, json, bytes, attempts FROM operations WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?',
    );
    this.#delete = db.prepare('DELETE FROM operations WHERE seq = ?');
    this.#deleteRange = db.prepare('DELETE FROM operations WHERE seq BETWEEN ? AND ?');
    const setAttempts = db.prepare('UPDATE operations SET attempts = ? WHERE seq = ?');
    this.#findId = db.prepare('SELECT 1 FROM operations WHERE id = ? LIMIT 1').pluck();
    this.#oldest = db.prepare('SELECT id FROM operations ORDER BY seq LIMIT 1').pluck();
    this.#totals = db.prepare('SELECT COUNT(*) AS count, COALESCE(SUM(bytes), 0) AS total FROM operations');
    const values = '(?, ?, ?, ?, ?), '.repeat(INSERT_ROWS).slice(0, -2);
    this.#insertRows = db.prepare(`INSERT INTO operations (id, key, json, bytes, attempts) VALUES ${values}`);
    this.#insertAll = db.transaction((operations: readonly QueuedOperation[]) => {
      // NOTE: INSERT_ROWS rows a statement (fewer calls into the driver), the rest one by one. The rows
      // of one transaction get consecutive seqs.
      const fields: unknown[] = [];
      let i = 0;
      let last = 0;
      for (; i + INSERT_ROWS <= operations.length; i += INSERT_ROWS) {
        fields.length = 0;
        for (let j = i; j < i + INSERT_ROWS; j++) {
          const { id, key, json, bytes, attempts } = operations[j];
          fields.push(id, key, json, bytes, attempts);
        }
        last = Number(this.#insertRows.run(fields).lastInsertRowid);
      }
      for (; i < operations.length; i++) last = this.insert(operations[i]);
      return last - operations.length + 1;
    });
    this.#deleteAll = db.transaction((seqs: readonly number[]) => {
      // NOTE: one statement per run of consecutive seqs (a batch is mostly one run) rather than one per row.
      const sorted = seqs.toSorted((a, b) => a - b);
      for (let start = 0, end = 0; start < sorted.length; start = end) {
        while (++end < sorted.length && sorted[end] === sorted[end - 1] + 1);
        this.#deleteRange.run(sorted[start], sorted[end - 1]);
      }
    });
    this.#updateAll = db.transaction((operations: readonly SqliteLeasedOperation[]) => {
      for (const { seq, attempts } of operations) setAttempts.run(attempts, seq);
    });
  }

  /** How many operations the table holds, and their bytes. */
  totals(): { count: number; total: number } {
    return this.#totals.get() as { count: number; total: number };
  }

  /**
   * Adds an operation at the end; answers its row's `seq`: one more than the largest held, so the `seq` of a row
   * deleted from the end comes again.
   */
  insert({ id, key, json, bytes, attempts }: QueuedOperation): number {
    return Number(this.#insert.run(id, key, json, bytes, attempts).lastInsertRowid);
  }

  /** Adds `operations` (at least one) at the end, in order, in one transaction; answers the first one's `seq`. */
  insertAll(operations: readonly QueuedOperation[]): number {
    return this.#insertAll(operations);
  }

  /**
   * The operations in the rows from `seq` on and below `below`, in append order, read lazily by chunks (stop when
   * done): each chunk of `chunk(read)` rows, `read` being how many rows came before it (at least 1, 1 for `NaN`, at
   * most {@link MAX_READ_CHUNK}).
   */
  *read(seq: number, below: number, chunk: (read: number) => number): Generator<SqliteLeasedOperation> {
    const end = Math.min(below, Number.MAX_SAFE_INTEGER);
    let from = seq;
    let read = 0;
    for (;;) {
      const asked = Math.ceil(chunk(read));
      const size = asked > 1 ? Math.min(asked, MAX_READ_CHUNK) : 1;
      const rows = this.#read.all(from, end, size) as SqliteLeasedOperation[];
      yield* rows;
      if (rows.length < size) return;
      read += size;
      from = rows[size - 1].seq + 1;
    }
  }

  /** Deletes the row `seq`. */
  delete(seq: number): void {
    this.#delete.run(seq);
  }

  /** Deletes the rows `seqs`, in one transaction. */
  deleteAll(seqs: readonly number[]): void {
    this.#deleteAll(seqs);
  }

  /** Writes the `attempts` of each operation to its row, in one transaction. */
  updateAttempts(operations: readonly SqliteLeasedOperation[]): void {
    this.#updateAll(operations);
  }

  /** The id in the first row (the oldest operation), if any. */
  oldestId(): string | undefined {
    return this.#oldest.get() as string | undefined;
  }

  /** Whether a row holds the operation `id`. */
  has(id: string): boolean {
    return this.#findId.get(id) !== undefined;
  }
}
