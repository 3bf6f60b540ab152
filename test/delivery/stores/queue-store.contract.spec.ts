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
