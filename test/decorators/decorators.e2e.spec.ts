/**
 * End to end: the fixture app (test/decorators/fixtures) over real HTTP, with the sandbox as Customer.io.
 * Covers where `@TrackEvent` / `@Identify` fire (routes, providers, REQUEST scope, schedules, event
 * handlers, two apps in one process) and their semantics (sync/async/Observable, failures, mappers that
 * throw, never waiting on the network).
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { SchedulerRegistry } from '@nestjs/schedule';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { isObservable, lastValueFrom, toArray } from 'rxjs';
import { CustomerIOSandbox, type SandboxEvent } from '../../lib/testing/index.js';
import { type HttpApp, startHttpApp, useTwoHttpApps } from '../support/decorators-app.js';
import { LogCapture } from '../support/log-capture.js';
import {
  BASIC_PLAN,
  DecoratorsFixtureModule,
  OrderListeners,
  PlanService,
  PRO_PLAN,
  RequestAudit,
  schedulerPerson,
  ScheduledJobs,
} from './fixtures/decorators-fixture.js';
import type { CustomerIOModuleOptions } from '../../lib/index.js';

/** Shared by every app of this file: Nest makes the last app's logger the process-wide one. */
const logs = new LogCapture();
const fixture = (customerio: CustomerIOModuleOptions) => DecoratorsFixtureModule.forRoot({ customerio });
const scheduledFixture = (label: string) => (customerio: CustomerIOModuleOptions) =>
  DecoratorsFixtureModule.forRoot({ customerio, schedule: true, label });

const named = (sandbox: CustomerIOSandbox, name: string): SandboxEvent[] =>
  sandbox.events.filter((event) => event.name === name);
const decoratorWarnings = (): string[] => logs.messages('warn', 'CustomerIO');
/** Events not sent by the fixture's `@Interval` / `@Cron` handlers. */
const unscheduled = (sandbox: CustomerIOSandbox): SandboxEvent[] =>
  sandbox.events.filter((event) => !event.personId?.startsWith('scheduler-'));

class QuotaExceededError extends Error {
  override name = 'QuotaExceededError';
}

/** Whatever `fn` throws (fails the test if it returns). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
}

describe('@TrackEvent / @Identify: e2e fixture app', () => {
  describe('in one app', () => {
    let sandbox: CustomerIOSandbox;
    let fx: HttpApp;
    let plans: PlanService;

    beforeAll(async () => {
      sandbox = await CustomerIOSandbox.start();
      fx = await startHttpApp(sandbox, fixture, { logger: logs });
      plans = fx.app.get(PlanService);
    });
    afterEach(async () => {
      await fx.client.flush(); // nothing a test queued is left for the next one
      sandbox.reset();
      logs.clear();
    });
    afterAll(async () => {
      await fx?.close();
      await sandbox?.close();
    });

    describe('route handlers over HTTP', () => {
      it('@TrackEvent below @Get: the route still answers (with @Header above kept) and the event has the request user and mapped data', async () => {
        const response = await fx.request('/items/i-1', { headers: { 'x-user-id': 'user-1' } });

        expect(response.status).toBe(200);
        expect(response.headers.get('x-fixture')).toBe('items');
        expect(await response.json()).toEqual({ id: 'i-1', name: 'item-i-1' });
        expect(await fx.flushedEvents('item_viewed')).toMatchObject([{ personId: 'user-1', data: { id: 'i-1' } }]);
      });

      it('@TrackEvent above @Post and @HttpCode: the route is registered, answers 202, and the event is sent', async () => {
        const response = await fx.request('/items', {
          method: 'POST',
          headers: { 'x-user-id': 'user-2' },
          body: { name: 'lamp' },
        });

        expect(response.status).toBe(202);
        expect(await response.json()).toEqual({ id: 'new-1', name: 'lamp' });
        expect(await fx.flushedEvents('item_created')).toMatchObject([
          { personId: 'user-2', data: { id: 'new-1', name: 'lamp' } },
        ]);
      });

      it('without a request user, falls back on the anonymous id (x-anonymous-id)', async () => {
        const response = await fx.request('/items/i-2', { headers: { 'x-anonymous-id': 'anon-7' } });

        expect(response.status).toBe(200);
        const [event] = await fx.flushedEvents('item_viewed');
        expect(event).toMatchObject({ anonymousId: 'anon-7', data: { id: 'i-2' } });
        expect(event.personId).toBeUndefined();
      });

      it('the request user wins over the anonymous id', async () => {
        await fx.request('/items/i-3', { headers: { 'x-user-id': 'user-3', 'x-anonymous-id': 'anon-3' } });

        const events = await fx.flushedEvents('item_viewed');
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ personId: 'user-3' });
      });

      it('an explicit person mapper on a provider called by a route wins over the request user', async () => {
        const response = await fx.request('/profile/plan/mapped-9', { headers: { 'x-user-id': 'request-user' } });

        expect(await response.json()).toEqual(PRO_PLAN);
        expect(await fx.flushedEvents('plan_viewed')).toMatchObject([
          { personId: 'mapped-9', data: { plan: 'pro', userId: 'mapped-9' } },
        ]);
      });

      it('a route returning an Observable answers with its last value and is tracked with it', async () => {
        const response = await fx.request('/items/i-4/versions', { headers: { 'x-user-id': 'user-4' } });

        expect(response.status).toBe(200);
        expect(await response.json()).toBe(2);
        expect(await fx.flushedEvents('item_versions_listed')).toMatchObject([
          { personId: 'user-4', data: { id: 'i-4', last: 2 } },
        ]);
      });

      it('a failing route: the 409 reaches the client; tracked with the error name only with onError: true', async () => {
        const deleted = await fx.request('/items/i-5', { method: 'DELETE', headers: { 'x-user-id': 'user-5' } });
        const archived = await fx.request('/items/i-5/archive', { method: 'POST', headers: { 'x-user-id': 'user-5' } });

        expect([deleted.status, archived.status]).toEqual([409, 409]);
        expect(await deleted.json()).toMatchObject({ statusCode: 409, message: 'item i-5 is locked' });
        expect(await archived.json()).toMatchObject({ statusCode: 409, message: 'item i-5 is locked' });
        expect(await fx.flushedEvents('item_delete_failed')).toEqual([
          expect.objectContaining({ personId: 'user-5', data: { error: 'ConflictException' } }),
        ]);
        expect(named(sandbox, 'item_archived')).toEqual([]);
      });

      it('a request with no user and no anonymous id: answers normally; not tracked, counted and logged', async () => {
        const errors = fx.tracker.errors;

        const response = await fx.request('/items/i-6');

        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ id: 'i-6', name: 'item-i-6' });
        expect(fx.tracker.errors).toBe(errors + 1);
        expect(await fx.flushedEvents('item_viewed')).toEqual([]);
        expect(decoratorWarnings()).toEqual([
          expect.stringMatching(
            /^1 decorated call not tracked, last: @TrackEvent\('item_viewed'\) on ItemsController\.view was not tracked: no person/,
          ),
        ]);
      });

      it('a request user id over 150 bytes: answers normally; not tracked, counted and logged', async () => {
        const errors = fx.tracker.errors;

        const response = await fx.request('/items/i-7', { headers: { 'x-user-id': 'u'.repeat(151) } });

        expect(response.status).toBe(200);
        expect(fx.tracker.errors).toBe(errors + 1);
        expect(await fx.flushedEvents('item_viewed')).toEqual([]);
        expect(decoratorWarnings()).toEqual([
          expect.stringMatching(/@TrackEvent\('item_viewed'\) on ItemsController\.view was not tracked: .*151 bytes/),
        ]);
      });

      it('@Identify above @Put sets the attributes on the request user', async () => {
        const response = await fx.request('/profile', {
          method: 'PUT',
          headers: { 'x-user-id': 'user-8' },
          body: { plan: 'team' },
        });

        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ ok: true });
        await fx.client.flush();
        expect(sandbox.people.get('user-8')?.attributes).toMatchObject({ plan: 'team' });
      });
    });

    describe('REQUEST-scoped providers', () => {
      it('a REQUEST-scoped provider called from a route: one instance per request, each call tracked with its own request user', async () => {
        const instances = RequestAudit.instances;

        const responses = await Promise.all(
          ['1', '2', '3'].map((n) => fx.request(`/audit/item-${n}`, { headers: { 'x-user-id': `auditor-${n}` } })),
        );

        expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
        expect(await Promise.all(responses.map((response) => response.json()))).toEqual([
          { recorded: 'item-1' },
          { recorded: 'item-2' },
          { recorded: 'item-3' },
        ]);
        expect(RequestAudit.instances).toBe(instances + 3);
        const recorded = (await fx.flushedEvents('audit_recorded')).map((event) => [event.personId, event.data.itemId]);
        expect(recorded.sort()).toEqual([
          ['auditor-1', 'item-1'],
          ['auditor-2', 'item-2'],
          ['auditor-3', 'item-3'],
        ]);
        // the controller is REQUEST-scoped too (it injects RequestAudit): its own decorated handler
        expect(
          named(sandbox, 'audit_route_hit')
            .map((event) => event.personId)
            .sort(),
        ).toEqual(['auditor-1', 'auditor-2', 'auditor-3']);
      });
    });

    describe('providers called directly', () => {
      it('a sync method stays sync: returns the very same object (not a Promise); the event is queued as it returns', () => {
        const enqueued = fx.client.stats.enqueued;

        const result = plans.view('sync-1');

        expect(result).toBe(PRO_PLAN);
        expect(result).not.toBeInstanceOf(Promise);
        expect(fx.client.stats.enqueued).toBe(enqueued + 1);
      });

      it('the sync call reaches the sandbox with the mapped person and data, through the batching queue (v2 batch)', async () => {
        plans.view('sync-2');
        expect(sandbox.requests).toEqual([]); // queued, not sent by the call

        expect(await fx.flushedEvents('plan_viewed')).toMatchObject([
          { personId: 'sync-2', data: { plan: 'pro', userId: 'sync-2' }, api: 'v2' },
        ]);
        expect(sandbox.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /api/v2/batch']);
      });

      it('an async method stays async: a Promise of the very same object; the event is queued only once it resolved', async () => {
        let open!: () => void;
        const gate = new Promise<void>((resolve) => (open = resolve));
        const enqueued = fx.client.stats.enqueued;

        const promise = plans.load('async-1', gate);

        expect(promise).toBeInstanceOf(Promise);
        await nextMacrotask();
        expect(fx.client.stats.enqueued).toBe(enqueued);
        open();
        expect(await promise).toBe(PRO_PLAN);
        expect(fx.client.stats.enqueued).toBe(enqueued + 1);
        expect(await fx.flushedEvents('plan_loaded')).toMatchObject([{ personId: 'async-1', data: { plan: 'pro' } }]);
      });

      it('an Observable stays an Observable, emits the very same values, and is tracked on completion with the last one', async () => {
        const enqueued = fx.client.stats.enqueued;

        const plans$ = plans.list('obs-1');

        expect(isObservable(plans$)).toBe(true);
        expect(fx.client.stats.enqueued).toBe(enqueued); // cold: nothing ran yet
        const values = await lastValueFrom(plans$.pipe(toArray()));
        expect(values).toHaveLength(2);
        expect(values[0]).toBe(BASIC_PLAN);
        expect(values[1]).toBe(PRO_PLAN);
        expect(fx.client.stats.enqueued).toBe(enqueued + 1);
        expect(await fx.flushedEvents('plans_listed')).toMatchObject([{ personId: 'obs-1', data: { last: 'pro' } }]);
      });

      it('an asynchronous Observable (timer) is tracked once it completes, not while it emits', async () => {
        const enqueued = fx.client.stats.enqueued;
        const seen: Array<[value: number, enqueued: number]> = [];

        await new Promise<void>((resolve, reject) => {
          plans.ticks('obs-2', 3).subscribe({
            next: (value) => seen.push([value, fx.client.stats.enqueued]),
            error: reject,
            complete: resolve,
          });
        });

        expect(seen).toEqual([
          [0, enqueued],
          [1, enqueued],
          [2, enqueued],
        ]);
        expect(fx.client.stats.enqueued).toBe(enqueued + 1);
        expect(await fx.flushedEvents('plan_ticked')).toMatchObject([{ personId: 'obs-2', data: { last: 2 } }]);
      });

      it('on failure, by default: the same exception reaches the caller (sync and async) and nothing is sent', async () => {
        const syncError = new TypeError('bad plan');
        const asyncError = new QuotaExceededError('over quota');
        const enqueued = fx.client.stats.enqueued;
        const errors = fx.tracker.errors;

        expect(thrownBy(() => plans.fail('fail-1', syncError))).toBe(syncError);
        await expect(plans.failAsync('fail-1', asyncError)).rejects.toBe(asyncError);

        expect(fx.client.stats.enqueued).toBe(enqueued);
        expect(fx.tracker.errors).toBe(errors);
        await fx.client.flush();
        expect(sandbox.events).toEqual([]);
        expect(decoratorWarnings()).toEqual([]);
      });

      it("with onError: true, an event { error: <the error's name> } is sent and the same exception still propagates (sync, async, Observable)", async () => {
        const syncError = new TypeError('bad plan');
        const asyncError = new QuotaExceededError('over quota');
        const streamError = new RangeError('stream broke');

        expect(thrownBy(() => plans.failTracked('fail-2', syncError))).toBe(syncError);
        await expect(plans.failTrackedAsync('fail-3', asyncError)).rejects.toBe(asyncError);
        const values: unknown[] = [];
        const streamed = await new Promise<unknown>((resolve, reject) => {
          plans.failStream('fail-4', streamError).subscribe({
            next: (value) => values.push(value),
            error: resolve,
            complete: () => reject(new Error('completed')),
          });
        });
        expect(streamed).toBe(streamError);
        expect(values).toEqual([BASIC_PLAN]);

        await fx.client.flush();
        expect(sandbox.events.map((event) => [event.personId, event.name, event.data])).toEqual([
          ['fail-2', 'plan_failure_tracked', { error: 'TypeError' }],
          ['fail-3', 'plan_failure_tracked_async', { error: 'QuotaExceededError' }],
          ['fail-4', 'plan_stream_failed', { error: 'RangeError' }],
        ]);
      });

      it('a data mapper that throws: the call returns normally; counted, and logged naming the event and the method', async () => {
        const errors = fx.tracker.errors;

        expect(plans.brokenData('mapper-1')).toBe(PRO_PLAN);

        expect(fx.tracker.errors).toBe(errors + 1);
        expect(await fx.flushedEvents('plan_mapper_broken')).toEqual([]);
        expect(decoratorWarnings()).toEqual([
          "1 decorated call not tracked, last: @TrackEvent('plan_mapper_broken') on PlanService.brokenData was not tracked: the data mapper threw: data mapper exploded",
        ]);
      });

      it('a person mapper that throws (async method): resolves normally; counted and logged', async () => {
        const errors = fx.tracker.errors;

        await expect(plans.brokenPerson()).resolves.toBe(PRO_PLAN);

        expect(fx.tracker.errors).toBe(errors + 1);
        expect(await fx.flushedEvents('plan_person_broken')).toEqual([]);
        expect(decoratorWarnings()).toEqual([
          "1 decorated call not tracked, last: @TrackEvent('plan_person_broken') on PlanService.brokenPerson was not tracked: the person mapper threw: person mapper exploded",
        ]);
      });

      it.each([
        ['blank', ''],
        ['whitespace', '   '],
        ['151 bytes', 'x'.repeat(151)],
        ['151 bytes of UTF-8 (76 characters)', `${'é'.repeat(75)}x`],
      ])(
        'a mapped person id that is invalid (%s): returns normally; counted and logged, nothing sent',
        async (_case, id) => {
          const errors = fx.tracker.errors;

          expect(plans.forId(id)).toBe(PRO_PLAN);

          expect(fx.tracker.errors).toBe(errors + 1);
          expect(await fx.flushedEvents('plan_for_id')).toEqual([]);
          expect(decoratorWarnings()).toEqual([
            expect.stringMatching(
              /^1 decorated call not tracked, last: @TrackEvent\('plan_for_id'\) on PlanService\.forId was not tracked: personId /,
            ),
          ]);
        },
      );

      it('a mapped person id of exactly 150 bytes is tracked', async () => {
        const id = 'x'.repeat(150);

        plans.forId(id);

        expect(await fx.flushedEvents('plan_for_id')).toMatchObject([{ personId: id }]);
      });

      it('@Identify sets the mapped attributes on the mapped person, and returns the very same object', async () => {
        const result = plans.upgrade('identify-1', 'one@example.com');

        expect(result).toBeInstanceOf(Promise);
        expect(await result).toBe(PRO_PLAN);
        await fx.client.flush();
        expect(sandbox.people.get('identify-1')?.attributes).toMatchObject({ email: 'one@example.com', plan: 'pro' });
      });
    });

    describe('event handlers', () => {
      it('handlers found by their metadata at start-up (decorator under and over @TrackEvent) are tracked when the event fires', async () => {
        const events = fx.app.get(EventEmitter2);
        const listeners = fx.app.get(OrderListeners);
        const enqueued = fx.client.stats.enqueued;

        // @OnEvent (from @nestjs/event-emitter) registered both handlers: its metadata survived the wrapper
        expect(events.listeners('order.placed')).toHaveLength(1);
        expect(events.listeners('order.shipped')).toHaveLength(1);
        expect(events.emit('order.placed', { userId: 'buyer-1', total: 42 })).toBe(true);
        expect(events.emit('order.shipped', { userId: 'buyer-1', total: 42 })).toBe(true);
        await sandbox.waitFor(() => fx.client.stats.enqueued === enqueued + 2, 1000);

        expect(listeners.received).toHaveLength(2);
        await fx.client.flush();
        expect(sandbox.events.map((event) => [event.personId, event.name, event.data])).toEqual([
          ['buyer-1', 'order_placed', { total: 42 }],
          ['buyer-1', 'order_shipped', {}],
        ]);
      });
    });
  });

  describe('with custom decorators.person and decorators.anonymousId options', () => {
    let sandbox: CustomerIOSandbox;
    let fx: HttpApp;

    beforeAll(async () => {
      sandbox = await CustomerIOSandbox.start();
      fx = await startHttpApp(sandbox, fixture, {
        logger: logs,
        customerio: {
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
    let fx: HttpApp;

    beforeAll(async () => {
      sandbox = await CustomerIOSandbox.start();
      // a hung request is given up after 300 ms, then retried at once
      fx = await startHttpApp(sandbox, fixture, {
        logger: logs,
        customerio: { timeout: 300, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
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
    let fx: HttpApp;

    beforeAll(async () => {
      sandbox = await CustomerIOSandbox.start();
      fx = await startHttpApp(sandbox, scheduledFixture('sched'), {
        logger: logs,
        customerio: { queue: { flushIntervalMs: 20 } },
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

  describe('two apps in one process', () => {
    const two = useTwoHttpApps(scheduledFixture, { logger: logs });
    afterEach(async () => {
      const { a, b } = two;
      await Promise.all([a.client.flush(), b.client.flush()]);
      a.sandbox.reset();
      b.sandbox.reset();
      logs.clear();
    });

    it('each app sends to its own sandbox: routes, REQUEST-scoped providers, singleton providers and event handlers', async () => {
      const { a, b } = two;
      expect(a.app.get(PlanService)).not.toBe(b.app.get(PlanService));

      for (const [fx, tag] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        expect((await fx.request(`/items/${tag}-1`, { headers: { 'x-user-id': `http-${tag}` } })).status).toBe(200);
        expect((await fx.request(`/audit/${tag}-2`, { headers: { 'x-user-id': `audit-${tag}` } })).status).toBe(200);
        expect(fx.app.get(PlanService).view(`direct-${tag}`)).toBe(PRO_PLAN);
        fx.app.get(EventEmitter2).emit('order.placed', { userId: `buyer-${tag}`, total: 1 });
      }
      // interleaved: B's call first, then A's, outside any request
      b.app.get(PlanService).view('direct-b-2');
      a.app.get(PlanService).view('direct-a-2');
      await Promise.all([a.client.flush(), b.client.flush()]);

      const seen = (sandbox: CustomerIOSandbox) =>
        unscheduled(sandbox)
          .map((event) => `${event.name}:${event.personId}`)
          .sort();
      expect(seen(a.sandbox)).toEqual([
        'audit_recorded:audit-a',
        'audit_route_hit:audit-a',
        'item_viewed:http-a',
        'order_placed:buyer-a',
        'plan_viewed:direct-a',
        'plan_viewed:direct-a-2',
      ]);
      expect(seen(b.sandbox)).toEqual([
        'audit_recorded:audit-b',
        'audit_route_hit:audit-b',
        'item_viewed:http-b',
        'order_placed:buyer-b',
        'plan_viewed:direct-b',
        'plan_viewed:direct-b-2',
      ]);
      expect([a.tracker.errors, b.tracker.errors]).toEqual([0, 0]);
    });

    it('concurrent requests to both apps stay apart', async () => {
      const { a, b } = two;
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          (n % 2 ? b : a).request(`/items/c-${n}`, { headers: { 'x-user-id': `${n % 2 ? 'b' : 'a'}-${n}` } }),
        ),
      );

      expect(responses.every((response) => response.status === 200)).toBe(true);
      await Promise.all([a.client.flush(), b.client.flush()]);
      expect(
        unscheduled(a.sandbox)
          .map((event) => event.personId)
          .sort(),
      ).toEqual(['a-0', 'a-2', 'a-4', 'a-6', 'a-8']);
      expect(
        unscheduled(b.sandbox)
          .map((event) => event.personId)
          .sort(),
      ).toEqual(['b-1', 'b-3', 'b-5', 'b-7', 'b-9']);
    });

    it("each app's @Interval runs land in its own sandbox (the person names the app)", async () => {
      const { a, b } = two;
      const scheduled = (sandbox: CustomerIOSandbox) =>
        sandbox.events.filter((event) => event.name.startsWith('interval_'));
      // these apps flush every 60 s: flush while polling
      await Promise.all([
        a.sandbox.waitFor(() => (void a.client.flush(), scheduled(a.sandbox).length >= 4), 2000),
        b.sandbox.waitFor(() => (void b.client.flush(), scheduled(b.sandbox).length >= 4), 2000),
      ]);

      expect(new Set(scheduled(a.sandbox).map((event) => event.personId))).toEqual(new Set([schedulerPerson('a')]));
      expect(new Set(scheduled(b.sandbox).map((event) => event.personId))).toEqual(new Set([schedulerPerson('b')]));
    });

    it('a call on an instance outside any app (new PlanService()) is not tracked, does not throw, and is logged once', async () => {
      const { a, b } = two;
      const outsider = new PlanService();

      expect(outsider.view('outsider')).toBe(PRO_PLAN);
      expect(outsider.view('outsider')).toBe(PRO_PLAN);
      await expect(outsider.load('outsider')).resolves.toBe(PRO_PLAN);

      await Promise.all([a.client.flush(), b.client.flush()]);
      expect([...unscheduled(a.sandbox), ...unscheduled(b.sandbox)]).toEqual([]);
      expect([a.tracker.errors, b.tracker.errors]).toEqual([0, 0]);
      expect(decoratorWarnings()).toEqual([
        expect.stringMatching(
          /^PlanService\.view is decorated with @TrackEvent\/@Identify but was called outside an application .* \(2 run in this process/,
        ),
        expect.stringMatching(/^PlanService\.load is decorated/),
      ]);
    });
  });
});
