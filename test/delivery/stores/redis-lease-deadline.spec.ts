import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CustomerIOConfigError } from '../../../lib/index.js';
import { RedisQueueStore } from '../../../lib/stores/redis/redis-queue.store.js';
import { CustomerIOSandbox } from '../../../lib/testing/index.js';
import { LogCapture } from '../../support/log-capture.js';
import { QUEUE_SUITE_SETUP, startTestApp, type TestApp } from '../../support/test-app.js';
import { deleteKeys, uniquePrefix, useRedisForFile } from '../../support/redis-server.js';
import { usePrefixes } from '../../support/redis-stores.js';
import { type StallingProxy, startStallingProxy } from '../../support/tcp-proxy.js';

/** A short lease, and the longest `timeout` it allows (a third of it). */
const VISIBILITY_TIMEOUT_MS = 1_200;
const TIMEOUT_MS = 400;

const testRedis = useRedisForFile();

describe('RedisQueueStore: an instance cut off from Redis, not from Customer.io, gives its batch up before its lease may end', () => {
  let sandbox: CustomerIOSandbox;
  let prefix: string;
  let proxy: StallingProxy;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
    prefix = uniquePrefix('lease-deadline');
    proxy = await startStallingProxy(Number(new URL(testRedis.server.url).port || 6379));
  });
  afterEach(async () => {
    Logger.overrideLogger(false);
    proxy.resume();
    for (const step of cleanup.splice(0).reverse()) await step();
    await proxy.close();
    await sandbox.close();
    await deleteKeys(testRedis.admin, prefix);
  });

  /** An app on the test prefix whose store reaches Redis at `url`; closed (app, then store) after the test. */
  async function instance(
    url: string,
    flushIntervalMs = 60_000,
  ): Promise<{ subject: TestApp; store: RedisQueueStore }> {
    const client = new Redis(url);
    const store = new RedisQueueStore({ redis: client, prefix, visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS });
    const subject = await startTestApp({
      ...QUEUE_SUITE_SETUP,
      sandbox,
      options: { timeout: TIMEOUT_MS, queue: { store, flushIntervalMs } },
    });
    cleanup.push(async () => {
      await subject.app.close();
      await store.close();
      await client.quit();
    });
    return { subject, store };
  }

  it.each([1, 2, 3])(
    'run %i: A stalls on Redis while retrying; B takes the person over; the last identify wins, and A reports nothing',
    async () => {
      const a = await instance(`redis://127.0.0.1:${proxy.port}`);
      // A's first request fails; Customer.io asks to retry in 3 s, past A's lease
      sandbox.respondWith(503, { path: '/api/v2/batch', times: 1, retryAfter: 3 });
      const free = a.subject.client.identify('p-1', { plan: 'free' });
      void a.subject.client.flush();
      await sandbox.waitFor(() => sandbox.requests.length === 1, 5_000);
      proxy.stall(); // A can neither renew its lease nor release it

      const b = await instance(testRedis.server.url, 20);
      const capture = new LogCapture();
      Logger.overrideLogger(capture); // after the apps: creating one sets Nest's logger
      const pro = b.subject.client.identify('p-1', { plan: 'pro' });
      await sandbox.waitFor(() => b.subject.log.ids('delivered').length === 2, 5_000);
      expect(b.subject.log.ids('delivered')).toEqual([free.id, pro.id]);
      expect(sandbox.people.get('p-1')?.attributes.plan).toBe('pro');

      proxy.resume();
      // A settles its batch: given back (its release answered), or, were it still retrying, sent late
      await sandbox.waitFor(() => a.subject.client.stats.inFlightBatches === 0, 5_000);
      expect(sandbox.people.get('p-1')?.attributes.plan).toBe('pro');
      expect(sandbox.batches).toHaveLength(1); // B's, with both identifies
      expect(a.subject.log.reports).toEqual([]);
      expect(a.subject.client.stats).toMatchObject({ delivered: 0, failed: 0, undelivered: 0 });
      expect(await testRedis.admin.hlen(`{${prefix}}:operations`)).toBe(0);
      expect(capture.messages('warn', 'CustomerIO')).toContainEqual(
        expect.stringMatching(
          /^CustomerIO 1 operation given back unsent, no attempt spent: the batch's lease in the shared store .* may end before another request could/,
        ),
      );
    },
    10_000,
  );
});

describe('RedisQueueStore.leaseDeadlines: when its leases surely hold, by its own clock', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** A store on a fresh prefix reaching Redis at `url`, with one operation appended. */
  async function storeWithOne(url: string): Promise<RedisQueueStore> {
    const prefix = uniquePrefix('lease-clock');
    const client = new Redis(url);
    const store = new RedisQueueStore({ redis: client, prefix, visibilityTimeoutMs: 600 });
    cleanup.push(async () => {
      await store.close();
      await client.quit();
      await deleteKeys(testRedis.admin, prefix);
    });
    await store.append({ id: 'op-1', key: 'p-1', json: '{}', bytes: 2, attempts: 0 });
    return store;
  }
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('a lease holds visibilityTimeoutMs from before it was sent; renewals answered in time move that on', async () => {
    const store = await storeWithOne(testRedis.server.url);
    expect(store.leaseDeadlines.leaseMs).toBe(600);
    const before = performance.now();
    const leased = await store.lease({ maxOperations: 10, maxBytes: 1_000 });
    const first = store.leaseDeadlines.validUntil(leased);
    expect(first).toBeGreaterThanOrEqual(before + 600);
    expect(first).toBeLessThanOrEqual(performance.now() + 600);
    await sleep(500); // renewed every 200 ms
    expect(store.leaseDeadlines.validUntil(leased)).toBeGreaterThan(first);
    await store.acknowledge(leased);
    expect(store.leaseDeadlines.validUntil(leased)).toBe(Infinity); // settled: no lease to run out
    await store.close();
    expect(store.leaseDeadlines.validUntil(leased)).toBe(-Infinity);
  });

  it('renewals answered after the known end do not count: Redis may have handed the operations on by then', async () => {
    const proxy = await startStallingProxy(Number(new URL(testRedis.server.url).port || 6379));
    cleanup.push(async () => {
      proxy.resume();
      await proxy.close();
    });
    const store = await storeWithOne(`redis://127.0.0.1:${proxy.port}`);
    const leased = await store.lease({ maxOperations: 10, maxBytes: 1_000 });
    const end = store.leaseDeadlines.validUntil(leased);
    proxy.stall();
    while (performance.now() < end + 300) await sleep(50); // renewals wait in the proxy
    proxy.resume();
    expect(await store.has('op-1')).toBe(true); // every command sent before this one is answered
    expect(store.leaseDeadlines.validUntil(leased)).toBe(end);
  });
});

describe('the module refuses a request timeout that does not fit well within the lease', () => {
  let sandbox: CustomerIOSandbox;
  // A store that started wrote its layout there.
  const prefix = usePrefixes(testRedis, 'lease-options');
  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
  });
  afterEach(() => sandbox.close());

  it("store: 'redis': a timeout over a third of queue.redis.visibilityTimeoutMs fails start-up naming both", async () => {
    const redis = { url: testRedis.server.url, prefix: prefix(), visibilityTimeoutMs: 1_000 };
    const started = startTestApp({
      ...QUEUE_SUITE_SETUP,
      sandbox,
      options: { timeout: 334, queue: { store: 'redis', redis } },
    });
    await expect(started).rejects.toThrow(CustomerIOConfigError);
    await expect(started).rejects.toMatchObject({ option: 'timeout' });
    await expect(started).rejects.toThrow(
      'option "timeout" (334 ms) must be at most a third of "queue.redis.visibilityTimeoutMs" (1000 ms): a request must end well within the lease',
    );
  });

  it('the default timeout (10 s) against a visibilityTimeoutMs under 30 s, and a store of your own, are refused alike', async () => {
    const redis = { url: testRedis.server.url, prefix: prefix(), visibilityTimeoutMs: 29_999 };
    await expect(
      startTestApp({ ...QUEUE_SUITE_SETUP, sandbox, options: { queue: { store: 'redis', redis } } }),
    ).rejects.toThrow(
      'option "timeout" (10000 ms) must be at most a third of "queue.redis.visibilityTimeoutMs" (29999 ms)',
    );
    const store = new RedisQueueStore({
      redis: testRedis.server.url,
      prefix: prefix(),
      visibilityTimeoutMs: 1_000,
    });
    try {
      await expect(
        startTestApp({ ...QUEUE_SUITE_SETUP, sandbox, options: { timeout: 400, queue: { store } } }),
      ).rejects.toThrow(
        `option "timeout" (400 ms) must be at most a third of "queue.store"'s lease (visibilityTimeoutMs) (1000 ms)`,
      );
    } finally {
      await store.close();
    }
  });

  it('a timeout of exactly a third of the lease starts', async () => {
    const redis = { url: testRedis.server.url, prefix: prefix(), visibilityTimeoutMs: 1_000 };
    const subject = await startTestApp({
      ...QUEUE_SUITE_SETUP,
      sandbox,
      options: { timeout: 333, queue: { store: 'redis', redis } },
    });
    await subject.app.close();
  });
});
