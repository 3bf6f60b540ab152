import { afterEach } from '@jest/globals';
import type { Redis } from 'ioredis';
import type { AppendResult, QueuedOperation } from '../../lib/interfaces/queue-store.interface.js';
import { RedisQueueStore, type RedisQueueStoreOptions } from '../../lib/stores/redis/redis-queue.store.js';
import { deleteKeys, startRedisServer, uniquePrefix, useRedisForFile } from './redis-server.js';

/** Operation `id` of `key` as a store holds it: JSON naming both, padded to about `bytes` when given. */
export function queuedOperation(id: string, key: string, bytes?: number): QueuedOperation {
  const pad = bytes === undefined ? '' : 'x'.repeat(Math.max(0, bytes - id.length - key.length - 25));
  const json = JSON.stringify(pad ? { id, key, pad } : { id, key });
  return { id, key, json, bytes: Buffer.byteLength(json), attempts: 0 };
}

/** Fresh prefixes named `name` on `redis`, each deleted after the test that made it. */
export function usePrefixes(redis: { readonly admin: Redis }, name: string): () => string {
  const made: string[] = [];
  afterEach(async () => {
    for (const prefix of made.splice(0)) await deleteKeys(redis.admin, prefix);
  });
  return () => {
    const prefix = uniquePrefix(name);
    made.push(prefix);
    return prefix;
  };
}

/**
 * A `redis-server` of the calling file's own (so that the commands it counts are the file's alone), and the stores its
 * tests open on it: each test's stores are closed, and their prefixes deleted, after it.
 */
export function useOwnRedisStores(name: string) {
  const redis = useRedisForFile(() => startRedisServer());
  const stores: RedisQueueStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  // NOTE: registered after the stores' hook, so it runs after it (Jest runs a block's afterEach hooks in order).
  const prefix = usePrefixes(redis, name);
  return {
    redis,
    /** The stores open in the current test. */
    stores: stores as readonly RedisQueueStore[],
    /** A fresh prefix, deleted after the test. */
    prefix,
    /** A store on `storePrefix` (a fresh one by default) that refreshes its totals only when asked, closed after the test. */
    store(storePrefix = prefix(), options: Partial<RedisQueueStoreOptions> = {}): RedisQueueStore {
      const store = new RedisQueueStore({
        redis: redis.server.url,
        prefix: storePrefix,
        refreshIntervalMs: 3_600_000,
        ...options,
      });
      stores.push(store);
      return store;
    },
  };
}

/**
 * Counts the scripts sent through `client` from now on: how many, and the most awaiting Redis's answer at once (ioredis
 * keeps a command's arguments, such as an encoded chunk of appends, until Redis answers it).
 */
export function countScripts(client: Redis): { readonly sent: number; readonly mostAwaiting: number } {
  const scripts = { sent: 0, mostAwaiting: 0 };
  let awaiting = 0;
  const evalsha = client.evalsha.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { evalsha: typeof evalsha }).evalsha = (...args) => {
    scripts.sent += 1;
    scripts.mostAwaiting = Math.max(scripts.mostAwaiting, ++awaiting);
    return evalsha(...args).finally(() => (awaiting -= 1));
  };
  return scripts;
}

/** What the store answered for the append of `operation` (its chunk's answer names each operation it did anything to). */
export async function answerOf(store: RedisQueueStore, operation: QueuedOperation): Promise<AppendResult | undefined> {
  return (await store.append(operation))?.get(operation.id);
}
