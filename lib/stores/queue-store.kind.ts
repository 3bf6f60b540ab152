import type { CustomerIOQueueStore, CustomerIOStoreKind } from '../interfaces/queue-store.interface.js';

/** The kinds of the stores this package ships, by class name. */
const KINDS: Readonly<Record<string, CustomerIOStoreKind>> = {
  MemoryQueueStore: 'memory',
  SqliteQueueStore: 'sqlite',
  RedisQueueStore: 'redis',
};

/**
 * Which store `store` is: one this package ships, or a subclass of one (told by class name, so that naming the
 * SQLite or Redis store loads neither driver), else `'custom'`.
 */
export function storeKindOf(store: CustomerIOQueueStore): CustomerIOStoreKind {
  for (let proto: unknown = Object.getPrototypeOf(store); proto; proto = Object.getPrototypeOf(proto)) {
    const kind = KINDS[(proto as { constructor?: { name?: string } }).constructor?.name ?? ''];
    if (kind) return kind;
  }
  return 'custom';
}
