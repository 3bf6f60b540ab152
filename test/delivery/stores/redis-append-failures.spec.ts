/**
 * Appends the Redis store cannot make (Redis unreachable) are each reported `failed` (hook, counter,
 * receipt), and logged summed: one line a flush interval with their count, not one line each.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisQueueStore } from '../../../lib/stores/redis/redis-queue.store.js';
import { CustomerIOSandbox } from '../../../lib/testing/index.js';
import { LogCapture } from '../../support/log-capture.js';
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
});
