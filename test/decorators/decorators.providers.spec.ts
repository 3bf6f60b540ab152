/**
 * End to end: the fixture app (test/decorators/fixtures) with the sandbox as Customer.io: `@TrackEvent` /
 * `@Identify` on providers called directly — sync, async and Observable methods, failures, mappers that throw.
 */
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { isObservable, lastValueFrom, toArray } from 'rxjs';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { startTestApp, suiteApi, suiteWire, type TestApp } from '../support/test-app.js';
import { BASIC_PLAN, PlanService, PRO_PLAN } from './fixtures/plan.service.js';
import { decoratorWarnings, fixture, logs, QuotaExceededError, thrownBy, tracker } from './fixtures/decorators-e2e.js';

describe('@TrackEvent / @Identify: e2e fixture app', () => {
  describe('in one app', () => {
    let sandbox: CustomerIOSandbox;
    let fx: TestApp;
    let plans: PlanService;

    beforeAll(async () => {
      sandbox = await CustomerIOSandbox.start();
      fx = await startTestApp({ sandbox, module: fixture, http: true, flushWhenAsked: true, logger: logs });
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

    describe('providers called directly', () => {
      it('a sync method stays sync: returns the very same object (not a Promise); the event is queued as it returns', () => {
        const enqueued = fx.client.stats.enqueued;

        const result = plans.view('sync-1');

        expect(result).toBe(PRO_PLAN);
        expect(result).not.toBeInstanceOf(Promise);
        expect(fx.client.stats.enqueued).toBe(enqueued + 1);
      });

      it('the sync call reaches the sandbox with the mapped person and data, through the batching queue (the batch API)', async () => {
        plans.view('sync-2');
        expect(sandbox.requests).toEqual([]); // queued, not sent by the call

        expect(await fx.flushedEvents('plan_viewed')).toMatchObject([
          {
            personId: 'sync-2',
            data: { plan: 'pro', userId: 'sync-2' },
            api: suiteApi() === 'pipelines' ? 'pipelines' : 'v2',
          },
        ]);
        const requests = sandbox.requests.map((request) => `${request.method} ${request.path}`);
        expect(requests).toEqual([`POST ${suiteWire.batchPath()}`]);
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
        const errors = tracker(fx).errors;

        expect(thrownBy(() => plans.fail('fail-1', syncError))).toBe(syncError);
        await expect(plans.failAsync('fail-1', asyncError)).rejects.toBe(asyncError);

        expect(fx.client.stats.enqueued).toBe(enqueued);
        expect(tracker(fx).errors).toBe(errors);
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
        const errors = tracker(fx).errors;

        expect(plans.brokenData('mapper-1')).toBe(PRO_PLAN);

        expect(tracker(fx).errors).toBe(errors + 1);
        expect(await fx.flushedEvents('plan_mapper_broken')).toEqual([]);
        expect(decoratorWarnings()).toEqual([
          "1 decorated call not tracked, last: @TrackEvent('plan_mapper_broken') on PlanService.brokenData was not tracked: the data mapper threw: data mapper exploded",
        ]);
      });

      it('a person mapper that throws (async method): resolves normally; counted and logged', async () => {
        const errors = tracker(fx).errors;

        await expect(plans.brokenPerson()).resolves.toBe(PRO_PLAN);

        expect(tracker(fx).errors).toBe(errors + 1);
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
          const errors = tracker(fx).errors;

          expect(plans.forId(id)).toBe(PRO_PLAN);

          expect(tracker(fx).errors).toBe(errors + 1);
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
  });
});
