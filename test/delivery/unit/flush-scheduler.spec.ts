import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CustomerIOError } from '../../../lib/index.js';
import { type CustomerIOQueueOptions } from '../../../lib/interfaces/delivery-options.interface.js';
import { BatchDispatcher } from '../../../lib/delivery/batch.dispatcher.js';
import { FlushScheduler } from '../../../lib/delivery/flush.scheduler.js';
import { MemoryQueueStore } from '../../../lib/stores/memory-queue.store.js';
import { LogCapture } from '../../support/log-capture.js';
import { eventOperation, partsFixture, RecordingSender, settle } from './queue-parts.js';

const FLUSH = 'customerio:flush';

/** A scheduler (and its dispatcher, over a memory store) with the queue options given. */
function schedulerWith(queue: CustomerIOQueueOptions, registry?: SchedulerRegistry) {
  const store = new MemoryQueueStore();
  const parts = partsFixture(queue, store);
  const sender = new RecordingSender();
  const dispatcher = new BatchDispatcher(store, sender, parts.reporter, parts.options.queue);
  const scheduler = new FlushScheduler(store, dispatcher, parts.reporter, parts.options.queue, registry);
  const add = (count: number) => {
    const operations = Array.from({ length: count }, (_, i) => eventOperation(`u-${i}`));
    for (const operation of operations) store.append(operation);
    return operations.map((operation) => operation.id);
  };
  return { ...parts, sender, dispatcher, scheduler, add };
}

const retry = (sender: RecordingSender) =>
  (sender.answer = (operations) => [
    { outcome: 'retry', operations, error: new CustomerIOError('Customer.io answered 503', { retryable: true }) },
  ]);

describe('FlushScheduler', () => {
  const logs = new LogCapture();
  beforeEach(() => Logger.overrideLogger(logs));
  afterEach(() => {
    logs.clear();
    jest.useRealTimers();
  });

  describe('the flush interval', () => {
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    });

    it('sends what waits, partial batches included, on every interval, and writes the summed lines', async () => {
      const { scheduler, sender, add, delivery } = schedulerWith({ flushIntervalMs: 1000 });
      scheduler.start();
      const first = add(2);
      jest.advanceTimersByTime(999);
      await settle();
      expect(sender.calls).toHaveLength(0);
      delivery.summarize('rejected', 'queue full');
      jest.advanceTimersByTime(1);
      await settle();
      expect(sender.batches).toEqual([first]);
      expect(logs.messages('warn')).toEqual([expect.stringMatching(/rejected.*1 operation, last: queue full/)]);
      const second = add(1);
      jest.advanceTimersByTime(1000);
      await settle();
      expect(sender.batches).toEqual([first, second]);
      jest.advanceTimersByTime(3000);
      await settle();
      expect(sender.calls).toHaveLength(2); // nothing more to send
    });

    it('lets batches start again on each interval after a retryable failure', async () => {
      const { scheduler, sender, dispatcher, add } = schedulerWith({ flushIntervalMs: 1000 });
      scheduler.start();
      retry(sender);
      add(1);
      jest.advanceTimersByTime(1000);
      await settle();
      expect(dispatcher.gate).toBe('holding');
      sender.answer = (operations) => [{ outcome: 'delivered', operations }];
      jest.advanceTimersByTime(1000);
      await settle();
      expect(sender.calls).toHaveLength(2);
      expect(dispatcher.gate).toBe('open');
    });

    it("runs in the application's SchedulerRegistry when there is one, and leaves it at shutdown", async () => {
      const registry = new SchedulerRegistry();
      const { scheduler, sender, add } = schedulerWith({ flushIntervalMs: 1000 }, registry);
      scheduler.start();
      expect(registry.getIntervals()).toEqual([FLUSH]);
      add(1);
      jest.advanceTimersByTime(1000);
      await settle();
      expect(sender.calls).toHaveLength(1);
      await scheduler.drainForShutdown();
      expect(registry.getIntervals()).toEqual([]);
    });

    it('runs on a timer of its own when the name is taken in the registry, and leaves that one alone', async () => {
      const registry = new SchedulerRegistry();
      const theirs = setInterval(() => undefined, 60_000);
      registry.addInterval(FLUSH, theirs);
      const { scheduler, sender, add } = schedulerWith({ flushIntervalMs: 1000 }, registry);
      scheduler.start();
      add(1);
      jest.advanceTimersByTime(1000);
      await settle();
      expect(sender.calls).toHaveLength(1);
      await scheduler.drainForShutdown();
      expect(registry.getInterval(FLUSH)).toBe(theirs);
      add(1);
      jest.advanceTimersByTime(5000);
      await settle();
      expect(sender.calls).toHaveLength(1); // its own timer stopped
      clearInterval(theirs);
    });
  });

  it('sends what the store holds at start, without waiting for the interval', async () => {
    const { scheduler, sender, add } = schedulerWith({ flushIntervalMs: 60_000 });
    const kept = add(3);
    scheduler.start();
    await settle();
    expect(sender.batches).toEqual([kept]);
    await scheduler.drainForShutdown();
  });

  it('sends only full batches, on the next turn of the event loop, and leaves the partial rest', async () => {
    const { scheduler, sender, add } = schedulerWith({ maxBatchOperations: 2 });
    const ids = add(5);
    scheduler.sendFullSoon();
    scheduler.sendFullSoon();
    scheduler.sendFullSoon();
    expect(sender.calls).toHaveLength(0);
    await settle();
    await settle();
    expect(sender.batches).toEqual([ids.slice(0, 2), ids.slice(2, 4)]);
  });

  describe('flush', () => {
    it('sends everything queued and writes the summed lines', async () => {
      const { scheduler, sender, add, store, delivery } = schedulerWith({ maxBatchOperations: 2 });
      const ids = add(5);
      delivery.summarize('dropped', 'queue full (overflow: drop-oldest)', 4);
      await scheduler.flush();
      expect(sender.batches.flat()).toEqual(ids);
      expect(store.size).toBe(0);
      expect(logs.messages('warn')).toEqual([expect.stringMatching(/dropped.*4 operations/)]);
    });

    it('resolves with the operations still queued when Customer.io fails', async () => {
      const { scheduler, sender, add, store } = schedulerWith({});
      retry(sender);
      add(2);
      await scheduler.flush();
      expect(sender.calls).toHaveLength(1);
      expect(store.size).toBe(2);
    });
  });

  describe('drainForShutdown', () => {
    it('sends everything and answers that it leased all it could', async () => {
      const { scheduler, sender, add, store } = schedulerWith({ maxBatchOperations: 2 });
      scheduler.start();
      add(3);
      expect(await scheduler.drainForShutdown()).toBe(true);
      expect(sender.calls).toHaveLength(2);
      expect(store.size).toBe(0);
    });

    it('tries again every flush interval while Customer.io fails, until the deadline', async () => {
      const { scheduler, sender, add, store } = schedulerWith({ flushIntervalMs: 60, shutdownTimeoutMs: 300 });
      retry(sender);
      add(1);
      const started = Date.now();
      expect(await scheduler.drainForShutdown()).toBe(false);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(290);
      expect(took).toBeLessThan(2000);
      expect(sender.calls.length).toBeGreaterThanOrEqual(2);
      expect(sender.calls.length).toBeLessThanOrEqual(6);
      expect(store.size).toBe(1);
    });

    it('waits for what another instance holds, and ends as soon as it is settled', async () => {
      const { scheduler, sender, add, store } = schedulerWith({ flushIntervalMs: 1000, shutdownTimeoutMs: 5000 });
      add(1);
      const theirs = store.lease({ maxOperations: 1, maxBytes: 1e6 }); // leased by another instance
      setTimeout(() => store.acknowledge(theirs), 200);
      const started = Date.now();
      expect(await scheduler.drainForShutdown()).toBe(true);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(sender.calls).toHaveLength(0);
      expect(store.size).toBe(0);
    });
  });
});
