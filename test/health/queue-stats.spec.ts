import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { CustomerIOQueueStore, LeaseLimits, QueuedOperation } from '../../lib/interfaces/queue-store.interface.js';
import { MemoryQueueStore, SqliteQueueStore } from '../../lib/stores/index.js';
import { RedisQueueStore } from '../../lib/stores/redis/redis-queue.store.js';
import { CustomerIOQueue } from '../../lib/delivery/customerio-queue.service.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { describeNeeding } from '../support/describe-needing.js';
import { deleteKeys, uniquePrefix, useRedisForFile } from '../support/redis-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A store of the user's own, without `oldestId` (over the memory store): the queue estimates the age from its leases. */
class PlainStore implements CustomerIOQueueStore {
  readonly inner = new MemoryQueueStore();
  get size(): number {
    return this.inner.size;
  }
  get bytes(): number {
    return this.inner.bytes;
  }
  append(operation: QueuedOperation): void {
    this.inner.append(operation);
  }
  lease(limits: LeaseLimits): QueuedOperation[] {
    return this.inner.lease(limits);
  }
  acknowledge(operations: readonly QueuedOperation[]): void {
    this.inner.acknowledge(operations);
  }
  release(operations: readonly QueuedOperation[]): void {
    this.inner.release(operations);
  }
  dropOldest(): QueuedOperation | undefined {
    return this.inner.dropOldest();
  }
  has(id: string): boolean {
    return this.inner.has(id);
  }
}

/** A store of the user's own whose `oldestId` answers a promise: read on each flush interval. */
class AsyncOldestStore extends PlainStore {
  asked = 0;
  oldestId(): Promise<string | undefined> {
    this.asked += 1;
    return Promise.resolve(this.inner.oldestId());
  }
}

describe('stats.oldestQueuedAgeMs and stats.circuit', () => {
  let sandbox: CustomerIOSandbox;
  const apps: TestApp[] = [];
  const cleanup: (() => Promise<unknown> | unknown)[] = [];

  beforeAll(async () => {
    sandbox = await CustomerIOSandbox.start();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    for (const step of cleanup.splice(0).reverse()) await step();
    sandbox.reset();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  async function boot(
    store: CustomerIOQueueStore,
    retry?: object,
    flushIntervalMs = 60_000,
    shutdownTimeoutMs = 1_000,
  ): Promise<TestApp> {
    const app = await startTestApp({
      sandbox,
      options: { queue: { store, flushIntervalMs, shutdownTimeoutMs }, ...(retry && { retry }) },
    });
    apps.push(app);
    return app;
  }

  /** Enqueues two events, waits `ms`, and checks the age tells how long they waited; then that a flush empties it. */
  async function expectAgeOf(
    app: TestApp,
    ms: number,
    refreshed: () => Promise<unknown> = async () => undefined,
  ): Promise<void> {
    expect(app.client.stats.oldestQueuedAgeMs).toBe(0);
    const before = Date.now();
    app.client.track('p1', 'first');
    await sleep(ms);
    app.client.track('p2', 'second');
    await refreshed();
    const age = app.client.stats.oldestQueuedAgeMs;
    expect(age).toBeGreaterThanOrEqual(ms);
    expect(age).toBeLessThanOrEqual(Date.now() - before + 1);
    await app.client.flush();
    expect(app.client.stats.queued).toBe(0);
    expect(app.client.stats.oldestQueuedAgeMs).toBe(0);
  }

  it('reads the age of the oldest operation from the memory store', async () => {
    await expectAgeOf(await boot(new MemoryQueueStore()), 120);
  });

  it('reads it from a SQLite file, and after a restart from what the file kept', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cio-health-')), 'queue.db');
    const store = new SqliteQueueStore({ path });
    cleanup.push(() => store.close());
    await expectAgeOf(await boot(store), 120);

    sandbox.respondWith(503);
    const app = await boot(store, { maxAttempts: 1, circuitBreaker: false }, 60_000, 100);
    app.client.track('p3', 'kept');
    await app.client.flush();
    await app.close();
    store.close(); // a store given to the module stays open: closed here, as a restart does
    await sleep(100);
    const reopened = new SqliteQueueStore({ path });
    cleanup.push(() => reopened.close());
    expect(reopened.size).toBe(1);
    sandbox.clearFaults();
    const restarted = await boot(reopened);
    expect(restarted.client.stats.oldestQueuedAgeMs).toBeGreaterThanOrEqual(100);
    expect(restarted.app.get(CustomerIOQueue).storeKind).toBe('sqlite');
  });

  describeNeeding('redis-server')('on Redis', () => {
    const redis = useRedisForFile();

    it('reads it from the shared queue, leased operations included, as of the last refresh', async () => {
      const prefix = uniquePrefix('health');
      const store = new RedisQueueStore({ redis: redis.server.url, prefix, refreshIntervalMs: 60_000 });
      cleanup.push(
        () => deleteKeys(redis.admin, prefix),
        () => store.close(),
      );
      await store.ready();
      const app = await boot(store);
      await expectAgeOf(app, 120, () => store.refresh());

      // A leased operation is held: still the oldest.
      const op = (id: string, key: string): QueuedOperation => ({ id, key, json: '{}', bytes: 2, attempts: 0 });
      await store.append(op('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'a')); // 2016
      await store.append(op(`${Date.now().toString(32)}`, 'b'));
      const [leased] = await store.lease({ maxOperations: 1, maxBytes: 100 });
      expect(leased.id).toBe('01ARZ3NDEKTSV4RRFFQ69G5FAV');
      await store.refresh();
      expect(store.oldestId()).toBe('01ARZ3NDEKTSV4RRFFQ69G5FAV');
      expect(app.client.stats.oldestQueuedAgeMs).toBeGreaterThan(Date.now() - Date.UTC(2017, 0, 1));
      await store.acknowledge([leased]);
      await store.refresh();
      expect(store.oldestId()).not.toBe('01ARZ3NDEKTSV4RRFFQ69G5FAV');
    });
  });

  it('falls back to the last lease for a store without oldestId', async () => {
    sandbox.respondWith(503);
    const app = await boot(new PlainStore(), { maxAttempts: 1, circuitBreaker: false });
    expect(app.app.get(CustomerIOQueue).storeKind).toBe('custom');
    app.client.track('p1', 'first');
    expect(app.client.stats.oldestQueuedAgeMs).toBe(0); // nothing leased yet: unknown
    await sleep(60);
    await app.client.flush(); // leased, failed, released
    sandbox.clearFaults();
    await sleep(60);
    expect(app.client.stats.queued).toBe(1);
    expect(app.client.stats.oldestQueuedAgeMs).toBeGreaterThanOrEqual(120);
    await app.client.flush();
    expect(app.client.stats.oldestQueuedAgeMs).toBe(0);
  });

  it('reads a store answering a promise on each flush interval', async () => {
    const store = new AsyncOldestStore();
    const app = await boot(store, undefined, 50);
    sandbox.respondWith(503);
    app.client.track('p1', 'first');
    expect(app.client.stats.oldestQueuedAgeMs).toBe(0); // asked now, answered later
    expect(store.asked).toBe(1);
    await sleep(200);
    expect(store.asked).toBeGreaterThan(2); // once a flush interval
    const asked = store.asked;
    expect(app.client.stats.oldestQueuedAgeMs).toBeGreaterThanOrEqual(150);
    expect(app.client.stats.queued).toBe(1);
    expect(store.asked).toBe(asked); // reading stats does not ask it
    sandbox.clearFaults();
  });

  it('shows the circuit closed, open, half-open while its probe is out, and closed again', async () => {
    const retry = {
      maxAttempts: 1,
      baseDelayMs: 2,
      maxDelayMs: 5,
      circuitBreaker: { threshold: 2, halfOpenAfterMs: 150 },
    };
    const app = await boot(new MemoryQueueStore(), retry);
    expect(app.client.stats.circuit).toBe('closed');
    sandbox.respondWith(503, { times: 2 });
    for (const person of ['p1', 'p2']) {
      app.client.track(person, 'failing');
      await app.client.flush();
    }
    expect(app.client.stats.circuit).toBe('open');
    expect(app.client.stats.lastError).toMatch(/503/);
    await sleep(200);
    expect(app.client.stats.circuit).toBe('open'); // no request came yet
    sandbox.delay(300, { times: 1 });
    const probe = app.client.flush();
    await sandbox.waitFor(() => sandbox.pendingRequests > 0);
    expect(app.client.stats.circuit).toBe('half-open');
    await probe;
    expect(app.client.stats.circuit).toBe('closed');
    expect(app.client.stats.queued).toBe(0);
  });

  it('shows the circuit closed when the breaker is off', async () => {
    const app = await boot(new MemoryQueueStore(), { maxAttempts: 1, circuitBreaker: false });
    sandbox.respondWith(503, { times: 5 });
    for (let i = 0; i < 5; i++) {
      app.client.track('p1', 'failing');
      await app.client.flush();
    }
    expect(app.client.stats.failed + app.client.stats.queued).toBe(5);
    expect(app.client.stats.circuit).toBe('closed');
  });
});
