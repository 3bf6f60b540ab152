import { CustomerIOCircuitOpenError, CustomerIOError } from '../errors/customerio.errors.js';
import {
  BATCH_HANDLING_FAILED,
  GIVEN_BACK,
  HAND_BACK_FAILED,
  REQUEST_ABANDONED,
  STORE_READ_FAILED,
} from '../errors/customerio.messages.js';
import type { ResolvedQueueOptions } from '../options/resolved-options.interface.js';
import type { CustomerIOQueueStore, QueuedOperation } from '../interfaces/queue-store.interface.js';
import { BATCH_ENVELOPE_BYTES, type BatchOutcome, type BatchSender } from './batch.sender.js';
import { BatchLeaseGuard } from './batch-lease.guard.js';
import type { QueueReporter } from './queue.reporter.js';
import { settleLeftovers } from './shutdown-leftovers.js';

/** The queue options the dispatcher reads. */
export type DispatchOptions = Pick<
  ResolvedQueueOptions,
  'maxBatchOperations' | 'maxBatchBytes' | 'maxInFlight' | 'maxDeliveryAttempts' | 'shutdownTimeoutMs'
>;

/**
 * Whether batches may start: `'open'`; `'holding'` once a batch failed retryably, until the next tick or flush
 * {@link BatchDispatcher.resume resumes}; `'stopped'` for good once shutdown's deadline passed (outcomes that still
 * come are not reported: shutdown reported their operations already).
 */
export type DispatchGate = 'open' | 'holding' | 'stopped';

/** How the store answered the last lease: `'failing'` when it could not be read. */
export type LeaseHealth = 'readable' | 'failing';

/**
 * Which batches are due: only `'full'` ones (a full batch waiting, a batch done), or `'all'` that waits, partial
 * batches included (the interval, `flush()`, shutdown), until nothing more can be leased.
 */
type Due = 'full' | 'all';

/** The pump: `'idle'`, `'pumping'` (leasing and starting batches), or pumping and asked to go round once more. */
type PumpState = 'idle' | 'pumping' | 'pumping-again';

/**
 * The queue's dispatch part: leases batches from the store, sends each through the {@link BatchSender} (at most
 * `maxInFlight` at once) and applies each outcome: acknowledged and reported, or, when Customer.io must be tried
 * again, released to the store with one more attempt spent (failed once `maxDeliveryAttempts` are), and no new
 * batch started until the next tick ({@link DispatchGate}). At shutdown's deadline it stops, and settles what is
 * left ({@link settleLeftovers}).
 */
export class BatchDispatcher {
  readonly #store: CustomerIOQueueStore;
  readonly #sender: Pick<BatchSender, 'send'>;
  readonly #reporter: QueueReporter;
  readonly #options: DispatchOptions;
  /** Most bytes of the operations of one batch (its body less the envelope). */
  readonly #batchBytes: number;
  /** The batches in flight. */
  readonly #inFlight = new Set<QueuedOperation[]>();
  #inFlightOperations = 0;
  #inFlightBytes = 0;
  /** Aborted when shutdown's deadline passes: in-flight batches stop retrying and waiting. */
  readonly #abandon = new AbortController();
  /** Resolved when the dispatcher is idle: nothing in flight, and the pump stopped. */
  readonly #idle: (() => void)[] = [];
  #gate: DispatchGate = 'open';
  #leaseHealth: LeaseHealth = 'readable';
  #due: Due = 'full';
  #pump: PumpState = 'idle';
  #lastLeasedId?: string;

  constructor(
    store: CustomerIOQueueStore,
    sender: Pick<BatchSender, 'send'>,
    reporter: QueueReporter,
    options: DispatchOptions,
  ) {
    this.#store = store;
    this.#sender = sender;
    this.#reporter = reporter;
    this.#options = options;
    this.#batchBytes = options.maxBatchBytes - BATCH_ENVELOPE_BYTES;
  }

  /** See {@link DispatchGate}. */
  get gate(): DispatchGate {
    return this.#gate;
  }

  /** See {@link LeaseHealth}. */
  get leaseHealth(): LeaseHealth {
    return this.#leaseHealth;
  }

  /** Operations in batches in flight. */
  get inFlightOperations(): number {
    return this.#inFlightOperations;
  }

  /** Batch requests in flight. */
  get inFlightBatches(): number {
    return this.#inFlight.size;
  }

  /** The id of the first operation of the last lease that took any: the oldest operation not leased at that time. */
  get lastLeasedId(): string | undefined {
    return this.#lastLeasedId;
  }

  /** Whether a batch's worth of operations waits (queued, not in flight). */
  fullBatchWaiting(): boolean {
    return (
      this.#store.size - this.#inFlightOperations >= this.#options.maxBatchOperations ||
      this.#store.bytes - this.#inFlightBytes >= this.#batchBytes
    );
  }

  /** Starts the full batches waiting, while there is room in flight. */
  sendFull(): void {
    void this.#run();
  }

  /** Starts everything waiting, partial batches included, until nothing more can be leased. */
  sendAll(): void {
    this.#due = 'all';
    void this.#run();
  }

  /** Sends everything waiting, and resolves once nothing is in flight and nothing more can be started. */
  drain(): Promise<void> {
    const idle = new Promise<void>((resolve) => this.#idle.push(resolve));
    this.sendAll();
    return idle;
  }

  /** Lets batches start again after a retryable failure (the next tick, a flush). */
  resume(): void {
    if (this.#gate === 'holding') this.#gate = 'open';
  }

  /**
   * At shutdown's deadline: abandons the batches in flight, starts no more, and settles what is left (see
   * {@link settleLeftovers}; `leasedAll` as `Leftovers.leasedAll` says).
   */
  async stop(leasedAll: boolean): Promise<void> {
    this.#gate = 'stopped';
    this.#abandon.abort(new CustomerIOError(REQUEST_ABANDONED(), { retryable: true }));
    const { shutdownTimeoutMs } = this.#options;
    const inFlight = [...this.#inFlight].flat();
    await settleLeftovers({ store: this.#store, inFlight, leasedAll, shutdownTimeoutMs }, this.#reporter);
  }

  /** Starts batches while the gate is open, there is room in flight and something due to send. */
  async #run(): Promise<void> {
    if (this.#pump !== 'idle') {
      this.#pump = 'pumping-again';
      return;
    }
    this.#pump = 'pumping';
    try {
      do {
        while (this.#gate === 'open' && this.#inFlight.size < this.#options.maxInFlight) {
          if (this.#due === 'full' && !this.fullBatchWaiting()) break;
          this.#reporter.receipts.advanceEpoch();
          const operations = await this.#store.lease({
            maxOperations: this.#options.maxBatchOperations,
            maxBytes: this.#batchBytes,
          });
          this.#leaseHealth = 'readable';
          if (operations.length === 0) {
            this.#due = 'full';
            break;
          }
          this.#lastLeasedId = operations[0].id;
          void this.#send(operations);
        }
      } while (this.#anotherRound());
    } catch (error) {
      this.#leaseHealth = 'failing';
      this.#reporter.delivery.logger.error(STORE_READ_FAILED(error), {
        event: 'customerio.store.error',
        action: 'read',
      });
    } finally {
      this.#pump = 'idle';
      this.#notifyIdle();
    }
  }

  /** Whether the pump was asked to go round once more while it ran; it then does. */
  #anotherRound(): boolean {
    if (this.#pump !== 'pumping-again') return false;
    this.#pump = 'pumping';
    return true;
  }

  async #send(operations: QueuedOperation[]): Promise<void> {
    const bytes = operations.reduce((sum, operation) => sum + operation.bytes, 0);
    this.#inFlight.add(operations);
    this.#inFlightOperations += operations.length;
    this.#inFlightBytes += bytes;
    const lease = new BatchLeaseGuard(operations, this.#abandon.signal, this.#store.leaseDeadlines);
    try {
      const outcomes = await this.#sender.send(operations, lease, () =>
        this.#reporter.delivery.countRetried(operations.length),
      );
      for (const outcome of outcomes) {
        if (outcome.outcome === 'retry' && lease.lost) await this.#giveBack(outcome.operations);
        else await this.#apply(outcome);
      }
    } catch (error) {
      // NOTE: the sender reports failures as outcomes; reaching here is a bug or a failing store.
      this.#reporter.delivery.logger.error(BATCH_HANDLING_FAILED(error), {
        event: 'customerio.batch.error',
        count: operations.length,
      });
      try {
        await this.#apply({
          outcome: 'retry',
          operations,
          error: new CustomerIOError(String(error), { retryable: true }),
        });
      } catch (storeError) {
        this.#reporter.delivery.logger.error(HAND_BACK_FAILED(storeError), {
          event: 'customerio.store.error',
          action: 'release',
          count: operations.length,
        });
      }
    } finally {
      lease.dispose();
      this.#inFlight.delete(operations);
      this.#inFlightOperations -= operations.length;
      this.#inFlightBytes -= bytes;
      void this.#run();
    }
  }

  /**
   * A batch whose lease may end before another request of it could: it goes back to the store as it was (no
   * delivery attempt spent, no outcome reported): released if the store answers, else its lease runs out and
   * another instance leases it.
   */
  async #giveBack(operations: QueuedOperation[]): Promise<void> {
    if (this.#gate === 'stopped') return;
    const leaseMs = this.#store.leaseDeadlines?.leaseMs ?? 0;
    this.#reporter.delivery.logger.warn(GIVEN_BACK(operations.length, leaseMs), {
      event: 'customerio.lease.given-back',
      count: operations.length,
      leaseMs,
    });
    await this.#store.release(operations);
  }

  async #apply(result: BatchOutcome): Promise<void> {
    const { operations } = result;
    if (this.#gate === 'stopped') return; // shutdown already reported these as undelivered
    switch (result.outcome) {
      case 'delivered':
      case 'disabled':
        await this.#store.acknowledge(operations);
        this.#reporter.report(result.outcome, operations);
        return;
      case 'invalid':
        await this.#store.acknowledge(operations);
        this.#reporter.report('invalid', operations, result.reason, result.error);
        return;
      case 'failed':
        await this.#store.acknowledge(operations);
        this.#reporter.report('failed', operations, result.error.message, result.error);
        return;
      case 'retry':
        return this.#retryLater(result.operations, result.error);
    }
  }

  /** Holds the gate, and releases the operations with one more attempt spent; fails those that spent the last. */
  async #retryLater(operations: QueuedOperation[], error: CustomerIOError): Promise<void> {
    this.#gate = 'holding';
    this.#reporter.delivery.recordError(error);
    // NOTE: an open circuit sent nothing, so it costs the operations no attempt.
    const counts = !(error instanceof CustomerIOCircuitOpenError);
    const { maxDeliveryAttempts } = this.#options;
    const spent: QueuedOperation[] = [];
    const kept: QueuedOperation[] = [];
    for (const operation of operations) {
      if (counts) operation.attempts += 1;
      (operation.attempts >= maxDeliveryAttempts ? spent : kept).push(operation);
    }
    await this.#store.release(kept);
    if (spent.length === 0) return;
    await this.#store.acknowledge(spent);
    this.#reporter.report('failed', spent, `${error.message} (after ${maxDeliveryAttempts} delivery attempts)`, error);
  }

  #notifyIdle(): void {
    if (this.#pump !== 'idle' || this.#inFlight.size > 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
