import assert from 'node:assert/strict';
import { appendResultOf } from '../delivery/pending-appends.js';
import type { CustomerIOQueueStore, QueuedOperation, SharedOutcome } from '../interfaces/queue-store.interface.js';
import { ALL, appendAll, type CheckBody, ids, op, sleep } from './queue-store-check.support.js';

/** Whether the store's answer to the append of `operation` says it was refused, and the ids it says were dropped for it. */
async function answered(store: CustomerIOQueueStore, operation: QueuedOperation) {
  const result = appendResultOf(await store.append(operation), operation.id);
  return { rejected: result?.rejected === true, dropped: [...(result?.droppedIds ?? [])] };
}
const stored = { rejected: false, dropped: [] };

/** The checks of `enforceBound`, for a store that has it (see `queueStoreContract`). */
export const boundChecks: Record<string, CheckBody> = {
  async "enforceBound, overflow 'reject': an append that does not fit, by count or by bytes, is refused and not kept"(
    stores,
  ) {
    const store = await stores.open();
    if (!store.enforceBound) return;
    const operations = ['a', 'b', 'c'].map((id) => op(id, id));
    store.enforceBound({ maxQueueSize: 3, maxQueueBytes: operations[0].bytes * 3 + 10, overflow: 'reject' });
    for (const operation of operations) assert.deepEqual(await answered(store, operation), stored);
    assert.deepEqual(await answered(store, op('d', 'd')), { rejected: true, dropped: [] });
    assert.equal(await store.has('d'), false);
    assert.deepEqual([store.size, store.bytes], [3, operations[0].bytes * 3]);

    await store.acknowledge(await store.lease({ maxOperations: 1, maxBytes: Number.MAX_SAFE_INTEGER }));
    const heavy = op('heavy', 'h', 'x'.repeat(20));
    assert.deepEqual(await answered(store, heavy), { rejected: true, dropped: [] }, 'over maxQueueBytes');
    assert.deepEqual(await answered(store, op('e', 'e')), stored, 'room again');
  },

  async "enforceBound, overflow 'drop-oldest': the oldest operations no lease holds make room and are answered dropped"(
    stores,
  ) {
    const store = await stores.open();
    if (!store.enforceBound) return;
    store.enforceBound({ maxQueueSize: 3, maxQueueBytes: Number.MAX_SAFE_INTEGER, overflow: 'drop-oldest' });
    await appendAll(store, [op('a', 'a'), op('b', 'b'), op('c', 'c')]);
    assert.deepEqual(ids(await store.lease({ maxOperations: 1, maxBytes: Number.MAX_SAFE_INTEGER })), ['a']);
    assert.deepEqual(await answered(store, op('d', 'd')), { rejected: false, dropped: ['b'] });
    assert.deepEqual([await store.has('b'), await store.has('a'), await store.has('d')], [false, true, true]);
    assert.equal(store.size, 3);

    assert.deepEqual(ids(await store.lease(ALL)), ['c', 'd']);
    assert.deepEqual(
      await answered(store, op('e', 'e')),
      { rejected: true, dropped: [] },
      'every operation is leased: nothing can make room',
    );
    assert.equal(await store.has('e'), false);
  },
};

/** Two stores open on one space, when the store may be shared (`shared`); undefined otherwise. */
async function pair(
  stores: Parameters<CheckBody>[0],
): Promise<[CustomerIOQueueStore, CustomerIOQueueStore] | undefined> {
  const one = await stores.open();
  return stores.shared(one) ? [one, await stores.open()] : undefined;
}

/** The checks of stores shared by several processes and of their capabilities (see `queueStoreContract`). */
export const sharedChecks: Record<string, CheckBody> = {
  async 'shared: two stores on one space never lease the same operation or the same key at once, and keep each key in order'(
    stores,
  ) {
    const both = await pair(stores);
    if (!both) return;
    const all = Array.from({ length: 120 }, (_, i) => op(`op-${String(i).padStart(3, '0')}`, `k-${i % 7}`));
    await appendAll(both[0], all);
    const delivered: string[] = [];
    const live = new Set<string>(); // keys leased, by either store
    const deadline = Date.now() + 10_000;
    const worker = async (store: CustomerIOQueueStore): Promise<void> => {
      while (delivered.length < all.length) {
        assert.ok(Date.now() < deadline, `${delivered.length} of ${all.length} leased within 10 s`);
        const batch = await store.lease({ maxOperations: 5, maxBytes: Number.MAX_SAFE_INTEGER });
        const keys = new Set(batch.map(({ key }) => key));
        for (const key of keys) assert.equal(live.has(key), false, `key ${key} leased twice at once`);
        for (const key of keys) live.add(key);
        await sleep(batch.length ? Math.random() * 3 : 1);
        for (const key of keys) live.delete(key);
        delivered.push(...ids(batch));
        await store.acknowledge(batch);
      }
    };
    await Promise.all(both.map(worker));
    assert.deepEqual([...delivered].sort(), ids(all));
    for (let k = 0; k < 7; k++) {
      const ofKey = delivered.filter((id) => Number(id.slice(3)) % 7 === k);
      assert.deepEqual(ofKey, [...ofKey].sort(), `key k-${k} in order`);
    }
    assert.equal((await stores.open()).size, 0);
  },

  async 'leaseDeadlines: a live store renews its leases past leaseMs (another store leases nothing of them); validUntil says until when'(
    stores,
  ) {
    const holder = await stores.open();
    const deadlines = holder.leaseDeadlines;
    if (!deadlines) return;
    await holder.append(op('a1', 'a'));
    const leased = await holder.lease(ALL);
    assert.deepEqual(ids(leased), ['a1']);
    assert.ok(deadlines.validUntil(leased) > performance.now(), 'validUntil is ahead once leased');
    await sleep(deadlines.leaseMs * 2.5);
    assert.ok(deadlines.validUntil(leased) > performance.now(), 'validUntil moves on with the renewals');
    if (stores.shared(holder)) assert.deepEqual(ids(await (await stores.open()).lease(ALL)), [], 'still leased');
    await holder.acknowledge(leased);
    assert.equal(deadlines.validUntil(leased), Infinity, 'settled: no lease to end');
    if (!holder.close) return;
    await holder.append(op('a2', 'a'));
    const again = await holder.lease(ALL);
    await holder.close();
    assert.equal(deadlines.validUntil(again), -Infinity, 'closed: no lease is sure');
  },

  async 'leaseDeadlines, shared: the leases of a store that stopped run out after leaseMs, and another store leases their operations in their places'(
    stores,
  ) {
    const pairOf = await pair(stores);
    const [dying, survivor] = pairOf ?? [];
    if (!dying?.leaseDeadlines || !survivor || !dying.close) return;
    await appendAll(dying, [op('a1', 'a'), op('b1', 'b'), op('a2', 'a'), op('b2', 'b')]);
    assert.deepEqual(ids(await dying.lease({ maxOperations: 2, maxBytes: Number.MAX_SAFE_INTEGER })), ['a1', 'b1']);
    await dying.close();
    await sleep(dying.leaseDeadlines.leaseMs * 1.5 + 50);
    assert.deepEqual(ids(await survivor.lease(ALL)), ['a1', 'b1', 'a2', 'b2']);
  },

  async 'sharedOutcomes: an outcome one store reports reaches the store watching the id once, with its reason; its own reports end its own watches'(
    stores,
  ) {
    const pairOf = await pair(stores);
    const [watcher, reporter] = pairOf ?? [];
    if (!watcher?.sharedOutcomes || !reporter?.sharedOutcomes) return;
    await reporter.append(op('held', 'k')); // still in the store: watched on
    await watcher.sharedOutcomes.watch(['a', 'b', 'held']);
    await reporter.sharedOutcomes.report('delivered', ['a', 'unwatched']);
    await reporter.sharedOutcomes.report('failed', ['b'], 'HTTP 500\nsecond line');
    const byId = (list: SharedOutcome[]) =>
      Array.from(list, (outcome) => ({ ...outcome })).sort((x, y) => x.id.localeCompare(y.id));
    assert.deepEqual(byId(await watcher.sharedOutcomes.collect(['a', 'b', 'held'])), [
      { id: 'a', outcome: 'delivered' },
      { id: 'b', outcome: 'failed', reason: 'HTTP 500\nsecond line' },
    ]);
    assert.deepEqual(byId(await watcher.sharedOutcomes.collect(['held'])), [], 'still held: still watched');
    assert.deepEqual(byId(await watcher.sharedOutcomes.collect(['a'])), [{ id: 'a' }], 'answered once, then forgotten');
    assert.deepEqual(
      byId(await watcher.sharedOutcomes.collect(['gone'])),
      [{ id: 'gone' }],
      'neither watched nor held: no outcome can come',
    );
    await watcher.sharedOutcomes.watch(['own']);
    await watcher.sharedOutcomes.report('delivered', ['own']);
    assert.deepEqual(
      byId(await watcher.sharedOutcomes.collect(['own'])),
      [{ id: 'own' }],
      'its own report ended its own watch',
    );
  },
};
