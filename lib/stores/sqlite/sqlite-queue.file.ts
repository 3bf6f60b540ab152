import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import {
  describeError,
  SQLITE_CANNOT_OPEN,
  SQLITE_CORRUPTED,
  SQLITE_IN_USE,
  SQLITE_NEWER_SCHEMA,
  SQLITE_NOT_INSTALLED,
  SQLITE_NOT_OURS,
} from './sqlite-queue.messages.js';
import { SCHEMA, SCHEMA_OBJECTS } from './sqlite-queue.table.js';

/** `PRAGMA application_id` of a queue file: "CIOQ". */
const SQLITE_QUEUE_APPLICATION_ID = 0x4349_4f51;
/** `PRAGMA user_version` of the schema this version writes. */
const SQLITE_QUEUE_SCHEMA_VERSION = 1;

type DatabaseConstructor = typeof BetterSqlite3;

/**
 * Opens (or creates) a queue file, checks it is new or ours (application id, schema, `PRAGMA quick_check`),
 * then sets it up, taking its exclusive lock. Throws an error naming the file when `better-sqlite3` is not
 * installed, or the file cannot be opened or written, is in use, or is not a queue file; writes nothing to a file
 * that is not ours.
 */
export function openQueueFile(
  path: string,
  synchronous: 'normal' | 'full',
  lockTimeoutMs: number,
): BetterSqlite3.Database {
  const Database = loadDriver();
  let db: BetterSqlite3.Database;
  try {
    db = new Database(path, { timeout: lockTimeoutMs });
  } catch (error) {
    throw new Error(SQLITE_CANNOT_OPEN(path, describeError(error)), { cause: error });
  }
  try {
    prepareFile(db, path, synchronous);
  } catch (error) {
    db.close();
    throw openError(path, error);
  }
  return db;
}

/** Checks the file is new or ours, then sets it up; writes nothing to a file that is not ours. */
function prepareFile(db: BetterSqlite3.Database, path: string, synchronous: 'normal' | 'full'): void {
  // NOTE: exclusive locking keeps a second process off the file (it would lease the same rows); the
  // lock goes with the process, so a killed one does not keep it.
  db.pragma('locking_mode = EXCLUSIVE');
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const objects = (
    db.prepare("SELECT type || ':' || name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").pluck().all() as string[]
  ).sort();
  const fresh = applicationId === 0 && version === 0 && objects.length === 0;
  if (!fresh) checkOurs(db, path, applicationId, version, objects);
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

/** Throws unless a file that is not new is a queue file of this schema, and sound. */
function checkOurs(
  db: BetterSqlite3.Database,
  path: string,
  applicationId: number,
  version: number,
  objects: readonly string[],
): void {
  if (applicationId !== SQLITE_QUEUE_APPLICATION_ID) {
    const why =
      applicationId === 0
        ? `it holds ${objects.join(', ') || 'a user_version'} of another application`
        : `application_id is 0x${(applicationId >>> 0).toString(16)}`;
    throw new Error(SQLITE_NOT_OURS(path, why));
  }
  if (version > SQLITE_QUEUE_SCHEMA_VERSION)
    throw new Error(SQLITE_NEWER_SCHEMA(path, version, SQLITE_QUEUE_SCHEMA_VERSION));
  if (version !== SQLITE_QUEUE_SCHEMA_VERSION || objects.join() !== SCHEMA_OBJECTS.join()) {
    throw new Error(SQLITE_CORRUPTED(path, `schema version ${version} with ${objects.join(', ') || 'no tables'}`));
  }
  const check = (db.prepare('PRAGMA quick_check(3)').pluck().all() as string[]).flatMap((line) => line.split('\n'));
  if (check.join() !== 'ok') throw new Error(SQLITE_CORRUPTED(path, `quick_check: ${check.slice(0, 3).join('; ')}`));
}

/** Loads better-sqlite3 only when a store is made, so the library does not need it otherwise. */
function loadDriver(): DatabaseConstructor {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor;
  } catch (error) {
    throw new Error(SQLITE_NOT_INSTALLED(describeError(error)), { cause: error });
  }
}

/** An error met while opening, said with the path and what it means for the file. */
function openError(path: string, error: unknown): Error {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error as Error;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return new Error(SQLITE_IN_USE(path), { cause: error });
  if (code === 'SQLITE_NOTADB') return new Error(SQLITE_NOT_OURS(path, 'not a SQLite database'), { cause: error });
  if (code.startsWith('SQLITE_CORRUPT'))
    return new Error(SQLITE_CORRUPTED(path, describeError(error)), { cause: error });
  return new Error(SQLITE_CANNOT_OPEN(path, describeError(error)), { cause: error });
}
