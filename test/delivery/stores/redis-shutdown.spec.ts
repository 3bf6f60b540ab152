import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { type Command, Redis } from 'ioredis';
import { RedisQueueStore } from '../../../lib/stores/redis/redis-queue.store.js';
import { CustomerIOSandbox } from '../../../lib/testing/index.js';
import { expectEachOnceOrReported, ReportLog } from '../../support/delivery-assertions.js';
import { LogCapture } from '../../support/log-capture.js';
import { QUEUE_SUITE_SETUP, startTestApp, type TestApp } from '../../support/test-app.js';
import { deleteKeys, uniquePrefix, useRedisForFile } from '../../support/redis-server.js';

/** An ioredis client that counts the commands it sends, by name. */
class CountingRedis extends Redis {
  readonly sent: string[] = [];

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    this.sent.push(command.name);
    return super.sendCommand(command, stream);
  }
}

const testRedis = useRedisForFile();

describe('RedisQueueStore: shutting an instance down while another one has the shared queue in flight', () => {
  let sandbox: CustomerIOSandbox;
  let prefix: string;
  let capture: LogCapture;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
    prefix = uniquePrefix('redis-shutdown');
    capture = new LogCapture();
  });
  afterEach(async () => {
    Logger.overrideLogger(false);
    for (const step of cleanup.splice(0).reverse()) await step();
    await sandbox.close();
    await deleteKeys(testRedis.admin, prefix);
  });

  /** An app on the test prefix, over `client`; closed (app, then store, then client) after the test. */
  async function instance(
    client: Redis,
    queue: { shutdownTimeoutMs?: number } = {},
  ): Promise<{ subject: TestApp; store: RedisQueueStore }> {
    const store = new RedisQueueStore({ redis: client, prefix });
    const subject = await startTestApp({
      ...QUEUE_SUITE_SETUP,
      sandbox,
      options: { timeout: 5_000, queue: { store, ...queue } },
    });
    cleanup.push(async () => {
      await subject.app.close();
      await store.close();
      await client.quit();
    });
    await store.ready();
    return { subject, store };
  }

  it('waits with backoff, not in a loop, sends nothing of the other instance, and says what it leaves to it', async () => {
    sandbox.delay(3_000, { path: '/api/v2/batch', times: 1 });
    const b = await instance(new Redis(testRedis.server.url));
    const ids = Array.from({ length: 3 }, (_, i) => b.subject.client.track(`u-${i}`, 'held by B').id);
    void b.subject.client.flush();
    await sandbox.waitFor(() => sandbox.pendingRequests === 1, 2_000);

    const client = new CountingRedis(testRedis.server.url);
    const a = await instance(client, { shutdownTimeoutMs: 1_500 });
    expect(a.store.size).toBe(3); // the shared queue: B's batch, leased
    Logger.overrideLogger(capture); // after the apps: creating one sets Nest's logger
    client.sent.length = 0;
    await a.subject.app.close();

    const leases = client.sent.filter((name) => name === 'evalsha' || name === 'eval').length;
    expect(leases).toBeGreaterThan(0); // it did look again
    expect(client.sent.length).toBeLessThanOrEqual(20); // 1.5 s of waits from 50 ms, doubling: not a loop
    expect(a.subject.log.reports).toEqual([]);
    expect(capture.messages('warn', 'CustomerIO')).toEqual([
      '3 operations stay in the shared store at shutdown, all leased by other instances or queued behind their leases: ' +
        'this instance had nothing left it could send; those instances (or the next start) send them',
    ]);

    await sandbox.waitFor(() => b.subject.log.ids('delivered').length === 3, 5_000);
    expectEachOnceOrReported(sandbox, ids, b.subject.log);
  }, 15_000);

  it('the deadline passing with its own batch in flight: released, and said so', async () => {
    sandbox.delay(3_000, { path: '/api/v2/batch', times: 1 });
    const a = await instance(new Redis(testRedis.server.url), { shutdownTimeoutMs: 300 });
    for (let i = 0; i < 3; i++) a.subject.client.track(`u-${i}`, 'in flight at the deadline');
    void a.subject.client.flush();
    await sandbox.waitFor(() => sandbox.pendingRequests === 1, 2_000);
    Logger.overrideLogger(capture);
    await a.subject.app.close();

    expect(capture.messages('warn', 'CustomerIO')).toEqual([
      '3 operations stay in the durable store for the next start (or another instance sharing it): ' +
        'the shutdown deadline of 300 ms passed with 3 of them in flight here (released)',
    ]);
    expect(await testRedis.admin.hlen(`{${prefix}}:operations`)).toBe(3);
    expect(await testRedis.admin.hlen(`{${prefix}}:owners`)).toBe(0);
  });

  it('sends what it can lease, and leaves only what the other instance holds', async () => {
    sandbox.delay(2_000, { path: '/api/v2/batch', times: 1 });
    const b = await instance(new Redis(testRedis.server.url));
    const held = b.subject.client.track('u-b', 'held by B').id;
    void b.subject.client.flush();
    await sandbox.waitFor(() => sandbox.pendingRequests === 1, 2_000);

    const client = new CountingRedis(testRedis.server.url);
    const a = await instance(client, { shutdownTimeoutMs: 1_000 });
    const mine = Array.from({ length: 4 }, (_, i) => a.subject.client.track(`u-a-${i}`, 'sent by A').id);
    const behind = a.subject.client.track('u-b', 'queued behind B').id; // its person is leased by B
    Logger.overrideLogger(capture);
    await a.subject.app.close();

    expect(a.subject.log.ids('delivered')).toEqual(mine);
    expect(client.sent.length).toBeLessThanOrEqual(30);
    expect(capture.messages('warn', 'CustomerIO')).toEqual([
      expect.stringMatching(
        /^2 operations stay in the shared store at shutdown, all leased by other instances or queued behind/,
      ),
    ]);

    await sandbox.waitFor(() => b.subject.log.ids('delivered').length === 1, 5_000);
    await b.subject.client.flush();
    expect(b.subject.log.ids('delivered')).toEqual([held, behind]);
    const both = new ReportLog();
    both.reports.push(...a.subject.log.reports, ...b.subject.log.reports);
    expectEachOnceOrReported(sandbox, [...mine, held, behind], both);
  }, 15_000);
});
