import { KEPT_FOR_NEXT_START, LEFT_TO_OTHER_INSTANCES } from '../errors/customerio.messages.js';
import type { CustomerIOQueueStore, QueuedOperation } from '../interfaces/queue-store.interface.js';
import type { QueueReporter } from './queue.reporter.js';

/** What is left in the queue at shutdown's deadline. */
export interface Leftovers {
  readonly store: CustomerIOQueueStore;
  /** The operations of the batches still in flight (their requests abandoned). */
  readonly inFlight: readonly QueuedOperation[];
  /**
   * The last drain ended with nothing in flight, Customer.io answering and the store readable: it leased all it
   * could, so what is left is held by other instances of a shared store.
   */
  readonly leasedAll: boolean;
  readonly shutdownTimeoutMs: number;
}

/**
 * Settles what is left at shutdown's deadline: a durable store keeps it (the operations in flight are released),
 * for the next start or the other instances sharing the store, and a log line says which; otherwise it is
 * reported `undelivered`.
 */
export async function settleLeftovers(leftovers: Leftovers, reporter: QueueReporter): Promise<void> {
  if (leftovers.store.durable) await keepLeftovers(leftovers, reporter);
  else await reportLeftovers(leftovers, reporter);
}

async function keepLeftovers(
  { store, inFlight, leasedAll, shutdownTimeoutMs }: Leftovers,
  reporter: QueueReporter,
): Promise<void> {
  await store.release(inFlight);
  const left = store.size;
  if (left === 0) return;
  reporter.delivery.logger.warn(
    leasedAll ? LEFT_TO_OTHER_INSTANCES(left) : KEPT_FOR_NEXT_START(left, shutdownTimeoutMs, inFlight.length),
    { event: 'customerio.shutdown.kept', count: left, inFlight: inFlight.length, leasedAll },
  );
}

/** What is queued or in flight will not be confirmed: acknowledged, and reported `undelivered`. */
async function reportLeftovers(
  { store, inFlight, shutdownTimeoutMs }: Leftovers,
  reporter: QueueReporter,
): Promise<void> {
  if (store.size === 0) return;
  reporter.receipts.advanceEpoch();
  // In-flight operations go first: while leased, they hold back the rest of their people's operations.
  await store.acknowledge(inFlight);
  const queued: QueuedOperation[] = [];
  for (;;) {
    const operations = await store.lease({ maxOperations: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER });
    if (operations.length === 0) break;
    await store.acknowledge(operations);
    queued.push(...operations);
  }
  const reason = `shutdown deadline of ${shutdownTimeoutMs} ms passed (${queued.length} queued, ${inFlight.length} in flight)`;
  reporter.report('undelivered', [...inFlight, ...queued], reason);
}
