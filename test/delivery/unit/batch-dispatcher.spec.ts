import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { CustomerIOCircuitOpenError, CustomerIOError } from '../../../lib/index.js';
import { BatchDispatcher } from '../../../lib/delivery/batch.dispatcher.js';
import type { CustomerIOQueueOptions } from '../../../lib/interfaces/delivery-options.interface.js';
import type { LeaseDeadlines, LeaseLimits } from '../../../lib/stores/index.js';
import { MemoryQueueStore } from '../../../lib/stores/memory-queue.store.js';
import { LogCapture } from '../../support/log-capture.js';
import { eventOperation, gate, partsFixture, RecordingSender, settle } from './queue-parts.js';

/** A dispatcher over `store` (a fresh memory store by default) holding `count` operations, one person each. */
function dispatcherWith(count: number, queue: CustomerIOQueueOptions = {}, store = new MemoryQueueStore()) {
  const parts = partsFixture(queue, store);
  const sender = new RecordingSender();
  const operations = Array.from({ length: count }, (_, i) => eventOperation(`u-${i}`));
  for (const operation of operations) store.append(operation);
  const dispatcher = new BatchDispatcher(store, sender, parts.reporter, parts.options.queue);
  return { ...parts, sender, dispatcher, operations, ids: operations.map((operation) => operation.id) };
}

const retryable = (message = 'Customer.io answered 503') => new CustomerIOError(message, { retryable: true });

describe('BatchDispatcher', () => {
  const logs = new LogCapture();
  beforeEach(() => Logger.overrideLogger(logs));
  afterEach(() => logs.clear());

  it('drains everything in batches of maxBatchOperations, acknowledging and reporting each delivered', async () => {
    const { dispatcher, sender, store, delivery, log, ids } = dispatcherWith(5, { maxBatchOperations: 2 });
    await dispatcher.drain();
    expect(sender.batches).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    expect(store.size).toBe(0);
    expect(delivery.stats.delivered).toBe(5);
    expect(log.ids('delivered')).toEqual(ids);
    expect(dispatcher.inFlightBatches).toBe(0);
  });

  it('leases within maxBatchBytes, the envelope counted', async () => {
    const { dispatcher, sender, operations } = dispatcherWith(20, { maxBatchBytes: 1024 });
    const perBatch = Math.floor((1024 - '{"batch":[]}'.length) / operations[0].bytes);
    expect(perBatch).toBeGreaterThan(1);
    await dispatcher.drain();
    expect(sender.calls.map((call) => call.operations.length)).toEqual(chunks(20, perBatch));
  });

  it('sends only full batches when asked for full ones, and the partial rest on a drain', async () => {
    const { dispatcher, sender, ids } = dispatcherWith(5, { maxBatchOperations: 2 });
    expect(dispatcher.fullBatchWaiting()).toBe(true);
    dispatcher.sendFull();
    await settle();
    expect(sender.batches).toEqual([ids.slice(0, 2), ids.slice(2, 4)]);
    expect(dispatcher.fullBatchWaiting()).toBe(false);
    await dispatcher.drain();
    expect(sender.batches.at(-1)).toEqual(ids.slice(4));
  });

  it('keeps at most maxInFlight batches in flight, and counts them as in flight', async () => {
    const { dispatcher, sender, store } = dispatcherWith(10, { maxBatchOperations: 1, maxInFlight: 3 });
    sender.hold = gate();
    const drained = dispatcher.drain();
    await settle();
    expect(sender.active).toBe(3);
    expect([dispatcher.inFlightBatches, dispatcher.inFlightOperations]).toEqual([3, 3]);
    expect(dispatcher.fullBatchWaiting()).toBe(true); // 7 queued, not in flight
    sender.hold.open();
    await drained;
    expect(sender.calls).toHaveLength(10);
    expect(sender.peak).toBe(3);
    expect(store.size).toBe(0);
  });

  it('acknowledges and reports invalid and failed operations, with their reasons', async () => {
    const { dispatcher, sender, store, delivery, log, ids } = dispatcherWith(3);
    const refused = new CustomerIOError('Customer.io answered 401', { status: 401 });
    sender.answer = ([a, b, c]) => [
      { outcome: 'delivered', operations: [a] },
      { outcome: 'invalid', operations: [b], reason: 'attributes: too many' },
      { outcome: 'failed', operations: [c], error: refused },
    ];
    await dispatcher.drain();
    expect(store.size).toBe(0);
    expect(delivery.stats).toMatchObject({ delivered: 1, invalid: 1, failed: 1, lastError: refused.message });
    expect(log.reports.map(({ outcome, ids, reason }) => ({ outcome, ids, reason }))).toEqual([
      { outcome: 'delivered', ids: [ids[0]], reason: undefined },
      { outcome: 'invalid', ids: [ids[1]], reason: 'attributes: too many' },
      { outcome: 'failed', ids: [ids[2]], reason: refused.message },
    ]);
  });

  describe('a retryable failure', () => {
    it('releases the batch with one attempt spent and holds new batches until resumed', async () => {
      const { dispatcher, sender, store, delivery, ids } = dispatcherWith(2, { maxBatchOperations: 1, maxInFlight: 1 });
      sender.answer = (operations) => [{ outcome: 'retry', operations, error: retryable() }];
      await dispatcher.drain();
      // The first batch failed: the gate held the second one back.
      expect(sender.batches).toEqual([[ids[0]]]);
      expect(dispatcher.gate).toBe('holding');
      expect(store.size).toBe(2);
      expect(delivery.stats).toMatchObject({ delivered: 0, failed: 0, lastError: 'Customer.io answered 503' });
      dispatcher.sendAll();
      await settle();
      expect(sender.calls).toHaveLength(1);

      sender.answer = (operations) => [{ outcome: 'delivered', operations }];
      dispatcher.resume();
      expect(dispatcher.gate).toBe('open');
      await dispatcher.drain();
      expect(sender.batches).toEqual([[ids[0]], [ids[0]], [ids[1]]]);
      expect(sender.calls[1].operations[0].attempts).toBe(1);
      expect(delivery.stats.delivered).toBe(2);
    });

    it('fails the operations that used up maxDeliveryAttempts', async () => {
      const { dispatcher, sender, store, delivery, log, ids } = dispatcherWith(1, { maxDeliveryAttempts: 2 });
      sender.answer = (operations) => [{ outcome: 'retry', operations, error: retryable() }];
      await dispatcher.drain();
      expect(store.size).toBe(1);
      dispatcher.resume();
      await dispatcher.drain();
      expect(store.size).toBe(0);
      expect(delivery.stats.failed).toBe(1);
      expect(log.reports).toEqual([
        expect.objectContaining({
          outcome: 'failed',
          ids,
          reason: 'Customer.io answered 503 (after 2 delivery attempts)',
        }),
      ]);
    });

    it('spends no attempt when the circuit breaker is open (nothing was sent)', async () => {
      const { dispatcher, sender, store } = dispatcherWith(1, { maxDeliveryAttempts: 1 });
      sender.answer = (operations) => [{ outcome: 'retry', operations, error: new CustomerIOCircuitOpenError() }];
      await dispatcher.drain();
      expect(store.size).toBe(1);
      dispatcher.resume();
      sender.answer = (operations) => [{ outcome: 'delivered', operations }];
      await dispatcher.drain();
      expect(sender.calls[1].operations[0].attempts).toBe(0);
    });

    it('treats a sender that throws as a retryable failure, and logs it', async () => {
      const { dispatcher, sender, store } = dispatcherWith(1);
      sender.answer = () => {
        throw new TypeError('bug');
      };
      await dispatcher.drain();
      expect(dispatcher.gate).toBe('holding');
      expect(store.size).toBe(1);
      expect(logs.messages('error')).toEqual(['CustomerIO batch handling failed: TypeError: bug']);
    });
  });

  it('gives back, spending no attempt, a batch whose lease ran out', async () => {
    /** A store whose leases have already run out (as a shared store's may). */
    class ExpiredLeases extends MemoryQueueStore {
      readonly leaseDeadlines: LeaseDeadlines = { leaseMs: 1000, validUntil: () => performance.now() - 1 };
    }
    const { dispatcher, sender, store, log } = dispatcherWith(1, {}, new ExpiredLeases());
    sender.answer = (operations, lease) => {
      expect(lease.lost).toBe(true);
      return [{ outcome: 'retry', operations, error: retryable('lease running out') }];
    };
    await dispatcher.drain();
    await settle();
    expect(store.size).toBe(1);
    expect(store.lease({ maxOperations: 1, maxBytes: 1e6 })[0].attempts).toBe(0);
    expect(dispatcher.gate).toBe('open');
    expect(log.reports).toEqual([]);
    expect(logs.messages('warn')).toEqual([expect.stringMatching(/given back/i)]);
  });

  it('tells when the store could not be read, until a lease succeeds', async () => {
    class FlakyStore extends MemoryQueueStore {
      failures = 1;
      override lease(limits: LeaseLimits) {
        if (this.failures-- > 0) throw new Error('store unreachable');
        return super.lease(limits);
      }
    }
    const { dispatcher, sender } = dispatcherWith(1, {}, new FlakyStore());
    await dispatcher.drain();
    expect(dispatcher.leaseHealth).toBe('failing');
    expect(sender.calls).toHaveLength(0);
    expect(logs.messages('error')).toEqual(['CustomerIO queue could not read its store: Error: store unreachable']);
    await dispatcher.drain();
    expect(dispatcher.leaseHealth).toBe('readable');
    expect(sender.calls).toHaveLength(1);
  });

  describe('stop', () => {
    it('abandons the batches in flight and reports them and the queued ones undelivered (memory store)', async () => {
      const { dispatcher, sender, store, delivery, log, ids } = dispatcherWith(3, {
        maxBatchOperations: 1,
        maxInFlight: 1,
        shutdownTimeoutMs: 500,
      });
      sender.hold = gate();
      void dispatcher.drain();
      await settle();
      const [{ lease }] = sender.calls;
      await dispatcher.stop(false);
      expect(lease.signal.aborted).toBe(true);
      expect(dispatcher.gate).toBe('stopped');
      expect(store.size).toBe(0);
      expect(delivery.stats.undelivered).toBe(3);
      expect(log.reports).toEqual([
        expect.objectContaining({
          outcome: 'undelivered',
          ids,
          reason: 'shutdown deadline of 500 ms passed (2 queued, 1 in flight)',
        }),
      ]);
      // What the abandoned batch answers later is not reported again.
      sender.hold.open();
      await settle();
      expect(delivery.stats.delivered).toBe(0);
      expect(sender.calls).toHaveLength(1);
    });

    it('keeps what is left in a durable store, the batches in flight released', async () => {
      class DurableStore extends MemoryQueueStore {
        readonly durable = true;
      }
      const { dispatcher, sender, store, log } = dispatcherWith(
        3,
        { maxBatchOperations: 1, maxInFlight: 1 },
        new DurableStore(),
      );
      sender.hold = gate();
      void dispatcher.drain();
      await settle();
      await dispatcher.stop(false);
      expect(store.size).toBe(3);
      expect(store.lease({ maxOperations: 10, maxBytes: 1e6 })).toHaveLength(3);
      expect(log.reports).toEqual([]);
      expect(logs.messages('warn')).toEqual([expect.stringMatching(/^3 operations stay in the durable store/)]);
    });
  });
});

/** `total` split into chunks of at most `size`. */
function chunks(total: number, size: number): number[] {
  return Array.from({ length: Math.ceil(total / size) }, (_, i) => Math.min(size, total - i * size));
}
