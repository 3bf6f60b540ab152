import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { CustomerIOError, CustomerIOQueueFullError } from '../../../lib/index.js';
import { RedisQueueStore } from '../../../lib/stores/redis/redis-queue.store.js';
import { CustomerIOSandbox } from '../../../lib/testing/index.js';
import { QUEUE_SUITE_SETUP, startTestApp, type TestApp } from '../../support/test-app.js';
import { deleteKeys, startRedisServer, uniquePrefix, useRedisForFile } from '../../support/redis-server.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The error `promise` rejects with (or `undefined` when it resolves). */
const rejectionOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('RedisQueueStore: receipt.stored', () => {
  // A server of this file's own: the tests pause it and kill it.
  const redis = useRedisForFile(() => startRedisServer());
  let sandbox: CustomerIOSandbox;
  let prefix: string;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
    prefix = uniquePrefix('redis-stored');
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    await sandbox.close();
    await deleteKeys(redis.admin, prefix);
  });

  /** A queue app on the test prefix, with a store of its own; both closed after the test. */
  async function startApp(
    queue: Record<string, unknown> = {},
    client: Redis | string = redis.server.url,
    refreshIntervalMs = 1_000,
  ): Promise<TestApp> {
    const store = new RedisQueueStore({ redis: client, prefix, refreshIntervalMs });
    cleanup.push(() => store.close());
    await store.ready();
    const subject = await startTestApp({ ...QUEUE_SUITE_SETUP, sandbox, options: { queue: { store, ...queue } } });
    cleanup.push(() => subject.app.close());
    return subject;
  }

  it('waits while Redis does not answer the append, and resolves once Redis acknowledged it', async () => {
    const { client } = await startApp();
    await redis.admin.call('CLIENT', 'PAUSE', '10000', 'WRITE'); // scripts wait; this client's reads and UNPAUSE do not
    const receipts = Array.from({ length: 20 }, (_, i) => client.track(`u-${i % 3}`, 'paused', { i }));
    let stored = 0;
    try {
      for (const receipt of receipts) void receipt.stored.then(() => (stored += 1));
      await sleep(200);
      expect(stored).toBe(0);
      expect(await redis.admin.hlen(`{${prefix}}:operations`)).toBe(0);
    } finally {
      await redis.admin.call('CLIENT', 'UNPAUSE');
    }
    await Promise.all(receipts.map((receipt) => receipt.stored));
    expect(await redis.admin.hmget(`{${prefix}}:operations`, ...receipts.map((receipt) => receipt.id))).not.toContain(
      null,
    );
  });

  it('every operation whose stored resolved is in Redis at that moment', async () => {
    const { client } = await startApp();
    const checks: Promise<number>[] = [];
    for (let tick = 0; tick < 10; tick++) {
      for (let i = 0; i < 50; i++) {
        const receipt = client.track(`u-${i % 7}`, 'streamed', { tick, i });
        checks.push(receipt.stored.then(() => redis.admin.hexists(`{${prefix}}:operations`, receipt.id)));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(new Set(await Promise.all(checks))).toEqual(new Set([1]));
  });

  it('Redis unreachable: stored rejects saying the append failed, delivered with the same error; one nobody reads is no unhandled rejection', async () => {
    const own = await startRedisServer();
    const redis = new Redis(own.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await new Promise((resolve) => redis.once('ready', resolve));
    cleanup.push(async () => {
      await own.stop();
      // NOTE: disconnecting a client that already ended (no retries) starts a 2 s socket timer that holds Jest up.
      if (redis.status !== 'end') redis.disconnect();
    });
    const { client, log } = await startApp({}, redis);
    await own.kill();
    const read = client.track('u-1', 'lost');
    const delivered = read.delivered;
    const unread = client.track('u-2', 'lost, unread'); // its stored is never read: Jest fails a test on an unhandled rejection
    const error = await rejectionOf(read.stored);
    expect(error).toBeInstanceOf(CustomerIOError);
    expect(String(error)).toMatch(
      new RegExp(`operation ${read.id} was not stored: its queue store failed to append it`),
    );
    expect(await rejectionOf(delivered)).toBe(error);
    await sandbox.waitFor(() => log.ids('failed').includes(unread.id), 2_000);
    expect(log.ids('failed').sort()).toEqual([read.id, unread.id].sort());
    expect(client.stats).toMatchObject({ enqueued: 2, failed: 2 });
  });

  it('refused by the bound Redis enforces (another instance filled the queue): stored rejects with CustomerIOQueueFullError, reported rejected', async () => {
    // B reads the shared totals rarely, so it does not know A filled the queue: Redis refuses B's append.
    const b = await startApp({ maxQueueSize: 5 }, redis.server.url, 60_000);
    const a = await startApp({ maxQueueSize: 5 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => a.client.track(`a-${i}`, 'fills').stored));
    const refused = b.client.track('b-1', 'does not fit');
    const delivered = refused.delivered;
    const error = await rejectionOf(refused.stored);
    expect(error).toBeInstanceOf(CustomerIOQueueFullError);
    expect(String(error)).toMatch(/CustomerIO queue is full \(maxQueueSize 5 operations/);
    expect(await rejectionOf(delivered)).toBe(error);
    expect(b.log.ids('rejected')).toEqual([refused.id]);
    expect(b.client.stats).toMatchObject({ enqueued: 1, rejected: 1 });
    expect(await redis.admin.hexists(`{${prefix}}:operations`, refused.id)).toBe(0);
  });
});
