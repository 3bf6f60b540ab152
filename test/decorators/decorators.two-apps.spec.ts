/**
 * End to end: two fixture apps (test/decorators/fixtures) in one process, each with its own sandbox as
 * Customer.io: each app's decorated calls go to its own queue.
 */
import { EventEmitter2 } from '@nestjs/event-emitter';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CustomerIOSandbox } from '../../lib/testing/index.js';
import { useTestApp } from '../support/test-app.js';
import { schedulerPerson } from './fixtures/decorators-fixture.js';
import { PlanService, PRO_PLAN } from './fixtures/plan.service.js';
import { decoratorWarnings, logs, scheduledFixture, unscheduled, tracker } from './fixtures/decorators-e2e.js';

describe('@TrackEvent / @Identify: e2e fixture app', () => {
  describe('two apps in one process', () => {
    const [appA, appB] = (['a', 'b'] as const).map((name) =>
      useTestApp({
        scope: 'all',
        started: true,
        module: scheduledFixture(name),
        http: true,
        flushWhenAsked: true,
        logger: logs,
      }),
    );
    afterEach(async () => {
      const [a, b] = [appA.subject, appB.subject];
      await Promise.all([a.client.flush(), b.client.flush()]);
      a.sandbox.reset();
      b.sandbox.reset();
      logs.clear();
    });

    it('each app sends to its own sandbox: routes, REQUEST-scoped providers, singleton providers and event handlers', async () => {
      const [a, b] = [appA.subject, appB.subject];
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
      expect([tracker(a).errors, tracker(b).errors]).toEqual([0, 0]);
    });

    it('concurrent requests to both apps stay apart', async () => {
      const [a, b] = [appA.subject, appB.subject];
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
      const [a, b] = [appA.subject, appB.subject];
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
      const [a, b] = [appA.subject, appB.subject];
      const outsider = new PlanService();

      expect(outsider.view('outsider')).toBe(PRO_PLAN);
      expect(outsider.view('outsider')).toBe(PRO_PLAN);
      await expect(outsider.load('outsider')).resolves.toBe(PRO_PLAN);

      await Promise.all([a.client.flush(), b.client.flush()]);
      expect([...unscheduled(a.sandbox), ...unscheduled(b.sandbox)]).toEqual([]);
      expect([tracker(a).errors, tracker(b).errors]).toEqual([0, 0]);
      expect(decoratorWarnings()).toEqual([
        expect.stringMatching(
          /^PlanService\.view is decorated with @TrackEvent\/@Identify but was called outside an application .* \(2 run in this process/,
        ),
        expect.stringMatching(/^PlanService\.load is decorated/),
      ]);
    });
  });
});
