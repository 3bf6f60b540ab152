/** Texts of the errors `SqliteQueueStore` throws, in one place. */

const PREFIX = 'SqliteQueueStore';

export const SQLITE_INVALID_OPTION = (option: string, expected: string, got: unknown) =>
  `${PREFIX}: option ${option} must be ${expected}, got ${typeof got === 'string' ? `'${got}'` : String(got)}`;

export const SQLITE_NOT_INSTALLED = (cause: string) =>
  `${PREFIX}: the "better-sqlite3" package is not installed (npm install better-sqlite3@12): ${cause}`;

export const SQLITE_CANNOT_OPEN = (path: string, cause: string) =>
  `${PREFIX}: cannot open the queue file ${path}: ${cause}`;

export const SQLITE_IN_USE = (path: string) =>
  `${PREFIX}: the queue file ${path} is in use by another process or store (a queue file has one user at a time)`;

export const SQLITE_NOT_OURS = (path: string, why: string) =>
  `${PREFIX}: ${path} is not a nestjs-customerio queue (${why}); refusing to use it, and leaving it as it is`;

export const SQLITE_CORRUPTED = (path: string, why: string) =>
  `${PREFIX}: the queue file ${path} is corrupted (${why}); refusing to use it, and leaving it as it is`;

export const SQLITE_NEWER_SCHEMA = (path: string, found: number, known: number) =>
  `${PREFIX}: the queue file ${path} has schema version ${found}, newer than this version knows (${known}); ` +
  'refusing to use it, and leaving it as it is';

export const SQLITE_WRITE_FAILED = (path: string, action: string, cause: string) =>
  `${PREFIX}: could not ${action} in the queue file ${path}: ${cause}`;

export const SQLITE_CLOSED = (path: string) => `${PREFIX}: the queue file ${path} was closed`;

export const SQLITE_NOT_LEASED = (id: string) => `${PREFIX}: operation ${id} is not leased from this store`;

/** A driver's error as text: its message, after its code when the message does not say it. */
export function describeError(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}
