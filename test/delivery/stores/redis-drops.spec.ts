import { describe, expect, it } from '@jest/globals';
import type { QueuedOperation } from '../../../lib/interfaces/queue-store.interface.js';
import type { RedisQueueStore } from '../../../lib/stores/redis/redis-queue.store.js';
import { answerOf, queuedOperation, useOwnRedisStores } from '../../support/redis-stores.js';

// The Redis store's drops (overflow 'drop-oldest', and dropOldest): the oldest operations no lease holds, by append
// order, whether their person is ready or has other operations leased (those are read when a drop needs them).

const MAX = Number.MAX_SAFE_INTEGER;

const { store: openStore } = useOwnRedisStores('redis-drops');
const op = queuedOperation;

/**
 * A store holding a1 b1 a2 a3 b2 c1 (in that order), with a1 b1 a2 leased and then a1 released: a1 is queued again in
 * its place while a2 keeps person a leased; a1 a3 b2 c1 are the operations no lease holds.
 */
async function storeWithLeasedPeople(): Promise<{ store: RedisQueueStore; leased: QueuedOperation[] }> {
  const store = openStore();
  for (const [id, key] of [
    ['a1', 'a'],
    ['b1', 'b'],
    ['a2', 'a'],
    ['a3', 'a'],
    ['b2', 'b'],
    ['c1', 'c'],
  ]) {
    await store.append(op(id, key));
  }
  const leased = await store.lease({ maxOperations: 3, maxBytes: MAX });
  expect(leased.map((o) => o.id)).toEqual(['a1', 'b1', 'a2']);
  await store.release([leased[0]]);
  return { store, leased: leased.slice(1) };
}

describe('RedisQueueStore, drops', () => {
  it("overflow 'drop-oldest' drops by append order, a leased person's queued operations and a released one included", async () => {
    const { store, leased } = await storeWithLeasedPeople();
    store.enforceBound({ maxQueueSize: 6, maxQueueBytes: MAX, overflow: 'drop-oldest' });

    const dropped: string[] = [];
    for (const id of ['d1', 'd2', 'd3', 'd4', 'd5']) {
      const answer = await answerOf(store, op(id, 'd'));
      expect(answer?.rejected).toBe(false);
      dropped.push(...(answer?.droppedIds ?? []));
    }
    expect(dropped).toEqual(['a1', 'a3', 'b2', 'c1', 'd1']);
    for (const { id } of leased) expect(await store.has(id)).toBe(true);

    await store.acknowledge(leased);
    expect((await store.lease({ maxOperations: MAX, maxBytes: MAX })).map((o) => o.id)).toEqual([
      'd2',
      'd3',
      'd4',
      'd5',
    ]);
  });

  it('dropOldest removes the oldest operation no lease holds, wherever it is', async () => {
    const { store } = await storeWithLeasedPeople();
    const order: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) order.push((await store.dropOldest())?.id);
    expect(order).toEqual(['a1', 'a3', 'b2', 'c1', undefined]);
    expect(store.size).toBe(2);
  });
});
