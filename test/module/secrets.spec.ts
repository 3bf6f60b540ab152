/**
 * Secrets the library builds print redacted: the keys in the options `customerIOOptionsFromConfig()` returns,
 * and the password in the Redis URL of the resolved options; yet the key is still sent and the URL still
 * connects. Nothing the store logs carries the password either.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import {
  CustomerIOClient,
  CustomerIOModule,
  type CustomerIOModuleOptions,
  customerIOOptionsFromConfig,
} from '../../lib/index.js';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../../lib/customerio.constants.js';
import type { ResolvedCustomerIOOptions } from '../../lib/options/resolved-options.interface.js';
import { type CustomerIOSandbox } from '../../lib/testing/index.js';
import { LogCapture } from '../support/log-capture.js';
import { describeNeeding } from '../support/describe-needing.js';
import { type OwnedRedisServer, startRedisServer } from '../support/redis-server.js';
import { useSandbox } from '../support/test-app.js';

const API_KEY = `sk-${randomBytes(8).toString('hex')}`;
const APP_API_KEY = `app-${randomBytes(8).toString('hex')}`;
const REDIS_PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const logs = new LogCapture();

/** Every way a value is commonly printed. */
const printed = (value: unknown): string =>
  [
    inspect(value, { depth: 20 }),
    inspect(value, { depth: 20, showHidden: true }),
    JSON.stringify(value),
    `${String(value)}`,
  ].join('\n');

async function startApp(options: CustomerIOModuleOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [CustomerIOModule.forRoot(options)] }).compile();
  const app = moduleRef.createNestApplication({ logger: logs });
  await app.init();
  return app;
}

describe('secrets the library builds print redacted, and still work', () => {
  let sandbox: CustomerIOSandbox;
  useSandbox('all', (started) => (sandbox = started), { apiKey: API_KEY, appApiKey: APP_API_KEY });

  describe('customerIOOptionsFromConfig()', () => {
    const config = () => {
      const values: Record<string, string> = {
        CUSTOMERIO_SITE_ID: sandbox.siteId,
        CUSTOMERIO_API_KEY: API_KEY,
        CUSTOMERIO_APP_API_KEY: APP_API_KEY,
        CUSTOMERIO_TRACK_URL: sandbox.url,
        CUSTOMERIO_APP_API_URL: sandbox.url,
      };
      return { get: (key: string) => values[key] };
    };

    it('inspect and JSON print its keys [redacted], its copies too; reading them returns them', () => {
      const options = customerIOOptionsFromConfig(config());
      const copy = { ...options, region: 'eu' as const };

      for (const value of [options, copy, { nested: options }]) {
        const text = printed(value);
        expect(text).not.toContain(API_KEY);
        expect(text).not.toContain(APP_API_KEY);
        expect(text).toContain(sandbox.siteId);
      }
      expect(JSON.parse(JSON.stringify(copy))).toEqual({
        siteId: sandbox.siteId,
        apiKey: '[redacted]',
        appApiKey: '[redacted]',
        trackUrl: sandbox.url,
        appApiUrl: sandbox.url,
        region: 'eu',
      });
      expect(inspect(options)).toMatch(/apiKey: '\[redacted\]'/);
      expect([options.apiKey, copy.apiKey, options.appApiKey]).toEqual([API_KEY, API_KEY, APP_API_KEY]);
    });

    it('the keys are still sent: an app configured from it delivers through the queue and the App API', async () => {
      logs.clear();
      const app = await startApp(customerIOOptionsFromConfig(config()));
      try {
        const client = app.get(CustomerIOClient);
        const delivered = client.track('u-1', 'configured').delivered;
        await client.flush();
        await delivered;
        await client.direct.sendEmail({ to: 'a@example.com', transactional_message_id: 1, identifiers: { id: 'u-1' } });
        expect(sandbox.events.map((event) => event.name)).toContain('configured');
        expect(sandbox.transactional).toHaveLength(1);
        expect(logs.text).not.toContain(API_KEY);
      } finally {
        await app.close();
      }
    });
  });

  describeNeeding('redis-server')("the Redis URL of store: 'redis'", () => {
    let redis: OwnedRedisServer;
    const prefix = `test:secrets:${randomBytes(6).toString('hex')}`;

    beforeAll(async () => {
      redis = await startRedisServer({ password: REDIS_PASSWORD });
    });
    afterAll(async () => {
      await redis?.stop();
    });

    const withPassword = (password: string) => `redis://:${password}@127.0.0.1:${redis.port}/0`;

    it.each([
      [
        'in its user information',
        () => [withPassword(REDIS_PASSWORD), `redis://:[redacted]@127.0.0.1:${redis.port}/0`],
      ],
      [
        'as ?password=',
        () => [
          `redis://127.0.0.1:${redis.port}/0?password=${REDIS_PASSWORD}`,
          `redis://127.0.0.1:${redis.port}/0?password=[redacted]`,
        ],
      ],
    ])(
      'its password (%s) prints redacted in the resolved options (inspect, JSON) while the store connects with it and delivers',
      async (_where, urls) => {
        const [url, shown] = urls();
        logs.clear();
        const app = await startApp({ ...sandbox.moduleOptions(), queue: { store: 'redis', redis: { url, prefix } } });
        try {
          const resolved = app.get<ResolvedCustomerIOOptions>(CUSTOMERIO_RESOLVED_OPTIONS);
          const client = app.get(CustomerIOClient);
          const delivered = client.track('u-1', 'through_redis').delivered;
          await client.flush();
          await delivered;

          expect(printed(resolved)).not.toContain(REDIS_PASSWORD);
          expect(inspect(resolved.queue.redis, { depth: 5 })).toContain(`url: ${shown}`);
          expect(JSON.stringify(resolved.queue.redis?.url)).toBe(`"${shown}"`);
          expect(sandbox.events.map((event) => event.name)).toContain('through_redis');
          expect(logs.text).not.toContain(REDIS_PASSWORD);
        } finally {
          await app.close();
        }
      },
    );

    it('a password Redis refuses never shows in what the store logs or reports', async () => {
      logs.clear();
      const wrong = `wrong-${randomBytes(8).toString('hex')}`;
      const app = await startApp({
        ...sandbox.moduleOptions(),
        queue: { store: 'redis', redis: { url: withPassword(wrong), prefix }, shutdownTimeoutMs: 200 },
      });
      const client = app.get(CustomerIOClient);
      const delivered = client.track('u-1', 'refused').delivered.catch((error: unknown) => error);
      await sandbox.waitFor(() => logs.text.includes('WRONGPASS'), 5_000);
      await app.close();

      const outcome = await delivered;
      expect(String(outcome)).toMatch(/WRONGPASS/); // the receipt says why, as the log lines do
      expect(`${logs.text}\n${inspect(outcome)}`).not.toContain(wrong);
    });
  });
});
