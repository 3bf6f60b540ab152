/**
 * End to end: the fixture app (test/decorators/fixtures) with the sandbox as Customer.io: the
 * `decorators.person` / `decorators.anonymousId` options, never waiting on the network, `@Interval` and `@Cron` handlers.
 */
import { performance } from 'node:perf_hooks';
import { SchedulerRegistry } from '@nestjs/schedule';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { schedulerPerson, ScheduledJobs } from './fixtures/decorators-fixture.js';
import { PlanService, PRO_PLAN } from './fixtures/plan.service.js';
import { fixture, logs, named, scheduledFixture } from './fixtures/decorators-e2e.js';

describe('@TrackEvent / @Identify: e2e fixture app', () => {
  describe('with custom decorators.person and decorators.anonymousId options', () => {
    let sandbox: CustomerIOSandbox;
    let fx: TestApp;

    beforeAll(async () => {
      sandbox = await CustomerIOSandbox.start();
      fx = await startTestApp({
        sandbox,
        module: fixture,
        http: true,
        flushWhenAsked: true,
        logger: logs,
        options: {
          decorators: {
            person: (request: { headers: Record<string, string | undefined> }) => request.headers['x-account'],
            anonymousId: (request: { headers: Record<string, string | undefined> }) => request.headers['x-visitor'],
          },
        },
      });
    });
    afterEach(async () => {
      await fx.client.flush();
      sandbox.reset();
      logs.clear();
    });
    afterAll(async () => {
      await fx?.close();
      await sandbox?.close();
    });

    it('the person comes from decorators.person (x-account), not from req.user', async () => {
      const response = await fx.request('/items/c-1', {
        headers: { 'x-account': 'acct-1', 'x-user-id': 'user-ignored' },
      });

      expect(response.status).toBe(200);
      expect(await fx.flushedEvents('item_viewed')).toMatchObject([{ personId: 'acct-1', data: { id: 'c-1' } }]);
    });

    it('in a REQUEST-scoped provider too', async () => {
      await fx.request('/audit/c-2', { headers: { 'x-account': 'acct-2' } });

      expect(await fx.flushedEvents('audit_recorded')).toMatchObject([{ personId: 'acct-2', data: { itemId: 'c-2' } }]);
    });

    it('the anonymous fallback comes from decorators.anonymousId (x-visitor), not x-anonymous-id', async () => {
      await fx.request('/items/c-3', { headers: { 'x-visitor': 'visitor-3', 'x-anonymous-id': 'anon-ignored' } });

      expect(await fx.flushedEvents('item_viewed')).toMatchObject([{ anonymousId: 'visitor-3' }]);
    });
  });

  describe('a decorated call never waits on the network', () => {
    let sandbox: CustomerIOSandbox;
    let fx: TestApp;

    beforeAll(async () => {
      sandbox = await CustomerIOSandbox.start();
      // a hung request is given up after 300 ms, then retried at once
      fx = await startTestApp({
        sandbox,
        module: fixture,
        http: true,
        flushWhenAsked: true,
        logger: logs,
        options: { timeout: 300, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
      });
    });
    afterAll(async () => {
      await fx?.close();
      await sandbox?.close();
    });

    it('while Customer.io hangs, decorated calls (sync, async, HTTP) return at once and their events wait in the queue', async () => {
      const plans = fx.app.get(PlanService);
      sandbox.hang({ times: 1 });
      plans.view('before-hang');
      const flushing = fx.client.flush();
      await sandbox.waitFor(() => sandbox.pendingRequests === 1, 1000);

      let started = performance.now();
      const result = plans.view('during-hang-sync');
      const syncMs = performance.now() - started;
      started = performance.now();
      const loaded = await plans.load('during-hang-async');
      const asyncMs = performance.now() - started;
      started = performance.now();
      const response = await fx.request('/items/h-1', { headers: { 'x-user-id': 'during-hang-http' } });
      const httpMs = performance.now() - started;

      expect(result).toBe(PRO_PLAN);
      expect(loaded).toBe(PRO_PLAN);
      expect(response.status).toBe(200);
      expect(syncMs).toBeLessThan(50);
      expect(asyncMs).toBeLessThan(50);
      expect(httpMs).toBeLessThan(200); // the hung request is only given up after 300 ms
      expect(sandbox.pendingRequests).toBe(1); // still hung
      expect(fx.client.stats).toMatchObject({ queued: 4, inFlight: 1 });

      await flushing; // the hung batch timed out and was retried
      await fx.client.flush();
      expect(sandbox.events.map((event) => event.personId).sort()).toEqual([
        'before-hang',
        'during-hang-async',
        'during-hang-http',
        'during-hang-sync',
      ]);
      expect(fx.client.stats).toMatchObject({ queued: 0, failed: 0 });
    });
  });

  describe('@Interval and @Cron handlers', () => {
    let sandbox: CustomerIOSandbox;
    let fx: TestApp;

    beforeAll(async () => {
      sandbox = await CustomerIOSandbox.start();
      fx = await startTestApp({
        sandbox,
        module: scheduledFixture('sched'),
        http: true,
        flushWhenAsked: true,
        logger: logs,
        options: { queue: { flushIntervalMs: 20 } },
      });
    });
    afterAll(async () => {
      await fx?.close();
      await sandbox?.close();
    });

    it('@Interval under and over @TrackEvent: both stay registered, keep firing, and every run is tracked', async () => {
      const registry = fx.app.get(SchedulerRegistry);
      expect(registry.getIntervals()).toEqual(
        expect.arrayContaining(['interval-over-tracked', 'interval-under-tracked']),
      );

      await sandbox.waitFor(
        () => named(sandbox, 'interval_under').length >= 2 && named(sandbox, 'interval_over').length >= 2,
        2000,
      );

      expect(named(sandbox, 'interval_under')[0]).toMatchObject({ personId: schedulerPerson('sched'), data: {} });
      expect(named(sandbox, 'interval_over')[0]).toMatchObject({ personId: schedulerPerson('sched'), data: {} });
      const runs = fx.app.get(ScheduledJobs).runs;
      expect(runs.interval_under).toBeGreaterThanOrEqual(named(sandbox, 'interval_under').length);
      expect(runs.interval_over).toBeGreaterThanOrEqual(named(sandbox, 'interval_over').length);
    });

    it('@Cron (every second) under and over @TrackEvent: both stay registered, and their ticks are tracked', async () => {
      const registry = fx.app.get(SchedulerRegistry);
      expect([...registry.getCronJobs().keys()]).toEqual(
        expect.arrayContaining(['cron-over-tracked', 'cron-under-tracked']),
      );

      await sandbox.waitFor(
        () => named(sandbox, 'cron_under').length >= 1 && named(sandbox, 'cron_over').length >= 1,
        2500,
      );

      expect(named(sandbox, 'cron_under')[0]).toMatchObject({ personId: schedulerPerson('sched') });
      expect(named(sandbox, 'cron_over')[0]).toMatchObject({ personId: schedulerPerson('sched') });
    });
  });
});
