import { describe, expect, it } from '@jest/globals';
import { CustomerIOQueueFullError, CustomerIOValidationError } from '../../../lib/index.js';
import type { AppendResult, AppendResults, QueueBound, QueuedOperation } from '../../../lib/stores/index.js';
import { QueueAdmission } from '../../../lib/delivery/queue.admission.js';
import { MemoryQueueStore } from '../../../lib/stores/memory-queue.store.js';
import { partsFixture } from './queue-parts.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** A v2 event of `person` weighing exactly `bytes` (ASCII padding in its name). */
function eventOf(bytes: number, person = 'u-1'): (id: string) => string {
  return (id) => {
    const head = `{"type":"person","identifiers":{"id":"${person}"},"action":"event","id":"${id}","name":"`;
    const tail = '","timestamp":1700000000}';
    return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
  };
}

/** An admission over a fresh memory store (or `store`), with the queue options given. */
function admissionFor(queue: Parameters<typeof partsFixture>[0], store = new MemoryQueueStore()) {
  const parts = partsFixture(queue, store);
  return { ...parts, admission: new QueueAdmission(store, parts.options.queue, parts.reporter) };
}

describe('QueueAdmission', () => {
  it('mints a fresh, increasing ULID for every operation and hands it to the operation it writes', () => {
    const { admission, store } = admissionFor({});
    const written: string[] = [];
    const receipts = Array.from({ length: 5 }, () =>
      admission.admit('u-1', (id) => (written.push(id), eventOf(200)(id))),
    );
    const ids = receipts.map((receipt) => receipt.id);
    expect(ids.every((id) => ULID.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(5);
    expect([...ids].sort()).toEqual(ids);
    expect(written).toEqual(ids);
    expect(store.size).toBe(5);
    expect(store.lease({ maxOperations: 10, maxBytes: 1e6 }).map((operation) => operation.json)).toEqual(
      ids.map((id) => eventOf(200)(id)),
    );
  });

  it('counts each operation it appends, with its UTF-8 bytes', () => {
    const { admission, store, delivery } = admissionFor({});
    const json = '{"type":"person","identifiers":{"id":"é"},"action":"identify","attributes":{"name":"Zoë"}}';
    admission.admit('é', json);
    expect(store.bytes).toBe(Buffer.byteLength(json));
    expect(store.bytes).toBe(json.length + 2);
    expect(delivery.stats.enqueued).toBe(1);
  });

  it('refuses an operation over what one batch can carry, naming the limit, and queues nothing', () => {
    // maxBatchBytes 1024 less the envelope `{"batch":[` `]}` (12 bytes) and a separator: 1011 bytes.
    const { admission, store, delivery } = admissionFor({ maxBatchBytes: 1024 });
    expect(() => admission.admit('u-1', eventOf(1012))).toThrow(CustomerIOValidationError);
    expect(() => admission.admit('u-1', eventOf(1012))).toThrow(/1012 bytes serialized, over the limit of 1011/);
    expect(store.size).toBe(0);
    expect(delivery.stats.enqueued).toBe(0);
    admission.admit('u-1', eventOf(1011));
    expect(store.size).toBe(1);
  });

  describe("overflow 'reject'", () => {
    it('throws CustomerIOQueueFullError at maxQueueSize and reports the operation rejected', () => {
      const { admission, store, delivery, log } = admissionFor({ maxQueueSize: 2 });
      admission.admit('u-1', eventOf(200));
      admission.admit('u-2', eventOf(200));
      let thrown: unknown;
      try {
        admission.admit('u-3', eventOf(200));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CustomerIOQueueFullError);
      expect((thrown as Error).message).toMatch(/maxQueueSize 2 operations/);
      expect(store.size).toBe(2);
      expect(delivery.stats).toMatchObject({ enqueued: 2, rejected: 1, dropped: 0 });
      expect(log.reports).toEqual([
        expect.objectContaining({ outcome: 'rejected', ids: [expect.stringMatching(ULID)], error: thrown }),
      ]);
    });

    it('throws when the new operation would pass maxQueueBytes', () => {
      const { admission, store, delivery } = admissionFor({ maxQueueBytes: 1024 });
      admission.admit('u-1', eventOf(400));
      admission.admit('u-2', eventOf(400));
      expect(() => admission.admit('u-3', eventOf(225))).toThrow(CustomerIOQueueFullError);
      admission.admit('u-3', eventOf(224)); // exactly 1024 bytes held
      expect(store.bytes).toBe(1024);
      expect(delivery.stats).toMatchObject({ enqueued: 3, rejected: 1 });
    });
  });

  describe("overflow 'drop-oldest'", () => {
    it('drops the oldest queued operation to make room, and settles its receipt', async () => {
      const { admission, store, delivery, log } = admissionFor({ maxQueueSize: 2, overflow: 'drop-oldest' });
      const first = admission.admit('u-1', eventOf(200));
      const delivered = first.delivered;
      const second = admission.admit('u-2', eventOf(200));
      const third = admission.admit('u-3', eventOf(200));
      await expect(delivered).rejects.toThrow(/dropped: queue full \(overflow: drop-oldest\)/);
      expect(store.size).toBe(2);
      expect([await store.has(first.id), await store.has(second.id), await store.has(third.id)]).toEqual([
        false,
        true,
        true,
      ]);
      expect(delivery.stats).toMatchObject({ enqueued: 3, dropped: 1, rejected: 0 });
      expect(log.reports).toEqual([expect.objectContaining({ outcome: 'dropped', ids: [first.id] })]);
    });

    it('drops as many operations as the new one needs bytes for', () => {
      const { admission, store, log } = admissionFor({ maxQueueBytes: 1024, overflow: 'drop-oldest' });
      const kept = [admission.admit('u-1', eventOf(400)), admission.admit('u-2', eventOf(400))];
      const big = admission.admit('u-3', eventOf(900));
      expect(log.reports.map((report) => report.ids)).toEqual([[kept[0].id], [kept[1].id]]);
      expect(store.size).toBe(1);
      expect(store.bytes).toBe(900);
      expect(big.id).toMatch(ULID);
    });

    it('refuses the new operation when everything held is leased (nothing to drop)', () => {
      const { admission, store, delivery } = admissionFor({ maxQueueSize: 1, overflow: 'drop-oldest' });
      admission.admit('u-1', eventOf(200));
      store.lease({ maxOperations: 1, maxBytes: 1e6 });
      expect(() => admission.admit('u-2', eventOf(200))).toThrow(CustomerIOQueueFullError);
      expect(delivery.stats).toMatchObject({ dropped: 0, rejected: 1 });
    });
  });

  it('refuses every operation once closed, reporting each rejected under a fresh id', () => {
    const { admission, store, delivery, log } = admissionFor({});
    expect(() => admission.refuseClosed()).toThrow(/queue is closed/);
    expect(() => admission.refuseClosed()).toThrow(CustomerIOQueueFullError);
    expect(store.size).toBe(0);
    expect(delivery.stats).toMatchObject({ enqueued: 0, rejected: 2 });
    const [a, b] = log.reports.flatMap((report) => report.ids);
    expect(a).toMatch(ULID);
    expect(b > a).toBe(true);
  });

  describe('a store that enforces the bound itself', () => {
    /** A memory store that is handed the bound and answers each append with what `next` says. */
    class BoundStore extends MemoryQueueStore {
      bound?: QueueBound;
      drops = 0;
      next: (operation: QueuedOperation) => AppendResult | Promise<AppendResult | AppendResults> = () => ({});

      enforceBound(bound: QueueBound): void {
        this.bound = bound;
      }

      override append(operation: QueuedOperation): AppendResult | Promise<AppendResult | AppendResults> {
        super.append(operation);
        return this.next(operation);
      }

      override dropOldest(): QueuedOperation | undefined {
        this.drops += 1;
        return super.dropOldest();
      }
    }

    it('is handed the bound, and makes the room itself: the admission drops nothing', () => {
      const store = new BoundStore();
      const { admission, delivery } = admissionFor(
        { maxQueueSize: 1, maxQueueBytes: 4096, overflow: 'drop-oldest' },
        store,
      );
      expect(store.bound).toEqual({ maxQueueSize: 1, maxQueueBytes: 4096, overflow: 'drop-oldest' });
      const first = admission.admit('u-1', eventOf(200));
      store.next = () => ({ droppedIds: [first.id] });
      admission.admit('u-2', eventOf(200));
      expect(store.drops).toBe(0);
      expect(delivery.stats).toMatchObject({ enqueued: 2, dropped: 1 });
    });

    it('reports what an append refused: rejected, with its receipt.stored rejecting', async () => {
      const store = new BoundStore();
      const { admission, delivery, log } = admissionFor({ maxQueueSize: 5 }, store);
      store.next = () => Promise.resolve({ rejected: true });
      const receipt = admission.admit('u-1', eventOf(200));
      await expect(receipt.stored).rejects.toBeInstanceOf(CustomerIOQueueFullError);
      expect(delivery.stats).toMatchObject({ enqueued: 1, rejected: 1 });
      expect(log.reports).toEqual([expect.objectContaining({ outcome: 'rejected', ids: [receipt.id] })]);
    });

    it('reports an append the store failed: failed, with its receipt.stored rejecting', async () => {
      const store = new BoundStore();
      const { admission, delivery, log } = admissionFor({}, store);
      store.next = () => Promise.reject(new Error('disk gone'));
      const receipt = admission.admit('u-1', eventOf(200));
      await expect(receipt.stored).rejects.toThrow(/was not stored: its queue store failed to append it/);
      expect(delivery.stats).toMatchObject({ enqueued: 1, failed: 1 });
      expect(log.reports).toEqual([
        expect.objectContaining({ outcome: 'failed', ids: [receipt.id], reason: 'store: Error: disk gone' }),
      ]);
    });

    /** A promise and the way to settle it from outside. */
    function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
      let resolve!: (value: T) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<T>((yes, no) => ((resolve = yes), (reject = no)));
      return { promise, resolve, reject };
    }

    it('a batch answered with one promise: each operation settles from its own result in it', async () => {
      const store = new BoundStore();
      const { admission, delivery, log } = admissionFor({ maxQueueSize: 5 }, store);
      const batch = deferred<AppendResults>();
      store.next = () => batch.promise;
      const [kept, refused, roomy] = ['u-1', 'u-2', 'u-3'].map((person) => admission.admit(person, eventOf(200)));
      const stored = [kept, refused].map((receipt) =>
        receipt.stored.then(
          () => 'stored',
          (error: unknown) => error,
        ),
      );

      batch.resolve(
        new Map([
          [refused.id, { rejected: true }],
          [roomy.id, { droppedIds: ['older'] }],
        ]),
      );
      const [keptStored, refusedStored] = await Promise.all(stored);
      expect(keptStored).toBe('stored');
      expect(refusedStored).toBeInstanceOf(CustomerIOQueueFullError);
      await expect(roomy.stored).resolves.toBeUndefined(); // read after the batch settled
      expect(delivery.stats).toMatchObject({ enqueued: 3, rejected: 1, dropped: 1 });
      expect(log.reports).toEqual([
        expect.objectContaining({ outcome: 'rejected', ids: [refused.id] }),
        expect.objectContaining({ outcome: 'dropped', ids: ['older'] }),
      ]);
    });

    it('a batch the store failed: every operation of it is reported failed, and each stored rejects naming it', async () => {
      const store = new BoundStore();
      const { admission, delivery, log } = admissionFor({}, store);
      const failing = deferred<AppendResults>();
      store.next = () => failing.promise;
      const failed = ['u-1', 'u-2'].map((person) => admission.admit(person, eventOf(200)));
      store.next = () => Promise.resolve(new Map());
      const next = admission.admit('u-3', eventOf(200)); // another batch: stored

      failing.reject(new Error('connection lost'));
      for (const receipt of failed) await expect(receipt.stored).rejects.toThrow(`operation ${receipt.id}`);
      await expect(next.stored).resolves.toBeUndefined();
      expect(delivery.stats).toMatchObject({ enqueued: 3, failed: 2 });
      expect(log.reports).toEqual(
        failed.map((receipt) =>
          expect.objectContaining({ outcome: 'failed', ids: [receipt.id], reason: 'store: Error: connection lost' }),
        ),
      );
    });
  });
});
