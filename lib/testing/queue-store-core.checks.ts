import assert from 'node:assert/strict';
import type { QueuedOperation } from '../interfaces/queue-store.interface.js';
import { ALL, appendAll, attemptsOf, type CheckBody, fields, ids, op, sleep } from './queue-store-check.support.js';

/** The checks every store passes (see `queueStoreContract`). */
export const coreChecks: Record<string, CheckBody> = {
  async 'appends, leases the oldest operations within maxOperations, acknowledges, and counts size and bytes'(stores) {
    const store = await stores.open();
    const operations = [op('a1', 'a'), op('b1', 'b', 'xx'), op('c1', 'c', 'xxxx')];
    await appendAll(store, operations);
    const weight = (list: QueuedOperation[]) => list.reduce((sum, { bytes }) => sum + bytes, 0);
    assert.deepEqual([store.size, store.bytes], [3, weight(operations)]);
    for (const { id } of operations) assert.equal(await store.has(id), true, `has('${id}') after append`);

    const leased = await store.lease({ maxOperations: 2, maxBytes: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(Array.from(leased, fields), operations.slice(0, 2));
    assert.deepEqual(ids(await store.lease(ALL)), ['c1']);
    assert.deepEqual(ids(await store.lease(ALL)), []);
    assert.deepEqual([store.size, store.bytes], [3, weight(operations)], 'leased operations still count');

    await store.acknowledge(leased);
    assert.deepEqual([store.size, store.bytes], [1, operations[2].bytes]);
    assert.equal(await store.has('a1'), false);
    assert.equal(await store.has('c1'), true, 'has() covers leased operations');
    assert.equal(await store.has('unknown'), false);
    await store.acknowledge([]);
    await store.release([]);
    assert.deepEqual([store.size, store.bytes], [1, operations[2].bytes]);
  },

  async 'cuts a lease at maxBytes (the operations’ bytes), and takes nothing for maxOperations 0'(stores) {
    const store = await stores.open();
    const operations = ['a', 'b', 'c'].map((id) => op(id, id));
    await appendAll(store, operations);
    const bytes = operations[0].bytes;
    assert.deepEqual(ids(await store.lease({ maxOperations: 10, maxBytes: bytes - 1 })), []);
    assert.deepEqual(ids(await store.lease({ maxOperations: 0, maxBytes: bytes * 10 })), []);
    assert.deepEqual(ids(await store.lease({ maxOperations: 10, maxBytes: bytes * 2 + 1 })), ['a', 'b']);
    assert.deepEqual(ids(await store.lease(ALL)), ['c']);
  },

  async 'keeps each key in one lease at a time, and its operations in order across leases'(stores) {
    const store = await stores.open();
    const keyed = ['a1', 'b1', 'a2', 'c1', 'b2', 'a3', 'c2'];
    await appendAll(
      store,
      keyed.map((id) => op(id, id[0])),
    );
    const first = await store.lease({ maxOperations: 2, maxBytes: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(ids(first), ['a1', 'b1']);
    assert.deepEqual(ids(await store.lease(ALL)), ['c1', 'c2'], 'a and b are leased: all of theirs waits');
    assert.deepEqual(ids(await store.lease(ALL)), []);
    await store.acknowledge([first[0]]);
    assert.deepEqual(ids(await store.lease(ALL)), ['a2', 'a3'], 'a1 acknowledged: a goes again; b1 still leased');
    await store.release([first[1]]);
    assert.deepEqual(ids(await store.lease(ALL)), ['b1', 'b2'], 'b1 released back ahead of b2');
  },

  async 'releases operations back into their places, with their new attempts'(stores) {
    const store = await stores.open();
    await appendAll(store, [op('a1', 'a'), op('a2', 'a'), op('b1', 'b')]);
    const [a1] = await store.lease({ maxOperations: 1, maxBytes: Number.MAX_SAFE_INTEGER });
    a1.attempts = 3;
    await store.release([a1]);
    assert.equal(store.size, 3);
    const again = await store.lease(ALL);
    assert.deepEqual(ids(again), ['a1', 'a2', 'b1']);
    assert.deepEqual(attemptsOf(again), [3, 0, 0]);
  },

  async 'dropOldest removes and answers the oldest operation no lease holds, and counts it out'(stores) {
    const store = await stores.open();
    const [a, b, c] = [op('a', 'a'), op('b', 'b', 'x'), op('c', 'c', 'xx')];
    await appendAll(store, [a, b, c]);
    assert.deepEqual(ids(await store.lease({ maxOperations: 1, maxBytes: Number.MAX_SAFE_INTEGER })), ['a']);
    const dropped = await store.dropOldest();
    assert.deepEqual(dropped && fields(dropped), b);
    assert.deepEqual([store.size, store.bytes], [2, a.bytes + c.bytes]);
    assert.equal(await store.has('b'), false);
    assert.equal(await store.has('a'), true, 'the leased one is still held');
    assert.equal((await store.dropOldest())?.id, 'c');
    assert.equal(await store.dropOldest(), undefined, 'nothing but leased operations left');
    assert.deepEqual([store.size, store.bytes], [1, a.bytes]);
  },

  async 'a durable store: another store opened on the space after close holds what was not acknowledged, in order, with its attempts'(
    stores,
  ) {
    const first = await stores.open();
    if (!first.durable || !first.close) return;
    await appendAll(first, [op('a1', 'a'), op('b1', 'b'), op('a2', 'a'), op('c1', 'c')]);
    const leased = await first.lease({ maxOperations: 2, maxBytes: Number.MAX_SAFE_INTEGER });
    leased[1].attempts = 2;
    await first.release([leased[1]]);
    await first.acknowledge([leased[0]]);
    assert.deepEqual(ids(await first.lease(ALL)), ['b1', 'a2', 'c1'], 'in flight when the store closes');
    await first.close();

    const second = await stores.open();
    const held = [op('b1', 'b'), op('a2', 'a'), op('c1', 'c')];
    assert.deepEqual([second.size, second.bytes], [3, held.reduce((sum, { bytes }) => sum + bytes, 0)]);
    // NOTE: a store whose leases run out keeps them past close until they do.
    const deadline = Date.now() + 2 * (second.leaseDeadlines?.leaseMs ?? 0) + 1_000;
    let again = await second.lease(ALL);
    while (again.length === 0 && Date.now() < deadline) {
      await sleep(20);
      again = await second.lease(ALL);
    }
    assert.deepEqual(ids(again), ['b1', 'a2', 'c1']);
    assert.deepEqual(attemptsOf(again), [2, 0, 0]);
  },

  async 'close lets go: closing again does nothing, and a closed store appends nothing'(stores) {
    const store = await stores.open();
    if (!store.close) return;
    await store.append(op('a', 'a'));
    await store.close();
    await store.close();
    await assert.rejects(async () => store.append(op('late', 'late')), 'append on a closed store');
  },
};
