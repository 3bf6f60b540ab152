/**
 * Appends the Redis store cannot make (Redis unreachable) are each reported `failed` (hook, counter,
 * receipt), and logged summed: one line a flush interval with their count, not one line each.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisQueueStore } from '../../../lib/stores/redis/redis-queue.store.js';
import { CustomerIOSandbox } from '../../../lib/testing/index.js';
import { LogCapture } from '../../support/log-capture.js';
import { countScripts, queuedOperation } from '../../support/redis-stores.js';
import { type OwnedRedisServer, startRedisServer, uniquePrefix } from '../../support/redis-server.js';
import { startTestApp } from '../../support/test-app.js';

describe('RedisQueueStore: appends failing while Redis is unreachable', () => {
  const logs = new LogCapture();
  let sandbox: CustomerIOSandbox;
  let redis: OwnedRedisServer;
  let connection: Redis;
  let app: INestApplication;

  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
    redis = await startRedisServer();
    // a client that fails commands at once while disconnected, rather than queueing them offline
    connection = new Redis(redis.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    await new Promise((resolve) => connection.once('ready', resolve));
    logs.clear();
  });
  afterEach(async () => {
    await app?.close();
    await redis.stop();
    // NOTE: disconnecting a client that already ended (no retries) starts a 2 s socket timer that holds Jest up.
    if (connection.status !== 'end') connection.disconnect();
    await sandbox.close();
  });

  it('2,000 failed appends: each reported failed, and one log line with their count', async () => {
    const store = new RedisQueueStore({ redis: connection, prefix: uniquePrefix('append-failures') });
    const subject = await startTestApp({ sandbox, options: { queue: { store } }, flushWhenAsked: true, logger: logs });
    app = subject.app;
    const { client, log: reports } = subject;
    await redis.kill();

    const ids = Array.from({ length: 2_000 }, (_, i) => client.track(`u-${i % 10}`, 'while_down', { i }).id);
    await sandbox.waitFor(() => client.stats.failed === 2_000, 10_000);
    await client.flush();

    expect(reports.ids('failed').sort()).toEqual([...ids].sort());
    expect(reports.reports.every((report) => report.reason?.startsWith('store: '))).toBe(true);
    const appendLines = logs.messages('warn', 'CustomerIO').filter((line) => line.includes('could not append'));
    expect(appendLines).toEqual([
      expect.stringMatching(/^failed: 2000 operations the store could not append, last: store: /),
    ]);
    // each failed operation's outcome could not be shared through Redis either: summed too
    expect(logs.messages('warn', 'CustomerIO').filter((line) => line.includes('sharing outcomes'))).toEqual([
      expect.stringMatching(
        /^2000 store calls sharing outcomes failed, last: CustomerIO queue could not report shared outcomes/,
      ),
    ]);
    // everything the module logged about the outage: a handful of lines, not one per operation
    expect(logs.of('CustomerIO').length).toBeLessThanOrEqual(5);
  });

  it('with the connection down, every chunk of appends goes to the client at once, each failed by its rules', async () => {
    // a client that holds commands offline, and fails them after a round of reconnections
    const offline = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 20 });
    offline.on('error', () => undefined);
    try {
      const store = new RedisQueueStore({ redis: offline, prefix: uniquePrefix('append-offline') });
      await store.ready();
      const scripts = countScripts(offline);
      await redis.kill();
      while (offline.status === 'ready') await sleep(5);

      const appended = Array.from({ length: 5_000 }, (_, i) => queuedOperation(`o-${i}`, `k-${i % 7}`));
      const answers = Promise.allSettled(appended.map((operation) => store.append(operation)));
      await setImmediate();

      // NOTE: two at a time, the third chunk would wait for the first two to fail (a round of reconnections).
      expect(scripts.sent).toBe(5);
      expect((await answers).map((answer) => answer.status)).toEqual(appended.map(() => 'rejected'));
      await store.close();
    } finally {
      offline.disconnect();
    }
  });
});
