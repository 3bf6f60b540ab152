import { SQLITE_OPTION_VALUES } from '../../customerio.constants.js';
import { SQLITE_INVALID_OPTION } from './sqlite-queue.messages.js';

/** Options of {@link SqliteQueueStore}. */
export interface SqliteQueueStoreOptions {
  /**
   * The queue file. Created when missing (its directory must exist); a `-wal` file lives beside it while
   * the store is open. An existing file must be a queue this store wrote: any other file is refused,
   * never emptied.
   */
  readonly path: string;
  /**
   * When appends are committed to the file, that is when a receipt's `stored` resolves:
   * - `'tick'` (group commit): the operations enqueued in one turn of the event loop are committed together, in one
   *   transaction, right after that turn (sooner when the queue leases them, and by 1,000 when a turn enqueues
   *   more); `stored` resolves at that commit, and rejects (the operation is reported `failed`) when it fails. A
   *   process killed before the commit (`kill -9`) loses the operations of the current turn, whose `stored` had not
   *   resolved; an operation whose `stored` resolved is never lost.
   * - `'append'`: each operation is committed before `enqueue` returns (its `stored` resolves at once, and a write
   *   that fails throws at the call): a process killed at any moment loses nothing it enqueued, at the price of a
   *   transaction for each.
   *
   * `'tick'` is the default: what `stored` promises is the same, the window it adds for callers who do not wait for
   * `stored` is one turn of the event loop, and the queue moves about twice the events a second (`npm run bench`).
   * @default 'tick'
   */
  readonly commit?: (typeof SQLITE_OPTION_VALUES.commit)[number];
  /**
   * SQLite's `synchronous` setting (the file is always in WAL mode). With `'normal'`, what was committed
   * (see `commit`) survives the process being killed at any moment; an OS crash or power loss can roll back
   * what was committed since the last checkpoint (at most SQLite's auto-checkpoint of 1,000 pages, about
   * 4 MB of operations and acknowledgements): lost appends are lost events, lost acknowledgements are
   * events sent again (Customer.io drops repeated event ids). `'full'` syncs the disk on every commit —
   * nothing committed is lost, at the price of an fsync per commit (per enqueued operation with
   * `commit: 'append'`).
   * @default 'normal'
   */
  readonly synchronous?: (typeof SQLITE_OPTION_VALUES.synchronous)[number];
  /**
   * How long opening waits for another user of the file (another process, or a store not closed yet) to
   * let it go before failing.
   * @default 1000
   */
  readonly lockTimeoutMs?: number;
}

/** {@link SqliteQueueStoreOptions} with their defaults. */
export type ResolvedSqliteOptions = Required<SqliteQueueStoreOptions>;

/** Applies the defaults; throws a `RangeError` naming the option when one is not one of its values. */
export function resolveSqliteOptions(options: SqliteQueueStoreOptions): ResolvedSqliteOptions {
  const { path, commit = 'tick', synchronous = 'normal', lockTimeoutMs = 1_000 } = options;
  checkOption('commit', commit, SQLITE_OPTION_VALUES.commit);
  checkOption('synchronous', synchronous, SQLITE_OPTION_VALUES.synchronous);
  if (!(Number.isInteger(lockTimeoutMs) && lockTimeoutMs >= 0))
    throw new RangeError(SQLITE_INVALID_OPTION('lockTimeoutMs', 'a whole number of ms from 0', lockTimeoutMs));
  return { path, commit, synchronous, lockTimeoutMs };
}

/** Throws a `RangeError` naming `option` unless `value` is one of `values`. */
function checkOption(option: string, value: unknown, values: readonly string[]): void {
  if (!values.includes(value as string))
    throw new RangeError(SQLITE_INVALID_OPTION(option, values.map((v) => `'${v}'`).join(' or '), value));
}
