// `nestjs-customerio/stores`: the queue stores that need no optional peer at import time, and the contract a store
// of your own implements. The SQLite store loads `better-sqlite3` only when one is made; the Redis store, which
// needs `ioredis`, has its own entry (`nestjs-customerio/redis`).
export { MemoryQueueStore } from './memory-queue.store.js';
export { SqliteQueueStore } from './sqlite/sqlite-queue.store.js';
export type { SqliteQueueStoreOptions } from './sqlite/sqlite-queue.options.js';
export type {
  AppendResult,
  AppendResults,
  CustomerIOOverflowPolicy,
  CustomerIOQueueStore,
  CustomerIOStoreKind,
  LeaseDeadlines,
  LeaseLimits,
  QueueBound,
  QueuedOperation,
  SharedOutcome,
  SharedOutcomes,
} from '../interfaces/queue-store.interface.js';
