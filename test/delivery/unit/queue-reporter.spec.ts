import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { CustomerIOError } from '../../../lib/index.js';
import { type SharedOutcome, type SharedOutcomes } from '../../../lib/stores/index.js';
import { CustomerIOReceipt } from '../../../lib/delivery/customerio-receipt.js';
import { MemoryQueueStore } from '../../../lib/stores/memory-queue.store.js';
import { LogCapture } from '../../support/log-capture.js';
import { eventOperation, partsFixture, settle } from './queue-parts.js';

/** A memory store that counts the lookups receipts make (`has`). */
class CountingStore extends MemoryQueueStore {
  lookups = 0;
  override has(id: string): boolean {
    this.lookups += 1;
    return super.has(id);
  }
}

/** A receipt of an operation appended to the fixture's store now, as admission makes it. */
function enqueued(fixture: ReturnType<typeof partsFixture<CountingStore>>) {
  const operation = eventOperation();
  fixture.store.append(operation);
  return new CustomerIOReceipt(operation.id, fixture.reporter.receipts, fixture.reporter.receipts.epoch);
}

describe('QueueReporter and its receipts', () => {
  beforeAll(() => Logger.overrideLogger(new LogCapture()));

  it('reports an outcome to the delivery reporter and settles the receipts waiting for it', async () => {
    const fixture = partsFixture({}, new CountingStore());
    const [a, b] = [enqueued(fixture), enqueued(fixture)];
    const [delivered, failed] = [a.delivered, b.delivered];
    const error = new CustomerIOError('Customer.io answered 401');
    fixture.reporter.report('delivered', [a.id]);
    fixture.reporter.report('failed', [eventOperation(), { ...eventOperation(), id: b.id }], 'refused', error);
    await expect(delivered).resolves.toBeUndefined();
    await expect(failed).rejects.toBe(error);
    expect(fixture.delivery.stats).toMatchObject({ delivered: 1, failed: 2 });
    expect(fixture.log.ids('failed')).toHaveLength(2);
  });

  it('rejects a receipt with the outcome and reason when no error came with it', async () => {
    const fixture = partsFixture({}, new CountingStore());
    const receipt = enqueued(fixture);
    const delivered = receipt.delivered;
    fixture.reporter.report('undelivered', [receipt.id], 'shutdown deadline of 10 ms passed');
    await expect(delivered).rejects.toThrow('undelivered: shutdown deadline of 10 ms passed');
  });

  it('waits without a lookup for a receipt read in the epoch of its enqueue', async () => {
    const fixture = partsFixture({}, new CountingStore());
    const receipt = enqueued(fixture);
    const delivered = receipt.delivered;
    await settle();
    expect(fixture.store.lookups).toBe(0);
    fixture.reporter.report('delivered', [receipt.id]);
    await expect(delivered).resolves.toBeUndefined();
  });

  it('looks the operation up once the epoch moved: rejects, saying so, when it already settled', async () => {
    const fixture = partsFixture({}, new CountingStore());
    const receipt = enqueued(fixture);
    fixture.reporter.receipts.advanceEpoch();
    fixture.store.acknowledge(fixture.store.lease({ maxOperations: 1, maxBytes: 1e6 }));
    fixture.reporter.report('delivered', [receipt.id]);
    await expect(receipt.delivered).rejects.toThrow(/is no longer known: read receipt.delivered right after the call/);
    expect(fixture.store.lookups).toBe(1);
  });

  it('looks the operation up once the epoch moved: waits when the store still holds it', async () => {
    const fixture = partsFixture({}, new CountingStore());
    const receipt = enqueued(fixture);
    fixture.reporter.receipts.advanceEpoch();
    const delivered = receipt.delivered;
    await settle();
    expect(fixture.store.lookups).toBe(1);
    fixture.reporter.report('delivered', [receipt.id]);
    await expect(delivered).resolves.toBeUndefined();
  });

  it("with a shared store: watches the receipts read, reports outcomes, and settles others' on collect", async () => {
    /** Shared outcomes of our interface, recording the calls and answering `collected` on collect. */
    class RecordedSharing implements SharedOutcomes {
      readonly calls: string[] = [];
      collected: SharedOutcome[] = [];
      watch(ids: readonly string[]): void {
        this.calls.push(`watch ${ids.join(',')}`);
      }
      report(outcome: string, ids: readonly string[]): void {
        this.calls.push(`report ${outcome} ${ids.join(',')}`);
      }
      collect(ids: readonly string[]): SharedOutcome[] {
        this.calls.push(`collect ${ids.join(',')}`);
        return this.collected;
      }
    }
    class SharedStore extends CountingStore {
      readonly sharedOutcomes = new RecordedSharing();
    }
    const fixture = partsFixture({}, new SharedStore());
    const sharing = fixture.store.sharedOutcomes;
    const [a, b] = [enqueued(fixture), enqueued(fixture)];
    const [aDelivered, bDelivered] = [a.delivered, b.delivered];
    await settle();
    expect(sharing.calls).toEqual([`watch ${a.id},${b.id}`]);
    fixture.reporter.report('delivered', [a.id]);
    sharing.collected = [{ id: b.id, outcome: 'invalid', reason: 'settled elsewhere' }];
    fixture.reporter.receipts.collect();
    await expect(aDelivered).resolves.toBeUndefined();
    await expect(bDelivered).rejects.toThrow('invalid: settled elsewhere');
    expect(sharing.calls.slice(1)).toEqual([`report delivered ${a.id}`, `collect ${b.id}`]);
  });
});
