import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  CustomerIOClient,
  CustomerIOModule,
  type CustomerIOModuleOptions,
  customerIOOptionsFromConfig,
} from '../../lib/index.js';
import type { CustomerIOSandbox } from '../../lib/testing/index.js';
import { ReportLog } from '../support/delivery-assertions.js';
import { useSandbox } from '../support/test-app.js';

// One application switched between the Track and Pipelines APIs by its configuration alone (CUSTOMERIO_API), the
// module built by forRootAsync from customerIOOptionsFromConfig; and a durable queue that outlives the switch.

/** The application's environment, as its ConfigModule reads it. */
type Env = Record<string, string>;

/** A started app: its client, and what its queue reported. */
interface SwitchedApp {
  app: INestApplication;
  client: CustomerIOClient;
  log: ReportLog;
}

/**
 * Starts the application: CustomerIOModule from `env` through @nestjs/config, the queue sending when flushed
 * (`queue`: the code's own queue options, over that), one attempt per flush.
 */
async function startApp(env: Env, queue: CustomerIOModuleOptions['queue'] = {}): Promise<SwitchedApp> {
  const log = new ReportLog();
  const moduleRef = await Test.createTestingModule({
    imports: [
      CustomerIOModule.forRootAsync({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true, ignoreEnvVars: true, load: [() => env] })],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          ...customerIOOptionsFromConfig(config),
          retry: { maxAttempts: 1, circuitBreaker: false },
          queue: { flushIntervalMs: 60_000, shutdownTimeoutMs: 300, ...queue },
          hooks: log.hooks,
        }),
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { app, client: app.get(CustomerIOClient), log };
}

/** The environment of an app sending to `sandbox` with both APIs' credentials (`CUSTOMERIO_API` unset). */
function sandboxEnv(sandbox: CustomerIOSandbox): Env {
  return {
    CUSTOMERIO_SITE_ID: sandbox.siteId,
    CUSTOMERIO_API_KEY: sandbox.apiKey,
    CUSTOMERIO_TRACK_URL: sandbox.url,
    CUSTOMERIO_PIPELINES_KEY: sandbox.pipelinesKey,
    CUSTOMERIO_PIPELINES_URL: sandbox.url,
  };
}

/** What the sandbox holds of people and events, without what differs by API (the event's `api`, ids, times). */
function recorded(sandbox: CustomerIOSandbox) {
  return {
    people: Object.fromEntries(sandbox.people),
    deletedPeople: sandbox.deletedPeople,
    events: sandbox.events.map(({ personId, anonymousId, name, type, data }) => ({
      personId,
      anonymousId,
      name,
      type,
      data,
    })),
  };
}

describe('one application, the API chosen by configuration', () => {
  let sandbox: CustomerIOSandbox;
  useSandbox('each', (started) => (sandbox = started));

  it('the same calls leave the same people and events on the Track API (CUSTOMERIO_API unset) and on CUSTOMERIO_API=pipelines', async () => {
    const results = [];
    for (const api of [undefined, 'pipelines']) {
      sandbox.reset();
      const { app, client, log } = await startApp({ ...sandboxEnv(sandbox), ...(api && { CUSTOMERIO_API: api }) });
      client.identify('u-1', { plan: 'pro', email: 'u1@example.com' });
      client.track('u-1', 'signed_up', { plan: 'pro' });
      client.trackPageView('u-1', '/pricing', { ref: 'ad' });
      client.addDevice('u-1', 'tok-1', 'ios');
      client.identify('u-2', { plan: 'free' });
      client.destroy('u-2');
      await client.flush();
      await app.close();
      expect(log.ids('delivered')).toHaveLength(6);
      expect(sandbox.droppedCalls).toEqual([]);
      expect(sandbox.batches.map(({ api: batchApi, status }) => `${batchApi} ${status}`)).toEqual([
        `${api ?? 'track'} 200`,
      ]);
      expect(new Set(sandbox.events.map((event) => event.api))).toEqual(new Set([api ? 'pipelines' : 'v2']));
      results.push(recorded(sandbox));
    }
    expect(results[0].people['u-1']).toMatchObject({
      attributes: { plan: 'pro', email: 'u1@example.com' },
      devices: { 'tok-1': { id: 'tok-1', platform: 'ios' } },
    });
    expect(results[0].deletedPeople).toEqual(['u-2']);
    expect(results[0].events).toHaveLength(2);
    expect(results[1]).toEqual(results[0]);
  });

  describe('a durable queue across the switch', () => {
    /**
     * Queues three events with the Track API (CUSTOMERIO_API unset) in a SQLite file while the sandbox answers 503,
     * so that they stay queued, and closes the app; returns the file and the events' ids.
     */
    async function leftoversOnTrack(): Promise<{ path: string; ids: string[] }> {
      const path = join(mkdtempSync(join(tmpdir(), 'cio-switch-')), 'queue.db');
      sandbox.respondWith(503, { path: '/api/v2/batch' });
      const { app, client, log } = await startApp(sandboxEnv(sandbox), { store: 'sqlite', sqlite: { path } });
      const ids = ['a', 'b', 'c'].map((name) => client.track('u-1', name).id);
      await client.flush();
      expect(client.stats).toMatchObject({ queued: 3, delivered: 0, failed: 0 });
      await app.close();
      expect(log.ids('undelivered')).toEqual([]); // kept in the file
      expect(sandbox.requests.length).toBeGreaterThan(0);
      sandbox.reset();
      sandbox.clearFaults();
      return { path, ids };
    }

    it('reopened with CUSTOMERIO_API=pipelines and Track credentials: the leftovers go to the Track API, new calls to Pipelines', async () => {
      const { path, ids } = await leftoversOnTrack();
      const { app, client, log } = await startApp(
        { ...sandboxEnv(sandbox), CUSTOMERIO_API: 'pipelines' },
        { store: 'sqlite', sqlite: { path } },
      );
      try {
        const fresh = client.track('u-1', 'd').id;
        await client.flush();
        expect(log.ids('delivered').sort()).toEqual([...ids, fresh].sort());
        expect(sandbox.batches.map(({ api, operations }) => `${api} ${operations}`)).toEqual([
          'track 3',
          'pipelines 1',
        ]);
        expect(sandbox.events.map(({ id, api }) => `${id} ${api}`)).toEqual([
          ...ids.map((id) => `${id} v2`),
          `${fresh} pipelines`,
        ]);
      } finally {
        await app.close();
      }
    });

    it('reopened with only CUSTOMERIO_PIPELINES_KEY: the leftovers end failed, the reason naming the Track API', async () => {
      const { path, ids } = await leftoversOnTrack();
      const { app, client, log } = await startApp(
        {
          CUSTOMERIO_API: 'pipelines',
          CUSTOMERIO_PIPELINES_KEY: sandbox.pipelinesKey,
          CUSTOMERIO_PIPELINES_URL: sandbox.url,
        },
        { store: 'sqlite', sqlite: { path } },
      );
      try {
        const fresh = client.track('u-1', 'd').id;
        await client.flush();
        expect(log.ids('failed').sort()).toEqual([...ids].sort());
        expect(log.reports.find((report) => report.outcome === 'failed')?.reason).toBe(
          'queued for the Track API, which this application no longer configures (siteId and apiKey)',
        );
        expect(log.ids('delivered')).toEqual([fresh]);
        expect(sandbox.requests.map((request) => request.path)).toEqual(['/v1/batch']);
        expect(client.stats).toMatchObject({ failed: 3, delivered: 1, queued: 0 });
      } finally {
        await app.close();
      }
    });
  });
});
