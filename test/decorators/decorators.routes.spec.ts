/**
 * End to end: the fixture app (test/decorators/fixtures) over real HTTP, with the sandbox as Customer.io:
 * `@TrackEvent` / `@Identify` on route handlers, in REQUEST-scoped providers and on event handlers.
 */
import { EventEmitter2 } from '@nestjs/event-emitter';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { OrderListeners, RequestAudit } from './fixtures/decorators-fixture.js';
import { PRO_PLAN } from './fixtures/plan.service.js';
import { decoratorWarnings, fixture, logs, named, tracker } from './fixtures/decorators-e2e.js';

describe('@TrackEvent / @Identify: e2e fixture app', () => {
  describe('in one app', () => {
    let sandbox: CustomerIOSandbox;
    let fx: TestApp;

    beforeAll(async () => {
      sandbox = await CustomerIOSandbox.start();
      fx = await startTestApp({ sandbox, module: fixture, http: true, flushWhenAsked: true, logger: logs });
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
        const errors = tracker(fx).errors;

        const response = await fx.request('/items/i-6');

        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ id: 'i-6', name: 'item-i-6' });
        expect(tracker(fx).errors).toBe(errors + 1);
        expect(await fx.flushedEvents('item_viewed')).toEqual([]);
        expect(decoratorWarnings()).toEqual([
          expect.stringMatching(
            /^1 decorated call not tracked, last: @TrackEvent\('item_viewed'\) on ItemsController\.view was not tracked: no person/,
          ),
        ]);
      });

      it('a request user id over 150 bytes: answers normally; not tracked, counted and logged', async () => {
        const errors = tracker(fx).errors;

        const response = await fx.request('/items/i-7', { headers: { 'x-user-id': 'u'.repeat(151) } });

        expect(response.status).toBe(200);
        expect(tracker(fx).errors).toBe(errors + 1);
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
});
