import { describe, expect, it } from '@jest/globals';
import { QUEUE_SUITE_SETUP, suiteApi, suiteWire, useTestApp } from '../support/test-app.js';

/** The store this run of the suite uses (jest.config.js): the default in-memory one when unset. */
const STORE = (globalThis as { QUEUE_STORE?: string }).QUEUE_STORE ?? 'memory';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * How `promise` stands after a few microtasks: settled by then means settled with no I/O in between (a network
 * answer cannot arrive within microtasks).
 */
async function stateSoon(promise: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
  let state: 'resolved' | 'rejected' | 'pending' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return state;
}

describe(`CustomerIOReceipt, ${suiteApi()} API, ${STORE} store`, () => {
  const ctx = useTestApp(QUEUE_SUITE_SETUP);

  describe('stored', () => {
    it(
      {
        memory: 'resolves at once: the store holds the operation when the call returns',
        sqlite:
          "resolves at the commit right after the call's turn of the event loop (commit: 'tick'), not at the call",
        redis: 'resolves once Redis answered the append, not at the call',
      }[STORE]!,
      async () => {
        ctx.subject = await ctx.start();
        const { client } = ctx.subject;
        const receipts = Array.from({ length: 3 }, (_, i) => client.track(`u-${i}`, 'kept', { i }));
        const states = await Promise.all(receipts.map((receipt) => stateSoon(receipt.stored)));
        expect(states).toEqual(Array(3).fill(STORE === 'memory' ? 'resolved' : 'pending'));
        if (STORE === 'sqlite') {
          await new Promise((resolve) => setImmediate(resolve)); // the turn's end: its appends are committed
          const committed = await Promise.all(receipts.map((receipt) => stateSoon(receipt.stored)));
          expect(committed).toEqual(Array(3).fill('resolved'));
        }
        await Promise.all(receipts.map((receipt) => receipt.stored));
        expect(client.stats).toMatchObject({ enqueued: 3, queued: 3, failed: 0, rejected: 0 });
        await client.flush();
        expect(ctx.sandbox.events.map((event) => event.id)).toEqual(receipts.map((receipt) => receipt.id));
      },
    );

    it('is the same promise on every read, and settles apart from delivered', async () => {
      ctx.subject = await ctx.start();
      const receipt = ctx.subject.client.identify('u-1', { plan: 'pro' });
      const delivered = receipt.delivered;
      expect(receipt.stored).toBe(receipt.stored);
      await receipt.stored;
      expect(await stateSoon(delivered)).toBe('pending'); // stored is not delivered
      await ctx.subject.client.flush();
      await expect(delivered).resolves.toBeUndefined();
      await expect(receipt.stored).resolves.toBeUndefined();
    });
  });

  describe('an event id the caller chose, repeated', () => {
    it('both calls are queued, delivered and reported on their own; Customer.io keeps one event', async () => {
      ctx.subject = await ctx.start();
      const { client, log } = ctx.subject;
      const first = client.track('u-1', 'paid', { n: 1 }, { id: '01JD0000000000000000RDER01' });
      const firstDelivered = first.delivered;
      const second = client.track('u-1', 'paid', { n: 2 }, { id: '01JD0000000000000000RDER01' });
      const secondDelivered = second.delivered;
      expect([first.id, second.id]).toEqual([expect.stringMatching(ULID), expect.stringMatching(ULID)]);
      expect(first.id).not.toBe(second.id);
      await Promise.all([first.stored, second.stored]);
      expect(client.stats).toMatchObject({ enqueued: 2, queued: 2 });

      await client.flush();
      expect(await Promise.all([stateSoon(firstDelivered), stateSoon(secondDelivered)])).toEqual([
        'resolved',
        'resolved',
      ]);
      expect(log.ids('delivered')).toEqual([first.id, second.id]);
      expect(client.stats).toMatchObject({ enqueued: 2, delivered: 2, failed: 0, queued: 0 });
      // Both went to Customer.io with the caller's id: the first is kept, the second counted as a duplicate.
      expect(ctx.sandbox.batches.map((batch) => batch.operations)).toEqual([2]);
      expect(ctx.sandbox.events.map(({ id, data }) => ({ id, data }))).toEqual([
        { id: '01JD0000000000000000RDER01', data: { n: 1 } },
      ]);
      expect(ctx.sandbox.duplicateEvents).toBe(1);
    });

    it('a repeat while the first is in flight is sent after it, and each receipt settles', async () => {
      ctx.subject = await ctx.start();
      const { client } = ctx.subject;
      ctx.sandbox.delay(100, { path: suiteWire.batchPath(), times: 1 });
      const first = client.track('u-1', 'paid', {}, { id: '01JD0000000000000000RDER02' });
      const firstDelivered = first.delivered;
      const flushed = client.flush();
      await ctx.sandbox.waitFor(() => ctx.sandbox.pendingRequests === 1, 2_000);
      const second = client.track('u-1', 'paid', {}, { id: '01JD0000000000000000RDER02' });
      const secondDelivered = second.delivered;
      await flushed;
      await client.flush();
      expect(await Promise.all([stateSoon(firstDelivered), stateSoon(secondDelivered)])).toEqual([
        'resolved',
        'resolved',
      ]);
      expect(ctx.sandbox.batches.map((batch) => batch.operations)).toEqual([1, 1]);
      expect(ctx.sandbox.events.map((event) => event.id)).toEqual(['01JD0000000000000000RDER02']);
      expect(ctx.sandbox.duplicateEvents).toBe(1);
      expect(client.stats).toMatchObject({ enqueued: 2, delivered: 2 });
    });
  });
});
