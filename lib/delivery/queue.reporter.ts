import type { CustomerIOError } from '../errors/customerio.errors.js';
import type { CustomerIODeliveryOutcome } from '../interfaces/delivery-outcome.interface.js';
import type { CustomerIOQueueStore, QueuedOperation } from '../interfaces/queue-store.interface.js';
import type { DeliveryReporter, SummaryKind } from '../observability/delivery.reporter.js';
import { ReceiptRegistry } from './receipt.registry.js';

/**
 * The queue's reporting part: each outcome the other parts reach is counted, logged and handed to its hook by the
 * {@link DeliveryReporter}, then settles the receipts of its operations in the {@link ReceiptRegistry}.
 */
export class QueueReporter {
  /** The receipts read and not settled yet, and the receipt epoch. */
  readonly receipts: ReceiptRegistry;

  constructor(
    /** Counters, hooks and log lines. */
    readonly delivery: DeliveryReporter,
    store: CustomerIOQueueStore,
  ) {
    this.receipts = new ReceiptRegistry(store, {
      warn: (message: string) => delivery.summarize('sharedOutcomes', message),
    });
  }

  /**
   * Counts, logs (or sums into `summary`'s line) and calls the hook for `outcome` (see {@link DeliveryReporter}),
   * then settles the receipts of `operations` (operations, or their ids).
   */
  report(
    outcome: CustomerIODeliveryOutcome,
    operations: readonly (QueuedOperation | string)[],
    reason?: string,
    error?: CustomerIOError,
    summary?: SummaryKind,
  ): void {
    const ids = operations.map((operation) => (typeof operation === 'string' ? operation : operation.id));
    this.delivery.outcome(outcome, ids, reason, error, summary);
    this.receipts.settle(outcome, ids, reason, error);
  }
}
