import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CustomerIOError, CustomerIOQueueFullError } from '../../../lib/index.js';
import { type CustomerIOQueueOptions } from '../../../lib/interfaces/delivery-options.interface.js';
import type {
  AppendResult,
  QueueBound,
  QueuedOperation,
  SharedOutcome,
  SharedOutcomes,
} from '../../../lib/interfaces/queue-store.interface.js';
import { RedisQueueStore, type RedisQueueStoreOptions } from '../../../lib/stores/redis/redis-queue.store.js';
import { OUTCOME_GRACE_MS } from '../../../lib/stores/redis/redis-shared-outcomes.js';
import { CustomerIOSandbox } from '../../../lib/testing/index.js';
import { expectEachOnceOrReported, ReportLog } from '../../support/delivery-assertions.js';
import { LogCapture } from '../../support/log-capture.js';
import { describeNeeding } from '../../support/describe-needing.js';
import { QUEUE_SUITE_SETUP, startTestApp, type TestApp, useSandbox } from '../../support/test-app.js';
import { deleteKeys, startRedisServer, type TestRedis, uniquePrefix, useRedis } from '../../support/redis-server.js';
import { answerOf } from '../../support/redis-stores.js';

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
function makeStore(visibilityTimeoutMs = 30_000, options: Partial<RedisQueueStoreOptions> = {}): RedisQueueStore {
  const store = new RedisQueueStore({ redis: server.url, prefix, visibilityTimeoutMs, ...options });
  cleanup.push(() => store.close());
  return store;
}

/** Ids of the operations the test prefix holds, oldest first (by their sequences, in their keys' sorted sets). */
async function heldIds(): Promise<string[]> {
  const held: [string, number][] = [];
  for (const key of await admin.keys(`{${prefix}}:by-key:*`)) {
    const members = await admin.zrange(key, 0, -1, 'WITHSCORES');
    for (let i = 0; i < members.length; i += 2) held.push([members[i], Number(members[i + 1])]);
  }
  return held.sort((a, b) => a[1] - b[1]).map(([id]) => id);
}

/** Whether the test prefix holds watches, watchers, recorded outcomes' times, and outcomes (1 or 0 each). */
const sharedEntries = async (): Promise<number[]> =>
  Promise.all(['watches', 'watchers', 'settled', 'outcomes'].map((name) => admin.exists(`{${prefix}}:${name}`)));

/** Waits until `check` answers true, polling every 10 ms, for at most 2 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 2_000; !(await check()); await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`not met within 2 s: ${String(check)}`);
  }
}

/** Reads how many operations the test prefix holds, over and over, until stopped: `stop` answers the most it saw. */
function watchHeld(): { stop(): Promise<number> } {
  let watching = true;
  let peak = 0;
  const watched = (async () => {
    while (watching) peak = Math.max(peak, await admin.hlen(`{${prefix}}:operations`));
  })();
  return {
    stop: async () => {
      watching = false;
      await watched;
      return peak;
    },
  };
}

/**
 * Appends `count` operations `${name}-00`, `${name}-01`, ... of `bytes` each from `store`, `perTick` in each
 * tick (so each tick's go to Redis in one script call), and answers what the store answered for each id.
 */
async function appendMany(
  store: RedisQueueStore,
  name: string,
  count: number,
  bytes = 10,
  perTick = 4,
): Promise<Map<string, AppendResult | undefined>> {
  const answers = new Map<string, AppendResult | undefined>();
  for (let start = 0; start < count; start += perTick) {
    const tick = Array.from({ length: Math.min(perTick, count - start) }, (_, i) =>
      op(`${name}-${String(start + i).padStart(2, '0')}`, name, bytes),
    );
    await Promise.all(tick.map(async (o) => answers.set(o.id, await answerOf(store, o))));
  }
  return answers;
}

/** Ids the answers say were refused, and ids they say were dropped (in the order given). */
function outcomesOf(...answers: Map<string, AppendResult | undefined>[]): { refused: string[]; dropped: string[] } {
  const all = answers.flatMap((map) => [...map]);
  return {
    refused: all.filter(([, answer]) => answer?.rejected).map(([id]) => id),
    dropped: all.flatMap(([, answer]) => answer?.droppedIds ?? []),
  };
}

// NOTE: the store contract runs on this store in redis-queue-store.contract.spec.ts; here, what is its own.
describe('RedisQueueStore, beyond the store contract', () => {
  it('appends an id only once', async () => {
    const store = makeStore();
    for (const o of [op('1', 'x', 40), op('2', 'y', 40), op('1', 'x', 40)]) await store.append(o);
    expect([store.size, store.bytes]).toEqual([2, 80]);
    expect(ids(await store.lease(ALL))).toEqual(['1', '2']);
  });
});

describe('RedisQueueStore, the bound enforced in Redis for every instance', () => {
  /** Two stores on the test prefix, as two application instances, both given `bound`. */
  function twoInstances(bound: Partial<QueueBound>): [RedisQueueStore, RedisQueueStore] {
    const stores: [RedisQueueStore, RedisQueueStore] = [makeStore(), makeStore()];
    for (const store of stores)
      store.enforceBound({ maxQueueSize: 1_000, maxQueueBytes: 1_000_000, overflow: 'reject', ...bound });
    return stores;
  }

  it("overflow 'reject': appends of two instances at once never hold more than maxQueueSize, and every one over it is refused", async () => {
    const [one, two] = twoInstances({ maxQueueSize: 25 });
    const watch = watchHeld();
    const answers = await Promise.all([appendMany(one, 'one', 40), appendMany(two, 'two', 40)]);
    expect(await watch.stop()).toBeLessThanOrEqual(25);

    const held = await heldIds();
    const { refused, dropped } = outcomesOf(...answers);
    expect(held).toHaveLength(25);
    expect(refused).toHaveLength(80 - 25);
    expect([...held, ...refused].sort()).toEqual(answers.flatMap((map) => [...map.keys()]).sort());
    expect(dropped).toEqual([]);
    await one.refresh();
    expect([one.size, one.bytes]).toEqual([25, 250]);
  });

  it("overflow 'drop-oldest': the oldest operations not leased make room and are answered dropped; leased ones stay", async () => {
    const [one, two] = twoInstances({ maxQueueSize: 10, overflow: 'drop-oldest' });
    await appendMany(one, 'old', 10);
    const leased = await two.lease({ maxOperations: 3, maxBytes: 1_000 }); // by the other instance
    expect(ids(leased)).toEqual(['old-00', 'old-01', 'old-02']);

    const watch = watchHeld();
    const answers = await Promise.all([appendMany(one, 'one', 10), appendMany(two, 'two', 10)]);
    expect(await watch.stop()).toBeLessThanOrEqual(10);

    const { refused, dropped } = outcomesOf(...answers);
    expect(refused).toEqual([]);
    // each new operation made room for itself, dropping one: first the old ones not leased, oldest first
    expect([...answers[0].values(), ...answers[1].values()].every((answer) => answer?.droppedIds?.length === 1)).toBe(
      true,
    );
    expect(dropped).toHaveLength(20);
    expect(new Set(dropped).size).toBe(20);
    expect([...dropped].sort().slice(0, 7)).toEqual([
      'old-03',
      'old-04',
      'old-05',
      'old-06',
      'old-07',
      'old-08',
      'old-09',
    ]);
    const held = await heldIds();
    expect(held.slice(0, 3)).toEqual(ids(leased));
    expect(held).toHaveLength(10);
    expect(held.filter((id) => dropped.includes(id))).toEqual([]);

    // with every operation leased, nothing can make room: the new one is refused and nothing dropped
    await one.lease(ALL);
    expect(await answerOf(one, op('late', 'late'))).toEqual({ rejected: true, droppedIds: [] });
    expect(await heldIds()).toEqual(held);
  });

  it('maxQueueBytes: drops only when that makes room, and refuses an operation larger than the whole bound', async () => {
    const [one, two] = twoInstances({ maxQueueBytes: 100, overflow: 'drop-oldest' });
    await appendMany(one, 'old', 10, 10); // 100 bytes: full
    expect(await answerOf(two, op('huge', 'h', 101))).toEqual({ rejected: true, droppedIds: [] });
    expect(await answerOf(two, op('wide', 'w', 25))).toEqual({
      rejected: false,
      droppedIds: ['old-00', 'old-01', 'old-02'],
    });
    expect(await heldIds()).toHaveLength(8); // 7 x 10 + 25 bytes

    // 70 bytes leased: dropping the one operation not leased (25 bytes) would not make room for 35
    expect(ids(await two.lease({ maxOperations: 7, maxBytes: 1_000 }))).not.toContain('wide');
    expect(await answerOf(one, op('more', 'm', 35))).toEqual({ rejected: true, droppedIds: [] });
    expect(await heldIds()).toHaveLength(8);
    await one.refresh();
    expect(one.bytes).toBe(95);
  });
});

describe('RedisQueueStore, with the queue (one app, or two sharing a prefix)', () => {
  let sandbox: CustomerIOSandbox;
  const apps: TestApp[] = [];

  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
  });
  afterEach(async () => {
    for (const { app } of apps.splice(0)) await app.close();
    await sandbox.close();
  });

  it('delivers each operation once by id, in order per person', async () => {
    const store = makeStore();
    const subject = await startTestApp({ ...QUEUE_SUITE_SETUP, sandbox, options: { queue: { store } } });
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
    // a timeout of a third of the lease, the most it allows
    const a = await startTestApp({
      ...QUEUE_SUITE_SETUP,
      sandbox,
      options: { timeout: 100, queue: { store: storeA, shutdownTimeoutMs: 100 } },
    });
    apps.push(a);
    const sent = Array.from({ length: 30 }, (_, i) => a.client.track(`u-${i % 5}`, 'shared', { i }).id);
    void a.client.flush();
    await sandbox.waitFor(() => sandbox.requests.length === 1, 2_000);
    // "kill" A: its Redis connection drops and it never acknowledges nor renews
    clientA.disconnect();
    await storeA.close();

    const storeB = makeStore(300);
    const b = await startTestApp({
      ...QUEUE_SUITE_SETUP,
      sandbox,
      options: { timeout: 100, queue: { store: storeB, flushIntervalMs: 50 } },
    });
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

  it.each(['reject', 'drop-oldest'] as const)(
    "overflow '%s': the shared store never holds more than maxQueueSize, every event has one outcome, and each one kept is delivered once after an outage",
    async (overflow) => {
      const bound = 12;
      const pair = await Promise.all(
        [makeStore(), makeStore()].map((store) =>
          startTestApp({ ...QUEUE_SUITE_SETUP, sandbox, options: { queue: { store, maxQueueSize: bound, overflow } } }),
        ),
      );
      apps.push(...pair);
      const log = new ReportLog(); // both apps' reports
      const reports = (): ReportLog => {
        log.reports.splice(0, Infinity, ...pair.flatMap((subject) => subject.log.reports));
        return log;
      };
      const accepted: string[] = [];
      const receipts = new Map<string, Promise<unknown>>();
      let thrown = 0;
      const enqueue = (subject: TestApp, count: number): void => {
        for (let i = 0; i < count; i++) {
          try {
            const receipt = subject.client.track(`u-${i % 3}`, 'bounded', { i });
            accepted.push(receipt.id);
            receipts.set(
              receipt.id,
              receipt.delivered.catch((error: unknown) => error),
            );
          } catch (error) {
            expect(error).toBeInstanceOf(CustomerIOQueueFullError);
            thrown += 1;
          }
        }
      };
      const outcomes = (): number => reports().ids('rejected').length + log.ids('dropped').length;

      sandbox.respondWith(503, { path: '/api/v2/batch' });
      const watch = watchHeld();
      // in one tick, both apps see an empty queue and take 10 each: Redis decides what fits
      enqueue(pair[0], 10);
      enqueue(pair[1], 10);
      await sandbox.waitFor(() => outcomes() === 20 - bound, 2_000);
      // in the next, each app sees the queue as Redis last answered it
      enqueue(pair[0], 5);
      enqueue(pair[1], 5);
      await sandbox.waitFor(() => outcomes() === 30 - bound, 2_000);
      await pair[0].client.flush(); // 503: the batch goes back to the store
      expect(await watch.stop()).toBeLessThanOrEqual(bound);
      expect(await heldIds()).toHaveLength(bound);

      sandbox.clearFaults();
      await Promise.all(pair.map(({ client }) => client.flush()));
      await sandbox.waitFor(() => sandbox.events.length === bound, 2_000);
      expect(await heldIds()).toEqual([]);

      const stats = pair.map(({ client }) => client.stats);
      const sum = (key: 'enqueued' | 'delivered' | 'rejected' | 'dropped' | 'failed'): number =>
        stats.reduce((total, s) => total + s[key], 0);
      const refusedByRedis = reports()
        .ids('rejected')
        .filter((id) => accepted.includes(id));
      const dropped = log.ids('dropped');
      // every call was refused at once (thrown) or enqueued; every enqueued event refused by Redis, dropped, or delivered once
      expect(sum('enqueued')).toBe(accepted.length);
      expect(accepted.length + thrown).toBe(30);
      expect(sum('rejected')).toBe(thrown + refusedByRedis.length);
      expect(sum('enqueued')).toBe(sum('delivered') + sum('dropped') + refusedByRedis.length);
      expect([sum('delivered'), sum('failed')]).toEqual([bound, 0]);
      expect(new Set([...refusedByRedis, ...dropped]).size).toBe(refusedByRedis.length + dropped.length);
      expectEachOnceOrReported(
        sandbox,
        accepted.filter((id) => !refusedByRedis.includes(id)),
        log,
      );
      if (overflow === 'reject') {
        // Redis refused what the apps' own (stale) views let through, and those receipts say so
        expect(refusedByRedis.length).toBeGreaterThanOrEqual(8);
        expect(dropped).toEqual([]);
        for (const id of refusedByRedis) expect(await receipts.get(id)).toBeInstanceOf(CustomerIOQueueFullError);
      } else {
        expect(thrown + refusedByRedis.length).toBe(0);
        expect(dropped).toHaveLength(30 - bound);
      }
    },
  );

  describe('a receipt settles whichever instance settles its operation', () => {
    /** An instance that never leases: every operation it enqueues is sent (or dropped) by another one. */
    class NeverLeasingStore extends RedisQueueStore {
      override lease(): Promise<QueuedOperation[]> {
        return Promise.resolve([]);
      }
    }

    /** App A: enqueues, never leases, collects outcomes every 20 ms. */
    async function enqueuingApp(queue: CustomerIOQueueOptions = {}): Promise<TestApp> {
      const store = new NeverLeasingStore({ redis: server.url, prefix });
      cleanup.push(() => store.close());
      const app = await startTestApp({
        ...QUEUE_SUITE_SETUP,
        sandbox,
        options: {
          queue: { store, flushIntervalMs: 20, shutdownTimeoutMs: 50, ...queue },
        },
      });
      apps.push(app);
      return app;
    }

    /** App B, on the same prefix. */
    async function otherApp(queue: CustomerIOQueueOptions = {}): Promise<TestApp> {
      const app = await startTestApp({
        ...QUEUE_SUITE_SETUP,
        sandbox,
        options: { queue: { store: makeStore(), ...queue } },
      });
      apps.push(app);
      return app;
    }

    it('delivered by another instance: the receipts of the instance that enqueued resolve, and nothing is left in Redis', async () => {
      const a = await enqueuingApp();
      const b = await otherApp({ flushIntervalMs: 10 });
      const receipts = Array.from({ length: 12 }, (_, i) => a.client.track(`u-${i % 3}`, 'shared receipt', { i }));
      const settled = Promise.all(receipts.map((receipt) => receipt.delivered));

      await settled;
      expect(sandbox.events.map((e) => e.id).sort()).toEqual(receipts.map((r) => r.id).sort());
      expect(a.log.reports).toEqual([]); // A settled nothing itself
      expect(b.log.ids('delivered').sort()).toEqual(receipts.map((r) => r.id).sort());
      expect(await sharedEntries()).toEqual([0, 0, 0, 0]);
    });

    it("found invalid by another instance (a 207 item): the receipt rejects with Customer.io's reason; the others resolve", async () => {
      const a = await enqueuingApp();
      await otherApp({ flushIntervalMs: 10 });
      const fine = a.client.track('u-1', 'fine');
      const merge = a.client.mergeCustomers({ id: 'nobody' }, { id: 'u-1' });
      const outcomes = Promise.all([fine.delivered, merge.delivered.catch((error: unknown) => error)]);

      const [, refused] = await outcomes;
      expect(sandbox.batches.map((batch) => batch.status)).toContain(207);
      expect(refused).toBeInstanceOf(CustomerIOError);
      expect(String(refused)).toMatch(/^CustomerIOError: invalid: .*primary/);
      expect(await sharedEntries()).toEqual([0, 0, 0, 0]);
    });

    it('settled by another instance while the watch was lost (Redis unreachable for it): the receipt rejects, saying the outcome cannot be known', async () => {
      let openGate!: () => void;
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      /** A's watch calls fail, and its first collect waits until B has delivered. */
      class WatchLosingStore extends NeverLeasingStore {
        readonly #real = this.sharedOutcomes;
        override readonly sharedOutcomes: SharedOutcomes = {
          ...this.#real,
          watch: () => Promise.reject(new Error('Redis unreachable')),
          collect: async (ids) => {
            await gate;
            return this.#real.collect(ids);
          },
        };
      }
      const store = new WatchLosingStore({ redis: server.url, prefix });
      cleanup.push(() => store.close());
      const a = await startTestApp({
        ...QUEUE_SUITE_SETUP,
        sandbox,
        options: { queue: { store, flushIntervalMs: 20, shutdownTimeoutMs: 50 } },
      });
      apps.push(a);
      const b = await otherApp({ flushIntervalMs: 10 });
      const capture = new LogCapture();
      Logger.overrideLogger(capture); // after the apps: creating one sets Nest's logger
      try {
        const receipt = a.client.track('u-1', 'unwatched');
        const outcome = receipt.delivered.catch((error: unknown) => error);

        await sandbox.waitFor(() => b.log.ids('delivered').includes(receipt.id), 2_000);
        openGate();
        const error = await outcome;
        expect(error).toBeInstanceOf(CustomerIOError);
        expect(String(error)).toMatch(/cannot be known: another instance settled it while this one could not watch it/);
        expect(
          capture.messages('warn').some((line) => line.includes('watch') && line.includes('Redis unreachable')),
        ).toBe(true);
      } finally {
        Logger.overrideLogger(false);
      }
    });

    it('delivered by another instance whose report of the outcome failed (Redis unreachable for it): the receipt rejects, saying the outcome cannot be known, within the grace and a flush interval', async () => {
      /** Reports through a client that cannot reach Redis: every report fails on its connection. */
      class ReportLosingStore extends RedisQueueStore {
        readonly #cutOff = new RedisQueueStore({
          redis: new Redis('redis://127.0.0.1:1', {
            lazyConnect: true,
            enableOfflineQueue: false,
            retryStrategy: () => null,
          }),
          prefix,
        });
        override readonly sharedOutcomes: SharedOutcomes = {
          ...this.sharedOutcomes,
          report: (...args) => this.#cutOff.sharedOutcomes.report(...args),
        };
      }
      const store = new ReportLosingStore({ redis: server.url, prefix });
      cleanup.push(() => store.close());
      const a = await enqueuingApp();
      const b = await startTestApp({
        ...QUEUE_SUITE_SETUP,
        sandbox,
        options: { queue: { store, flushIntervalMs: 10 } },
      });
      apps.push(b);
      const capture = new LogCapture();
      Logger.overrideLogger(capture); // after the apps: creating one sets Nest's logger
      try {
        const receipt = a.client.track('u-1', 'unreported');
        const outcome = receipt.delivered.then(
          () => 'resolved',
          (error: unknown) => error,
        );

        await sandbox.waitFor(() => b.log.ids('delivered').includes(receipt.id), 2_000);
        // the bound: the grace, then A's next collect (every 20 ms); a second of slack for a busy machine
        const error = await Promise.race([outcome, sleep(OUTCOME_GRACE_MS + 1_000).then(() => 'still pending')]);
        expect(error).toBeInstanceOf(CustomerIOError);
        expect(String(error)).toMatch(
          /cannot be known: another instance settled it .* or could not record its outcome/,
        );
        expect(capture.messages('warn').some((line) => line.includes('report'))).toBe(true);
        expect(await sharedEntries()).toEqual([0, 0, 0, 0]);
      } finally {
        Logger.overrideLogger(false);
      }
    });

    it("dropped by another instance's append (overflow: 'drop-oldest', one bound for both): the receipts reject as dropped", async () => {
      const bound: CustomerIOQueueOptions = { maxQueueSize: 4, overflow: 'drop-oldest' };
      const a = await enqueuingApp(bound);
      const b = await otherApp(bound); // sends nothing: its flush interval is long
      const mine = Array.from({ length: 4 }, (_, i) => a.client.track(`a-${i}`, 'old'));
      const outcomes = mine.map((receipt) => receipt.delivered.catch((error: unknown) => error));
      await until(async () => (await admin.hlen(`{${prefix}}:watchers`)) === 4);

      for (let i = 0; i < 2; i++) b.client.track(`b-${i}`, 'new'); // the queue is full: A's two oldest make room
      await sandbox.waitFor(() => b.log.ids('dropped').length === 2, 2_000);
      expect(b.log.ids('dropped')).toEqual(mine.slice(0, 2).map((r) => r.id));
      for (const outcome of outcomes.slice(0, 2)) {
        const error = await outcome;
        expect(error).toBeInstanceOf(CustomerIOError);
        expect(String(error)).toMatch(/dropped: queue full \(overflow: drop-oldest\)/);
      }
      expect(a.log.reports).toEqual([]);
      // the two still queued are still watched
      expect(await admin.hkeys(`{${prefix}}:watchers`)).toEqual(expect.arrayContaining(mine.slice(2).map((r) => r.id)));
    });
  });
});

describe("store: 'redis' in the module options", () => {
  it('makes a shared store from the URL, delivers through it, and closes it at shutdown', async () => {
    const sandbox = await CustomerIOSandbox.start();
    try {
      const subject = await startTestApp({
        ...QUEUE_SUITE_SETUP,
        sandbox,
        options: { queue: { store: 'redis', redis: { url: server.url, prefix } } },
      });
      const ids = Array.from({ length: 6 }, (_, i) => subject.client.track(`u-${i % 3}`, 'shared').id);
      await subject.client.flush();
      await subject.app.close();
      expectEachOnceOrReported(sandbox, ids, subject.log);
      expect(await admin.hlen(`{${prefix}}:operations`)).toBe(0);
    } finally {
      await sandbox.close();
    }
  });

  it('fails start-up on settings the store refuses, naming them', async () => {
    const sandbox = await CustomerIOSandbox.start();
    try {
      for (const setting of ['visibilityTimeoutMs', 'outcomeTtlMs']) {
        const redis = { url: server.url, prefix, [setting]: 0 };
        await expect(
          startTestApp({ ...QUEUE_SUITE_SETUP, sandbox, options: { queue: { store: 'redis', redis } } }),
        ).rejects.toThrow(`${setting} must be > 0, got 0`);
      }
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
      const subject = await startTestApp({
        ...QUEUE_SUITE_SETUP,
        sandbox,
        options: { queue: { store, maxQueueSize: 5, overflow: 'drop-oldest' } },
      });
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

describeNeeding('redis-server')('RedisQueueStore, Redis restarted mid-run', () => {
  let sandbox: CustomerIOSandbox;
  useSandbox('each', (started) => (sandbox = started));

  it('keeps what Redis persisted, and what was appended while Redis was down is delivered once after it is back', async () => {
    const own = await startRedisServer({ persist: true });
    const store = new RedisQueueStore({ redis: own.url, prefix });
    const subject = await startTestApp({ ...QUEUE_SUITE_SETUP, sandbox, options: { queue: { store } } });
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
    const client = new Redis(own.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    await new Promise((resolve) => client.once('ready', resolve));
    const store = new RedisQueueStore({ redis: client, prefix });
    const subject = await startTestApp({ ...QUEUE_SUITE_SETUP, sandbox, options: { queue: { store } } });
    try {
      await own.kill();
      const id = subject.client.track('u-1', 'lost?').id;
      await sandbox.waitFor(() => subject.log.ids('failed').includes(id), 2_000);
      expect(subject.log.reports.find((r) => r.ids.includes(id))?.reason).toMatch(/^store: /);
    } finally {
      await subject.app.close();
      await store.close();
      await own.stop();
      // NOTE: disconnecting a client that already ended (no retries) starts a 2 s socket timer that holds Jest up.
      if (client.status !== 'end') client.disconnect();
    }
  });
});

describeNeeding('redis-server')('RedisQueueStore, closing', () => {
  it('sends the appends still on their way before it quits, scripts loaded on first use included: none fails, no error event goes unhandled', async () => {
    const own = await startRedisServer(); // a fresh server: it knows no script yet, so each EVALSHA is followed by an EVAL
    const unhandled = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const store = new RedisQueueStore({ redis: own.url, prefix });
      await store.ready();
      const answers = Array.from({ length: 1_200 }, (_, i) => store.append(op(`c-${i}`, `k-${i % 7}`))); // 3 chunks
      await store.close();
      expect(await Promise.all(answers)).toHaveLength(1_200);
      const check = new Redis(own.url);
      expect(await check.hlen(`{${prefix}}:operations`)).toBe(1_200);
      await check.quit();
      await expect(store.has('c-0')).rejects.toThrow(/store is closed/);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      unhandled.mockRestore();
      await own.stop();
    }
  });

  it('its own client losing Redis is logged once, not left an unhandled error event; closing then fails what waits for Redis', async () => {
    const own = await startRedisServer();
    const capture = new LogCapture();
    Logger.overrideLogger(capture);
    const unhandled = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const store = new RedisQueueStore({ redis: own.url, prefix });
      await store.ready();
      await own.kill();
      await sleep(300); // ioredis fails to reconnect several times
      const answer = store.append(op('offline', 'o')); // waits in ioredis's offline queue
      await store.close();
      await expect(answer).rejects.toThrow(/closed while Redis was unreachable/);
      expect(capture.messages('warn').filter((message) => message.includes('lost its connection'))).toHaveLength(1);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      unhandled.mockRestore();
      Logger.overrideLogger(false);
      await own.stop();
    }
  });
});

describe('RedisQueueStore, the outcomes shared between instances', () => {
  it("an instance's own outcomes end its watches without recording anything", async () => {
    const one = makeStore();
    await one.sharedOutcomes.watch(['x', 'y']);
    await one.sharedOutcomes.report('delivered', ['x', 'y', 'unwatched'], '');
    expect(await sharedEntries()).toEqual([0, 0, 0, 0]);
  });

  it('outcomes reach the watching instance once, with a reason kept as it was', async () => {
    const [watcher, reporter] = [makeStore(), makeStore()];
    await reporter.append(op('c', 'k')); // still held: watched on
    await watcher.sharedOutcomes.watch(['a', 'b', 'c']);
    await reporter.sharedOutcomes.report('delivered', ['a', 'elsewhere']);
    await reporter.sharedOutcomes.report('failed', ['b'], 'HTTP 500\nsecond line');
    expect(await watcher.sharedOutcomes.collect(['a', 'b', 'c'])).toEqual([
      { id: 'a', outcome: 'delivered' },
      { id: 'b', outcome: 'failed', reason: 'HTTP 500\nsecond line' },
    ]);
    expect(await watcher.sharedOutcomes.collect(['c'])).toEqual([]); // the queue asks only for receipts still waiting
    expect(await admin.hkeys(`{${prefix}}:watchers`)).toEqual(['c']);
    expect(await admin.exists(`{${prefix}}:settled`, `{${prefix}}:outcomes`)).toBe(0);
  });

  it('an id neither watched nor held any more is answered with no outcome; one still held is watched again', async () => {
    const [watcher, other] = [makeStore(), makeStore()];
    await other.append(op('held', 'k'));
    expect(await watcher.sharedOutcomes.collect(['held', 'gone'])).toEqual([{ id: 'gone' }]);
    expect(await admin.hkeys(`{${prefix}}:watchers`)).toEqual(['held']);
  });

  it('a watched operation gone from the store with no outcome recorded is answered with no outcome after the grace; an outcome reported within it wins', async () => {
    const [watcher, settler] = [makeStore(), makeStore()];
    await settler.append(op('unreported', 'k1'));
    await settler.append(op('late', 'k2'));
    await watcher.sharedOutcomes.watch(['unreported', 'late']);
    await settler.acknowledge(await settler.lease(ALL)); // delivered; its report of 'unreported' never comes
    const left = Date.now();

    expect(await watcher.sharedOutcomes.collect(['unreported', 'late'])).toEqual([]); // the reports may still come
    await settler.sharedOutcomes.report('delivered', ['late']);
    await sleep(OUTCOME_GRACE_MS - (Date.now() - left) + 10);
    expect(await watcher.sharedOutcomes.collect(['unreported', 'late'])).toEqual([
      { id: 'unreported' },
      { id: 'late', outcome: 'delivered' },
    ]);
    expect(await sharedEntries()).toEqual([0, 0, 0, 0]);
  });

  it('with outcomeTtlMs under twice the grace, a watched operation gone unreported is answered with no outcome after half of outcomeTtlMs', async () => {
    const outcomeTtlMs = 300;
    const [watcher, settler] = [makeStore(30_000, { outcomeTtlMs }), makeStore(30_000, { outcomeTtlMs })];
    await settler.append(op('unreported', 'k1'));
    await watcher.sharedOutcomes.watch(['unreported']);
    await settler.acknowledge(await settler.lease(ALL));

    let answered: SharedOutcome[] = [];
    for (const deadline = Date.now() + 2_000; answered.length === 0 && Date.now() < deadline; await sleep(20)) {
      answered = await watcher.sharedOutcomes.collect(['unreported']); // as the queue does, every flush interval
    }
    expect(answered).toEqual([{ id: 'unreported' }]);
  });

  it('the watches and recorded outcomes of an instance that died age out (outcomeTtlMs); a live one keeps its watches by collecting', async () => {
    const outcomeTtlMs = 150;
    const dying = makeStore(30_000, { outcomeTtlMs });
    const live = makeStore(30_000, { outcomeTtlMs });
    const reporter = makeStore(30_000, { outcomeTtlMs });
    await dying.sharedOutcomes.watch(['d1', 'd2']);
    await reporter.append(op('l1', 'k')); // still held: watched on
    await live.sharedOutcomes.watch(['l1']);
    await reporter.sharedOutcomes.report('delivered', ['d1']); // recorded for the dying instance, never collected
    await dying.close();
    expect(await sharedEntries()).toEqual([1, 1, 1, 1]);

    for (let i = 0; i < 6; i++) {
      await sleep(50);
      expect(await live.sharedOutcomes.collect(['l1'])).toEqual([]); // refreshes its watch
    }
    expect(await admin.hkeys(`{${prefix}}:watchers`)).toEqual(['l1']); // the others aged out, trimmed by the live calls
    expect(await admin.exists(`{${prefix}}:settled`, `{${prefix}}:outcomes`)).toBe(0);

    await reporter.sharedOutcomes.report('invalid', ['l1'], 'bad');
    expect(await live.sharedOutcomes.collect(['l1'])).toEqual([{ id: 'l1', outcome: 'invalid', reason: 'bad' }]);
    expect(await sharedEntries()).toEqual([0, 0, 0, 0]);
  });
});
