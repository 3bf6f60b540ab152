import { afterEach, describe, expect, it } from '@jest/globals';
import { RedisQueueStore } from '../../../lib/redis/index.js';
import { queueStoreContract } from '../../../lib/testing/index.js';
import { deleteKeys, uniquePrefix, useRedisForFile } from '../../support/redis-server.js';

// The queue store contract (lib/testing/queue-store.contract.ts) on the Redis store: a key prefix for each space,
// leases of 300 ms, so that the checks waiting for leases to run out take about a second.

const VISIBILITY_TIMEOUT_MS = 300;

describe('RedisQueueStore, the store contract (a prefix for each space)', () => {
  const redis = useRedisForFile();
  const base = uniquePrefix('contract');
  const prefixes: string[] = [];
  afterEach(async () => {
    for (const prefix of prefixes.splice(0)) await deleteKeys(redis.admin, prefix);
  });

  async function makeStore(space: string): Promise<RedisQueueStore> {
    const prefix = `${base}:${space}`;
    prefixes.push(prefix);
    const store = new RedisQueueStore({ redis: redis.server.url, prefix, visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS });
    await store.ready();
    return store;
  }

  it('is durable and has every optional capability, so that every check asserts', async () => {
    const store = await makeStore('capabilities');
    try {
      expect(store.durable).toBe(true);
      expect(typeof store.enforceBound).toBe('function');
      expect(store.sharedOutcomes).toBeDefined();
      expect(store.leaseDeadlines?.leaseMs).toBe(VISIBILITY_TIMEOUT_MS);
    } finally {
      await store.close();
    }
  });

  // NOTE: the lease checks wait for leases to run out (about a second); a busy machine gets room beyond Jest's 5 s.
  for (const check of queueStoreContract(makeStore)) it(check.name, check.run, 15_000);
});
