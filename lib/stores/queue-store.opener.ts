import type { ResolvedQueueOptions } from '../options/resolved-options.interface.js';
import { MemoryQueueStore } from './memory-queue.store.js';
import type { CustomerIOQueueStore } from '../interfaces/queue-store.interface.js';

/** The queue's store, and whether the module opened it (then the module closes it at shutdown). */
export interface OpenedQueueStore {
  readonly store: CustomerIOQueueStore;
  readonly owned: boolean;
}

/**
 * Opens the store `queue.store` names, or hands back the one given (not owned). The SQLite and Redis stores are
 * loaded only when named, so their drivers are needed only by the applications that use them; opening
 * one checks its file or connection, so a bad path fails the application's start-up.
 */
export async function openQueueStore({ store, sqlite, redis }: ResolvedQueueOptions): Promise<OpenedQueueStore> {
  if (typeof store !== 'string') return { store, owned: false };
  switch (store) {
    case 'memory':
      return { store: new MemoryQueueStore(), owned: true };
    case 'sqlite': {
      const { SqliteQueueStore } = await import('./sqlite/sqlite-queue.store.js');
      return { store: new SqliteQueueStore(sqlite!), owned: true };
    }
    case 'redis': {
      const { RedisQueueStore } = await import('./redis/redis-queue.store.js');
      const { url, ...settings } = redis!;
      const made = new RedisQueueStore({ redis: url.reveal(), ...settings });
      try {
        await made.ready(); // fails on a prefix in an earlier version's layout
      } catch (error) {
        await made.close();
        throw error;
      }
      return { store: made, owned: true };
    }
  }
}
