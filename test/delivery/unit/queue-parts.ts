import type { CustomerIOModuleOptions } from '../../../lib/index.js';
import type { CustomerIOQueueOptions } from '../../../lib/interfaces/delivery-options.interface.js';
import type { QueuedOperation } from '../../../lib/stores/index.js';
import type { BatchLeaseGuard } from '../../../lib/delivery/batch-lease.guard.js';
import type { BatchOutcome, BatchSender } from '../../../lib/delivery/batch.sender.js';
import { createOperationIdFactory } from '../../../lib/delivery/operation-id.js';
import { QueueReporter } from '../../../lib/delivery/queue.reporter.js';
import { DeliveryReporter } from '../../../lib/observability/delivery.reporter.js';
import { resolveCustomerIOOptions } from '../../../lib/options/customerio-options.resolver.js';
import type { ResolvedCustomerIOOptions } from '../../../lib/options/resolved-options.interface.js';
import { MemoryQueueStore } from '../../../lib/stores/memory-queue.store.js';
import type { CustomerIOQueueStore } from '../../../lib/interfaces/queue-store.interface.js';
import { ReportLog } from '../../support/delivery-assertions.js';

/** The pieces a part of the queue is built from: options resolved as the module does, a store, the reporters. */
export interface PartsFixture<S extends CustomerIOQueueStore> {
  options: ResolvedCustomerIOOptions;
  store: S;
  delivery: DeliveryReporter;
  reporter: QueueReporter;
  /** What the hooks were told. */
  log: ReportLog;
}

/**
 * Resolves `queue` (and the rest of `options`) as the module does, in mode `'disabled'` (no credentials needed), with
 * the hooks recorded in `log`; the parts are given `store` directly.
 */
export function partsFixture<S extends CustomerIOQueueStore = MemoryQueueStore>(
  queue: CustomerIOQueueOptions = {},
  store: S = new MemoryQueueStore() as unknown as S,
  options: Partial<CustomerIOModuleOptions> = {},
): PartsFixture<S> {
  const log = new ReportLog();
  // NOTE: `options` may pick another mode (with its credentials): the union of modes cannot be spread as one.
  const moduleOptions = { mode: 'disabled', ...options, queue, hooks: log.hooks } as CustomerIOModuleOptions;
  const resolved = resolveCustomerIOOptions(moduleOptions);
  const delivery = new DeliveryReporter(resolved);
  return { options: resolved, store, delivery, reporter: new QueueReporter(delivery, store), log };
}

const nextId = createOperationIdFactory();

/** A queued v2 event of person `person`, with a fresh ULID (the sandbox wants one as the event's id). */
export function eventOperation(person = 'u-1', name = 'ordered'): QueuedOperation {
  const id = nextId();
  const json = JSON.stringify({
    type: 'person',
    identifiers: { id: person },
    action: 'event',
    id,
    name,
    timestamp: 1_700_000_000,
  });
  return { id, key: person, json, bytes: Buffer.byteLength(json), attempts: 0 };
}

/** A promise with its resolver, to hold a send until a test lets it go. */
export interface Gate {
  promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** One call of a {@link RecordingSender}. */
export interface SendCall {
  operations: QueuedOperation[];
  lease: BatchLeaseGuard;
}

/**
 * A batch sender of our own interface (`BatchSender.send`) that records each call and answers with `answer`
 * (every operation delivered by default), after `hold` opens when one is set.
 */
export class RecordingSender implements Pick<BatchSender, 'send'> {
  readonly calls: SendCall[] = [];
  /** Calls under way now, and the most at once. */
  active = 0;
  peak = 0;
  hold?: Gate;
  answer: (operations: QueuedOperation[], lease: BatchLeaseGuard) => BatchOutcome[] = (operations) => [
    { outcome: 'delivered', operations },
  ];

  async send(operations: QueuedOperation[], lease: BatchLeaseGuard): Promise<BatchOutcome[]> {
    this.calls.push({ operations, lease });
    this.active += 1;
    this.peak = Math.max(this.peak, this.active);
    try {
      if (this.hold) await this.hold.promise;
      return this.answer(operations, lease);
    } finally {
      this.active -= 1;
    }
  }

  /** Ids of the operations of each call, in order. */
  get batches(): string[][] {
    return this.calls.map((call) => call.operations.map((operation) => operation.id));
  }
}

/** Lets pending promise callbacks and immediates run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
