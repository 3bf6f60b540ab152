import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { ulid } from 'ulid';
import { RedisQueueStore } from '../../../lib/stores/redis/redis-queue.store.js';
import { CustomerIOSandbox } from '../../../lib/testing/index.js';
import {
  buildLibraryForChildren,
  type Child,
  crashChildScript,
  kill9,
  killMidStream,
  killAll,
  removeBuild,
  startChild,
} from '../../support/crash-child.js';
import { QUEUE_SUITE_SETUP, startTestApp, type TestApp } from '../../support/test-app.js';
import { deleteKeys, type TestRedis, uniquePrefix, useRedis } from '../../support/redis-server.js';

const VISIBILITY_TIMEOUT_MS = 1_000;
/** A third of the lease, the most it allows. */
const TIMEOUT_MS = 300;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisQueueStore: two instances on one prefix, one killed (kill -9)', () => {
  let buildDir: string;
  let server: TestRedis;
  let admin: Redis;
  let sandbox: CustomerIOSandbox;
  let prefix: string;
  const children: Child[] = [];
  let survivor: { subject: TestApp; store: RedisQueueStore } | undefined;

  beforeAll(async () => {
    buildDir = buildLibraryForChildren(['index.js', 'stores/redis/redis-queue.store.js']);
    server = await useRedis();
    admin = new Redis(server.url);
  }, 60_000);
  afterAll(async () => {
    removeBuild(buildDir);
    await admin?.quit();
    await server?.stop();
  });

  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
    prefix = uniquePrefix('redis-crash');
  });
  afterEach(async () => {
    await killAll(children);
    await survivor?.subject.app.close();
    await survivor?.store.close();
    survivor = undefined;
    await sandbox.close();
    await deleteKeys(admin, prefix);
  });

  /** The other instance, in this process, on the same prefix. */
  async function startSurvivor(
    visibilityTimeoutMs = VISIBILITY_TIMEOUT_MS,
  ): Promise<{ subject: TestApp; store: RedisQueueStore }> {
    const store = new RedisQueueStore({ redis: server.url, prefix, visibilityTimeoutMs });
    survivor = {
      store,
      subject: await startTestApp({
        ...QUEUE_SUITE_SETUP,
        sandbox,
        options: { timeout: TIMEOUT_MS, queue: { store, flushIntervalMs: 20 } },
      }),
    };
    return survivor;
  }

  it('mid-batch: the other instance delivers every event once, in order per person, once the killed lease runs out', async () => {
    const ids = Array.from({ length: 30 }, () => ulid());
    sandbox.hang({ path: '/api/v2/batch' }); // until the kill: the child's attempts all hang, none is processed
    const store = JSON.stringify({
      kind: 'redis',
      redis: server.url,
      prefix,
      visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
    });
    const options = JSON.stringify({
      ...sandbox.moduleOptions(),
      timeout: TIMEOUT_MS,
      retry: { baseDelayMs: 2, maxDelayMs: 20, maxAttempts: 10 }, // its hung batch stays its own for 3 s
      // One batch at a time: the hung one holds every person (event i is person-<i % 7>), so nothing the
      // sandbox processed is left unacknowledged at the kill, and each event must arrive exactly once.
      queue: { flushIntervalMs: 20, maxBatchOperations: 10, maxInFlight: 1, shutdownTimeoutMs: 2_000 },
    });
    const doomed = startChild(crashChildScript, [buildDir, store, options, 'enqueue', JSON.stringify(ids)]);
    children.push(doomed);
    await doomed.waitForLine((line) => line === 'in-flight');
    await sandbox.waitFor(() => sandbox.pendingRequests === 1, 5_000);

    const { subject, store: survivorStore } = await startSurvivor();
    // The child is alive and renews its lease: past a visibility timeout, the survivor still sends nothing.
    await sleep(VISIBILITY_TIMEOUT_MS + 150);
    expect(sandbox.batches).toHaveLength(0);
    expect(subject.log.reports).toEqual([]);
    expect(await admin.hlen(`{${prefix}}:owners`)).toBe(10);

    await kill9(doomed);
    expect(doomed.process.signalCode).toBe('SIGKILL');
    sandbox.clearFaults();
    await sandbox.waitFor(() => subject.log.ids('delivered').length === ids.length, 5_000);

    expect(subject.log.reports.filter((report) => report.outcome !== 'delivered')).toEqual([]);
    const received = sandbox.events.map((event) => event.id);
    expect(received).toHaveLength(ids.length);
    expect(new Set(received)).toEqual(new Set(ids));
    expect(sandbox.duplicateEvents).toBe(0); // the hung batches were never processed
    for (let person = 0; person < 7; person++) {
      const order = sandbox.events.filter((event) => event.personId === `person-${person}`).map((event) => event.id);
      expect(order).toEqual(ids.filter((_, i) => i % 7 === person));
    }
    await sandbox.waitFor(() => survivorStore.size === 0, 2_000);
    expect(await admin.hlen(`{${prefix}}:operations`)).toBe(0);
    expect(await admin.hlen(`{${prefix}}:owners`)).toBe(0);
    expect(await admin.zcard(`{${prefix}}:leases`)).toBe(0);
  }, 20_000);

  it('at an arbitrary moment of a stream of track() calls: every event whose receipt.stored resolved is delivered exactly once', async () => {
    sandbox.hang({ path: '/api/v2/batch' }); // nothing the doomed child sends is processed
    const store = JSON.stringify({
      kind: 'redis',
      redis: server.url,
      prefix,
      visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
    });
    const options = JSON.stringify({
      ...sandbox.moduleOptions(),
      timeout: TIMEOUT_MS,
      retry: { baseDelayMs: 2, maxDelayMs: 20 },
      queue: { flushIntervalMs: 20, maxBatchOperations: 100, maxInFlight: 2 },
    });
    const doomed = startChild(crashChildScript, [buildDir, store, options, 'stored', '20000']);
    children.push(doomed);
    const stored = await killMidStream(doomed);

    sandbox.clearFaults();
    // NOTE: the survivor's own leases outlive a slow machine's pauses: none runs out and is sent twice.
    const { subject, store: survivorStore } = await startSurvivor(30_000);
    await sandbox.waitFor(
      () => sandbox.events.length >= stored.length && survivorStore.size === 0 && subject.client.stats.inFlight === 0,
      15_000,
    );
    const received = new Set(sandbox.events.map((event) => event.id));
    expect(received.size).toBe(sandbox.events.length);
    expect(stored.filter((id) => !received.has(id))).toEqual([]);
    expect(sandbox.duplicateEvents).toBe(0);
    expect(subject.log.reports.filter((report) => report.outcome !== 'delivered')).toEqual([]);
  }, 30_000);
});
