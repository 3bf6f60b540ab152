import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CustomerIOQueueStore, MemoryQueueStore, SqliteQueueStore } from '../../../lib/stores/index.js';
import { queueStoreContract } from '../../../lib/testing/index.js';

// The queue store contract (lib/testing/queue-store.contract.ts) on the stores of one process; the Redis store
// runs it in redis-queue-store.contract.spec.ts.

describe('MemoryQueueStore, the store contract', () => {
  it('has none of the optional capabilities: their checks pass without asserting', () => {
    const store: CustomerIOQueueStore = new MemoryQueueStore();
    expect([store.durable, store.enforceBound, store.sharedOutcomes, store.leaseDeadlines]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  for (const check of queueStoreContract(() => new MemoryQueueStore())) it(check.name, check.run);

  describe('the keys it holds', () => {
    const all = { maxOperations: 100_000, maxBytes: 1e9 };
    const op = (id: string, key: string) => ({ id, key, json: `{"id":"${id}"}`, bytes: id.length + 9, attempts: 0 });
    const leasedFrom = (store: MemoryQueueStore) => store.lease(all).map(({ id, key }) => `${key}:${id}`);
    /** Appends b1, a2, b2, a3 (after a1 came and went), and checks that each key keeps one lease and its order. */
    function checkOrder(store: MemoryQueueStore): void {
      for (const [id, key] of [
        ['b1', 'b'],
        ['a2', 'a'],
        ['b2', 'b'],
        ['a3', 'a'],
      ])
        store.append(op(id, key));
      const [b1] = store.lease({ maxOperations: 1, maxBytes: 1e6 });
      expect(leasedFrom(store)).toEqual(['a:a2', 'a:a3']);
      store.release([b1]);
      expect(leasedFrom(store)).toEqual(['b:b1', 'b:b2']);
      expect(leasedFrom(store)).toEqual([]);
    }

    it('keeps the order of a key held again after all its operations left', () => {
      const store = new MemoryQueueStore();
      store.append(op('a1', 'a'));
      store.acknowledge(store.lease(all));
      checkOrder(store);
    });

    it('forgets the keys that hold nothing once they outnumber those that do, and reuses their rows', () => {
      const store = new MemoryQueueStore();
      for (let n = 0; n < 20_000; n++) store.append(op(`x${n}`, `k${n}`));
      store.append(op('a1', 'a'));
      store.acknowledge(store.lease(all));
      expect(store.size).toBe(0);
      checkOrder(store);
    });
  });
});

describe.each(['tick', 'append'] as const)(
  'SqliteQueueStore (commit: %s), the store contract (a file for each space)',
  (commit) => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'cio-contract-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is durable and has no other capability', () => {
      const store = new SqliteQueueStore({ path: join(dir, 'capabilities.db'), commit });
      try {
        expect([store.durable, 'enforceBound' in store, 'sharedOutcomes' in store, 'leaseDeadlines' in store]).toEqual([
          true,
          false,
          false,
          false,
        ]);
      } finally {
        store.close();
      }
    });

    for (const check of queueStoreContract((space) => new SqliteQueueStore({ path: join(dir, `${space}.db`), commit })))
      it(check.name, check.run);
  },
);
