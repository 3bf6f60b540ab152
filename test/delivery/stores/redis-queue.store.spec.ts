import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { QueuedOperation } from '../../../lib/delivery/queue-store.interface.js';
import { RedisQueueStore } from '../../../lib/delivery/stores/redis-queue.store.js';
import { CustomerIOSandbox } from '../../../lib/testing/index.js';
import { expectEachOnceOrReported } from '../../support/delivery-assertions.js';
import { createQueueApp, type QueueApp } from '../../support/queue-app.js';
import { deleteKeys, startRedisServer, type TestRedis, uniquePrefix, useRedis } from '../../support/redis-server.js';

const ALL = { maxOperations: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER };

function op(id: string, key: string, bytes = 10): QueuedOperation {
  return { id, key, json: JSON.stringify({ id, key }), bytes, attempts: 0 };
}

const ids = (operations: readonly QueuedOperation[]): string[] => operations.map((o) => o.id);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let server: TestRedis;
let admin: Redis;
const cleanup: (() => Promise<unknown>)[] = [];
let prefix: string;

beforeAll(async () => {
  server = await useRedis();
  admin = new Redis(server.url);
});
afterAll(async () => {
  await admin.quit();
  await server.stop();
});
beforeEach(() => {
  prefix = uniquePrefix('redis-store');
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  await deleteKeys(admin, prefix);
});

/** A store on the test prefix with a client of its own (one per simulated instance). */
function makeStore(visibilityTimeoutMs = 30_000): RedisQueueStore {
  const store = new RedisQueueStore({ redis: server.url, prefix, visibilityTimeoutMs });
  cleanup.push(() => store.close());
  return store;
}

describe('RedisQueueStore, the contract', () => {
  it('appends, leases in order, acknowledges, and counts', async () => {
    const store = makeStore();
    expect(store.durable).toBe(true);
    await store.append(op('a1', 'a', 10));
    await store.append(op('b1', 'b', 20));
    await store.append(op('a2', 'a', 30));
    expect([store.size, store.bytes]).toEqual([3, 60]);
    expect(await store.has('b1')).toBe(true);

    const batch = await store.lease({ maxOperations: 2, maxBytes: 1_000 });
    expect(ids(batch)).toEqual(['a1', 'b1']);
    expect(batch[0]).toMatchObject({ key: 'a', json: '{"id":"a1","key":"a"}', bytes: 10, attempts: 0 });
    // a2's key is leased: it waits
    expect(ids(await store.lease(ALL))).toEqual([]);
    expect(store.size).toBe(3);

    await store.acknowledge(batch);
    expect([store.size, store.bytes]).toEqual([1, 30]);
    expect(await store.has('a1')).toBe(false);
    expect(ids(await store.lease(ALL))).toEqual(['a2']);
  });

  it('stops a lease at maxBytes, and appends an id only once', async () => {
    const store = makeStore();
    for (const o of [op('1', 'x', 40), op('2', 'y', 40), op('3', 'z', 40), op('1', 'x', 40)]) await store.append(o);
    expect(store.size).toBe(3);
    expect(ids(await store.lease({ maxOperations: 10, maxBytes: 100 }))).toEqual(['1', '2']);
  });

  it('keeps per-key order over several leases: skips a leased key and every later operation of it', async () => {
    const store = makeStore();
    for (const o of [op('a1', 'a'), op('b1', 'b'), op('a2', 'a'), op('c1', 'c'), op('b2', 'b'), op('a3', 'a')]) await store.append(o);
    const first = await store.lease({ maxOperations: 1, maxBytes: 1_000 });
    expect(ids(first)).toEqual(['a1']);
    const second = await store.lease({ maxOperations: 2, maxBytes: 1_000 });
    expect(ids(second)).toEqual(['b1', 'c1']);
    expect(ids(await store.lease(ALL))).toEqual([]);
    await store.acknowledge(first);
    const third = await store.lease(ALL);
    expect(ids(third)).toEqual(['a2', 'a3']);
    await store.acknowledge(second);
    expect(ids(await store.lease(ALL))).toEqual(['b2']);
  });

  it('releases operations back into their places, with their attempts', async () => {
    const store = makeStore();
    for (const o of [op('a1', 'a'), op('a2', 'a'), op('b1', 'b')]) await store.append(o);
    const batch = await store.lease({ maxOperations: 1, maxBytes: 1_000 });
    batch[0].attempts = 3;
    await store.release(batch);
    const again = await store.lease(ALL);
    expect(ids(again)).toEqual(['a1', 'a2', 'b1']);
    expect(again[0].attempts).toBe(3);
    expect(store.size).toBe(3);
  });

  it('has() covers queued and leased operations', async () => {
    const store = makeStore();
    await store.append(op('q', 'q'));
    await store.append(op('l', 'l'));
    await store.lease({ maxOperations: 1, maxBytes: 1_000 });
    expect([await store.has('q'), await store.has('l'), await store.has('nope')]).toEqual([true, true, false]);
  });

  it('dropOldest drops the oldest operation not leased', async () => {
    const store = makeStore();
    for (const o of [op('a1', 'a', 5), op('b1', 'b', 7), op('c1', 'c', 9)]) await store.append(o);
    await store.lease({ maxOperations: 1, maxBytes: 1_000 });
    expect(await store.dropOldest()).toMatchObject({ id: 'b1', key: 'b', bytes: 7, attempts: 0 });
    expect([store.size, store.bytes]).toEqual([2, 14]);
  });

  it('two instances on one prefix never lease the same operation or the same key at once', async () => {
    const one = makeStore();
    const two = makeStore();
    const all = Array.from({ length: 300 }, (_, i) => op(`op-${String(i).padStart(3, '0')}`, `k-${i % 17}`));
    await Promise.all(all.map((o) => one.append(o))); // one connection: Redis sees them in this order
    const delivered: string[] = [];
    const live = new Map<string, string>(); // key -> id, across both instances
    const worker = async (store: RedisQueueStore): Promise<void> => {
      for (;;) {
        const batch = await store.lease({ maxOperations: 7, maxBytes: 1_000 });
        if (batch.length === 0) {
          if (delivered.length === all.length) return;
          await sleep(1);
          continue;
        }
        const keys = new Set(batch.map((o) => o.key));
        for (const key of keys) {
          expect(live.has(key)).toBe(false);
          live.set(key, batch[0].id);
        }
        await sleep(Math.random() * 3);
        for (const key of keys) live.delete(key);
        delivered.push(...ids(batch));
        await store.acknowledge(batch);
      }
    };
    await Promise.all([worker(one), worker(two)]);
    expect([...delivered].sort()).toEqual(ids(all));
    // per key, in append order
    for (let k = 0; k < 17; k++) {
      const ofKey = delivered.filter((id) => all.find((o) => o.id === id)!.key === `k-${k}`);
      expect(ofKey).toEqual([...ofKey].sort());
    }
    await one.refresh();
    expect(one.size).toBe(0);
  });

  it('an expired lease (its instance died) is leased by another instance, in its place and in order', async () => {
    const dying = makeStore(300);
    const survivor = makeStore(300);
    for (const o of [op('a1', 'a'), op('b1', 'b'), op('a2', 'a'), op('b2', 'b')]) await dying.append(o);
    expect(ids(await dying.lease({ maxOperations: 2, maxBytes: 1_000 }))).toEqual(['a1', 'b1']);
    await dying.close(); // stops renewing: the lease runs out
    expect(ids(await survivor.lease(ALL))).toEqual([]);
    await sleep(400);
    expect(ids(await survivor.lease(ALL))).toEqual(['a1', 'b1', 'a2', 'b2']);
  });

  it('a live instance renews its lease past the visibility timeout', async () => {
    const holder = makeStore(150);
    const other = makeStore(150);
    await holder.append(op('a1', 'a'));
    expect(ids(await holder.lease(ALL))).toEqual(['a1']);
    await sleep(400);
    expect(ids(await other.lease(ALL))).toEqual([]);
  });
});

describe('RedisQueueStore, with the queue', () => {
  let sandbox: CustomerIOSandbox;
  const apps: QueueApp[] = [];

  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
  });
  afterEach(async () => {
    for (const { app } of apps.splice(0)) await app.close();
    await sandbox.close();
  });

  it('delivers each operation once by id, in order per person', async () => {
    const store = makeStore();
    const subject = await createQueueApp(sandbox, { queue: { store } });
    apps.push(subject);
    const sent = Array.from({ length: 40 }, (_, i) => subject.client.track(`u-${i % 4}`, 'stored', { i }).id);
    await subject.client.flush();
    expectEachOnceOrReported(sandbox, sent, subject.log);
    expect(sandbox.events.map((e) => e.id)).toEqual(sent);
    expect(store.size).toBe(0);
  });

  it('two apps share one queue: one killed mid-batch, the other delivers everything once after the visibility timeout', async () => {
    sandbox.hang({ path: '/api/v2/batch', times: 1 });
    const clientA = new Redis(server.url);
    const storeA = new RedisQueueStore({ redis: clientA, prefix, visibilityTimeoutMs: 300 });
    cleanup.push(() => storeA.close());
    const a = await createQueueApp(sandbox, { queue: { store: storeA, shutdownTimeoutMs: 100 } });
    apps.push(a);
    const sent = Array.from({ length: 30 }, (_, i) => a.client.track(`u-${i % 5}`, 'shared', { i }).id);
    void a.client.flush();
    await sandbox.waitFor(() => sandbox.requests.length === 1, 2_000);
    // "kill" A: its Redis connection drops and it never acknowledges nor renews
    clientA.disconnect();
    await storeA.close();

    const storeB = makeStore(300);
    const b = await createQueueApp(sandbox, { queue: { store: storeB, flushIntervalMs: 50 } });
    apps.push(b);
    await sandbox.waitFor(() => sandbox.events.length === 30, 5_000);
    await sleep(100);
    expectEachOnceOrReported(sandbox, sent, b.log);
    for (let person = 0; person < 5; person++) {
      const order = sandbox.events.filter((e) => e.personId === `u-${person}`).map((e) => e.id);
      expect(order).toEqual(sent.filter((_, i) => i % 5 === person));
    }
    await sandbox.waitFor(() => storeB.size === 0, 2_000);
  });
});

describe("store: 'redis' in the module options", () => {
  it('makes a shared store from the URL, delivers through it, and closes it at shutdown', async () => {
    const sandbox = await CustomerIOSandbox.start();
    try {
      const subject = await createQueueApp(sandbox, { queue: { store: 'redis', redis: { url: server.url, prefix } } });
      const ids = Array.from({ length: 6 }, (_, i) => subject.client.track(`u-${i % 3}`, 'shared').id);
      await subject.client.flush();
      await subject.app.close();
      expectEachOnceOrReported(sandbox, ids, subject.log);
      expect(await admin.zcard(`{${prefix}}:queue`)).toBe(0);
    } finally {
      await sandbox.close();
    }
  });
});

describe('RedisQueueStore with overflow: drop-oldest', () => {
  it('drops the oldest queued operations to make room, reports them, and delivers the rest', async () => {
    const sandbox = await CustomerIOSandbox.start();
    try {
      const store = makeStore();
      const subject = await createQueueApp(sandbox, { queue: { store, maxQueueSize: 5, overflow: 'drop-oldest' } });
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        ids.push(subject.client.track(`u-${i}`, 'bounded', { i }).id);
        await sleep(20); // each enqueue sees the size its predecessors left
      }
      await sandbox.waitFor(() => subject.log.ids('dropped').length === 3, 2_000);
      expect(subject.log.ids('dropped')).toEqual(ids.slice(0, 3));
      await subject.client.flush();
      expect(sandbox.events.map((e) => e.id)).toEqual(ids.slice(3));
      expectEachOnceOrReported(sandbox, ids, subject.log);
      await subject.app.close();
    } finally {
      await sandbox.close();
    }
  });
});

describe('RedisQueueStore, Redis restarted mid-run', () => {
  let sandbox: CustomerIOSandbox;

  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('keeps what Redis persisted, and what was appended while Redis was down is delivered once after it is back', async () => {
    const own = await startRedisServer({ persist: true });
    const store = new RedisQueueStore({ redis: own.url, prefix });
    const subject = await createQueueApp(sandbox, { queue: { store } });
    try {
      const before = Array.from({ length: 5 }, (_, i) => subject.client.track(`u-${i % 2}`, 'before', { i }).id);
      await sleep(50); // appended (nothing sent: the flush interval is long)
      await own.kill();
      const during = Array.from({ length: 5 }, (_, i) => subject.client.track(`u-${i % 2}`, 'during', { i }).id);
      await sleep(200);
      await own.start();
      await subject.client.flush();
      await sandbox.waitFor(() => sandbox.events.length === 10, 5_000);
      expectEachOnceOrReported(sandbox, [...before, ...during], subject.log);
      expect(sandbox.events.map((e) => e.id)).toEqual([...before, ...during]);
    } finally {
      await subject.app.close();
      await store.close();
      await own.stop();
    }
  });

  it('an operation appended while Redis is unreachable fails visibly (reported failed), when the client does not queue offline', async () => {
    const own = await startRedisServer();
    const client = new Redis(own.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await new Promise((resolve) => client.once('ready', resolve));
    const store = new RedisQueueStore({ redis: client, prefix });
    const subject = await createQueueApp(sandbox, { queue: { store } });
    try {
      await own.kill();
      const id = subject.client.track('u-1', 'lost?').id;
      await sandbox.waitFor(() => subject.log.ids('failed').includes(id), 2_000);
      expect(subject.log.reports.find((r) => r.ids.includes(id))?.reason).toMatch(/^store: /);
    } finally {
      await subject.app.close();
      await store.close();
      await own.stop();
      client.disconnect();
    }
  });
});
