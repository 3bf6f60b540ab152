import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  CustomerIOCircuitOpenError,
  CustomerIOError,
  CustomerIOQueueFullError,
  CustomerIOValidationError,
} from '../errors/customerio.errors.js';
import {
  CUSTOMERIO_FLUSH_INTERVAL,
  CUSTOMERIO_LIMITS,
  CUSTOMERIO_QUEUE_STORE,
  CUSTOMERIO_RESOLVED_OPTIONS,
} from '../customerio.constants.js';
import {
  OPERATION_TOO_LARGE,
  KEPT_FOR_NEXT_START,
  GIVEN_BACK,
  LEFT_TO_OTHER_INSTANCES,
  NOT_STORED,
  QUEUE_CLOSED,
  QUEUE_FULL,
  REQUEST_ABANDONED,
} from '../errors/customerio.messages.js';
import type { ResolvedCustomerIOOptions, ResolvedQueueOptions } from '../options/resolved-options.interface.js';
import { BATCH_ENVELOPE_BYTES, type BatchOutcome, BatchSender } from './batch.sender.js';
import { BatchLeaseGuard } from './batch-lease.guard.js';
import type { CustomerIODeliveryOutcome } from '../interfaces/delivery-options.interface.js';
import { DeliveryReporter, type SummaryKind } from '../observability/delivery.reporter.js';
import type { OpenedQueueStore } from '../stores/queue-store.opener.js';
import { createOperationIdFactory } from './operation-id.factory.js';
import type { CustomerIOQueueStats } from '../interfaces/customerio-queue-stats.interface.js';
import { CustomerIOReceipt, ReceiptRegistry } from './receipt.registry.js';
import type {
  AppendResult,
  CustomerIOQueueStore,
  MaybePromise,
  QueuedOperation,
} from '../interfaces/queue-store.interface.js';

/** Shutdown's first wait for what other instances hold in a shared store; it doubles, up to a flush interval. */
const SHUTDOWN_FIRST_WAIT_MS = 50;

/**
 * The batching queue: person operations wait here and go to Customer.io in `POST /api/v2/batch`
 * requests, sent on an interval (`customerio:flush` in the app's SchedulerRegistry, or a timer of its
 * own) and whenever a full batch is waiting. It is bounded in operations and bytes, keeps each person's
 * operations in order, and on shutdown sends what it holds within a deadline and reports the rest.
 * Every operation ends in one outcome, and every outcome but `delivered` reaches a hook, a counter and
 * a log line (see {@link DeliveryReporter}).
 */
@Injectable()
export class CustomerIOQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly #logger = new Logger('CustomerIO');
  readonly #options: ResolvedQueueOptions;
  readonly #store: CustomerIOQueueStore;
  readonly #ownsStore: boolean;
  /** The store enforces the bound itself (see `CustomerIOQueueStore.enforceBound`): it drops, not the queue. */
  readonly #storeBounds: boolean;
  readonly #nextId = createOperationIdFactory();
  readonly #receipts: ReceiptRegistry;
  readonly #idle: (() => void)[] = [];
  readonly #inFlight = new Set<QueuedOperation[]>();
  /** Bytes of the operations in batches in flight. */
  #inFlightBytes = 0;
  /** Aborted when shutdown's deadline passes: in-flight batches stop retrying and waiting. */
  readonly #abandon = new AbortController();
  readonly #stats: CustomerIOQueueStats;
  #timer?: NodeJS.Timeout;
  #pumping = false;
  #pumpAgain = false;
  /** Set when a batch failed retryably: nothing more is sent until the next tick (or a flush). */
  #holding = false;
  #pumpScheduled = false;
  /**
   * Set by the interval, `flush()` and shutdown: everything waiting goes, partial batches included, until
   * nothing more can be leased. Otherwise (a full batch waiting, a batch done) only full batches go.
   */
  #partialDue = false;
  #closed = false;
  #finished = false;
  /** The last lease failed (the store could not be read). */
  #storeFailing = false;
  /**
   * Counts leases, and outcomes reached without one (drops, and appends the store refused or failed): a receipt
   * read in the same epoch as its enqueue needs no lookup.
   */
  #epoch = 0;

  constructor(
    @Inject(CUSTOMERIO_RESOLVED_OPTIONS) options: ResolvedCustomerIOOptions,
    @Inject(CUSTOMERIO_QUEUE_STORE) { store, owned }: OpenedQueueStore,
    private readonly sender: BatchSender,
    private readonly reporter: DeliveryReporter,
    @Optional() private readonly schedulerRegistry?: SchedulerRegistry,
  ) {
    this.#options = options.queue;
    this.#stats = reporter.stats;
    this.#store = store;
    this.#ownsStore = owned;
    this.#storeBounds = typeof store.enforceBound === 'function';
    this.#receipts = new ReceiptRegistry(store, {
      warn: (message: string) => reporter.summarize('sharedOutcomes', message),
    });
    const { maxQueueSize, maxQueueBytes, overflow } = options.queue;
    store.enforceBound?.({ maxQueueSize, maxQueueBytes, overflow });
  }

  /** Counters and gauges, as of now. */
  get stats(): Readonly<CustomerIOQueueStats> {
    return { ...this.#stats, queued: this.#store.size, queuedBytes: this.#store.bytes };
  }

  onApplicationBootstrap(): void {
    const interval = setInterval(() => this.#tick(), this.#options.flushIntervalMs);
    if (this.schedulerRegistry && !this.schedulerRegistry.doesExist('interval', CUSTOMERIO_FLUSH_INTERVAL)) {
      this.schedulerRegistry.addInterval(CUSTOMERIO_FLUSH_INTERVAL, interval);
    } else {
      this.#timer = interval;
    }
    if (this.#store.size > 0) this.#sendAllWaiting(); // what a durable store kept from a previous run
  }

  /**
   * Queues one v2 operation (JSON, already checked, or a function writing it from the operation's id) and returns
   * at once. The operation's id is a ULID minted here for every call (monotonic within this process), never one
   * a caller chose: no store ever holds two operations with one id. Throws {@link CustomerIOValidationError} when
   * the operation is over 32 KB, and {@link CustomerIOQueueFullError} when the queue is full under
   * `overflow: 'reject'`, or closed. `key` orders operations: those of one key are delivered in order.
   */
  enqueue(key: string, json: string | ((operationId: string) => string)): CustomerIOReceipt {
    const id = this.#nextId();
    if (this.#closed) return this.#refuse(QUEUE_CLOSED(), id);
    const text = typeof json === 'string' ? json : json(id);
    const bytes = Buffer.byteLength(text);
    const limit = Math.min(
      CUSTOMERIO_LIMITS.batchOperationBytes,
      this.#options.maxBatchBytes - BATCH_ENVELOPE_BYTES - 1,
    );
    if (bytes > limit)
      throw new CustomerIOValidationError('operation', `${limit} bytes`, OPERATION_TOO_LARGE(bytes, limit));
    while (this.#store.size >= this.#options.maxQueueSize || this.#store.bytes + bytes > this.#options.maxQueueBytes) {
      const room = this.#options.overflow === 'drop-oldest' ? this.#dropOldest() : 'none';
      if (room === 'none') return this.#refuse(QUEUE_FULL(this.#options.maxQueueSize, this.#options.maxQueueBytes), id);
      if (room === 'later') break;
    }
    const appended = this.#store.append({ id, key, json: text, bytes, attempts: 0 });
    this.#stats.enqueued += 1;
    if (this.#fullBatchWaiting()) this.#schedulePump();
    // NOTE: the epoch before the append's answer: an append refused at once settles the operation.
    const epoch = this.#epoch;
    return new CustomerIOReceipt(id, this, epoch, this.#settleAppend(appended, id));
  }

  /**
   * Sends everything queued now and resolves when it is settled — or when Customer.io is failing and
   * the rest must wait (it stays queued; see `stats`). Then writes the summed log lines, as a flush interval does.
   */
  async flush(): Promise<void> {
    for (;;) {
      this.#holding = false;
      const before = this.#store.size;
      await this.#drain();
      if (this.#store.size === 0 || this.#holding || this.#store.size >= before) break;
    }
    this.reporter.writeSummary();
  }

  /**
   * @internal A promise settled with the outcome of operation `id`, enqueued at `epoch`; see
   * {@link CustomerIOReceipt.delivered}.
   */
  whenSettled(id: string, epoch: number): Promise<void> {
    // NOTE: nothing was leased or settled without a lease since the operation was enqueued, so it cannot have settled.
    return this.#receipts.wait(id, epoch !== this.#epoch);
  }

  /**
   * Stops accepting, sends what it can lease within `shutdownTimeoutMs`, and reports what is left as undelivered
   * (a durable store keeps it instead). While what is left is leased by other instances of a shared store (or
   * queued behind their leases), it looks again after a wait that doubles, up to a flush interval.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    const deadline = Date.now() + this.#options.shutdownTimeoutMs;
    let othersWait = SHUTDOWN_FIRST_WAIT_MS;
    /** The last drain ended (did not run into the deadline) neither holding nor failing: it leased all it could. */
    let leasedAll = false;
    while (this.#store.size > 0 && Date.now() < deadline) {
      this.#holding = false;
      let idle = false;
      await raceTimeout(
        this.#drain().then(() => void (idle = true)),
        deadline - Date.now(),
      );
      leasedAll = idle && !this.#holding && !this.#storeFailing;
      if (this.#store.size === 0) break;
      // NOTE: what a drain that leased all it could left is held by other instances.
      const pause = this.#holding ? this.#options.flushIntervalMs : othersWait;
      if (!this.#holding) othersWait = Math.min(othersWait * 2, this.#options.flushIntervalMs);
      await raceTimeout(undefined, Math.min(pause, deadline - Date.now()));
    }
    this.#finished = true;
    this.#abandon.abort(new CustomerIOError(REQUEST_ABANDONED(), { retryable: true }));
    if (this.#store.durable) await this.#keepLeftovers(leasedAll);
    else await this.#reportLeftovers();
    this.reporter.close();
    if (this.#ownsStore) await this.#store.close?.();
  }

  #tick(): void {
    this.#holding = false;
    this.reporter.writeSummary();
    this.#sendAllWaiting();
    this.#receipts.collect();
  }

  #sendAllWaiting(): void {
    this.#partialDue = true;
    void this.#pump();
  }

  /** Whether a batch's worth of operations waits (queued, not in flight). */
  #fullBatchWaiting(): boolean {
    return (
      this.#store.size - this.#stats.inFlight >= this.#options.maxBatchOperations ||
      this.#store.bytes - this.#inFlightBytes >= this.#options.maxBatchBytes - BATCH_ENVELOPE_BYTES
    );
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  /** Starts batches while there is room in flight and something to send. */
  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        while (!this.#holding && !this.#finished && this.#stats.inFlightBatches < this.#options.maxInFlight) {
          if (!this.#partialDue && !this.#fullBatchWaiting()) break;
          this.#epoch += 1;
          const operations = await this.#store.lease({
            maxOperations: this.#options.maxBatchOperations,
            maxBytes: this.#options.maxBatchBytes - BATCH_ENVELOPE_BYTES,
          });
          this.#storeFailing = false;
          if (operations.length === 0) {
            this.#partialDue = false;
            break;
          }
          void this.#sendBatch(operations);
        }
      } while (this.#pumpAgain);
    } catch (error) {
      this.#storeFailing = true;
      this.#logger.error(`CustomerIO queue could not read its store: ${String(error)}`);
    } finally {
      this.#pumping = false;
      this.#notifyIdle();
    }
  }

  async #sendBatch(operations: QueuedOperation[]): Promise<void> {
    const bytes = operations.reduce((sum, operation) => sum + operation.bytes, 0);
    this.#inFlight.add(operations);
    this.#inFlightBytes += bytes;
    this.#stats.inFlightBatches += 1;
    this.#stats.inFlight += operations.length;
    const lease = new BatchLeaseGuard(operations, this.#abandon.signal, this.#store.leaseDeadlines);
    try {
      const outcomes = await this.sender.send(operations, lease, () => (this.#stats.retried += operations.length));
      for (const outcome of outcomes) {
        if (outcome.outcome === 'retry' && lease.lost) await this.#giveBack(outcome.operations);
        else await this.#apply(outcome);
      }
    } catch (error) {
      // NOTE: the sender reports failures as outcomes; reaching here is a bug or a failing store.
      this.#logger.error(`CustomerIO batch handling failed: ${String(error)}`);
      try {
        await this.#apply({
          outcome: 'retry',
          operations,
          error: new CustomerIOError(String(error), { retryable: true }),
        });
      } catch (storeError) {
        this.#logger.error(`CustomerIO queue could not hand a batch back to its store: ${String(storeError)}`);
      }
    } finally {
      lease.dispose();
      this.#inFlight.delete(operations);
      this.#inFlightBytes -= bytes;
      this.#stats.inFlightBatches -= 1;
      this.#stats.inFlight -= operations.length;
      void this.#pump();
    }
  }

  /**
   * A batch whose lease may end before another request of it could: it goes back to the store as it was (no
   * delivery attempt spent, no outcome reported): released if the store answers, else its lease runs out and
   * another instance leases it.
   */
  async #giveBack(operations: QueuedOperation[]): Promise<void> {
    if (this.#finished) return;
    this.#logger.warn(GIVEN_BACK(operations.length, this.#store.leaseDeadlines?.leaseMs ?? 0));
    await this.#store.release(operations);
  }

  async #apply(result: BatchOutcome): Promise<void> {
    const { operations } = result;
    if (this.#finished) return; // shutdown already reported these as undelivered
    switch (result.outcome) {
      case 'delivered':
      case 'disabled':
        await this.#store.acknowledge(operations);
        this.#report(result.outcome, operations);
        return;
      case 'invalid':
        await this.#store.acknowledge(operations);
        this.#report('invalid', operations, result.reason, result.error);
        return;
      case 'failed':
        await this.#store.acknowledge(operations);
        this.#report('failed', operations, result.error.message, result.error);
        return;
      case 'retry': {
        this.#holding = true;
        this.#stats.lastError = result.error.message;
        // NOTE: an open circuit sent nothing, so it costs the operations no attempt.
        const counts = !(result.error instanceof CustomerIOCircuitOpenError);
        const spent: QueuedOperation[] = [];
        const kept: QueuedOperation[] = [];
        for (const operation of operations) {
          if (counts) operation.attempts += 1;
          (operation.attempts >= this.#options.maxDeliveryAttempts ? spent : kept).push(operation);
        }
        await this.#store.release(kept);
        if (spent.length) {
          await this.#store.acknowledge(spent);
          this.#report(
            'failed',
            spent,
            `${result.error.message} (after ${this.#options.maxDeliveryAttempts} delivery attempts)`,
            result.error,
          );
        }
        return;
      }
    }
  }

  /**
   * Drops the oldest queued operation to make room: `'made'` when it did, `'none'` when there is nothing
   * to drop, `'later'` when the new operation goes in now and the store makes room: a store that enforces
   * the bound drops with the append (see `#settleAppend`); one that answers asynchronously drops after it,
   * so the bound can be passed by the drops still under way.
   */
  #dropOldest(): 'made' | 'none' | 'later' {
    if (this.#storeBounds) return 'later';
    this.#epoch += 1;
    const dropped = this.#store.dropOldest();
    if (dropped instanceof Promise) {
      dropped.then(
        (operation) => operation && this.#reportDropped([operation]),
        (error: unknown) => this.#logger.error(`CustomerIO queue could not drop from its store: ${String(error)}`),
      );
      return 'later';
    }
    if (!dropped) return 'none';
    this.#reportDropped([dropped]);
    return 'made';
  }

  #reportDropped(operations: readonly (QueuedOperation | string)[]): void {
    this.#report('dropped', operations, 'queue full (overflow: drop-oldest)', undefined, 'dropped');
  }

  #reportRejected(message: string, id: string): CustomerIOQueueFullError {
    const error = new CustomerIOQueueFullError(message);
    this.#report('rejected', [id], message, error, 'rejected');
    return error;
  }

  #refuse(message: string, id: string): never {
    throw this.#reportRejected(message, id);
  }

  /** Counts, logs (or sums into `summary`'s line) and calls the hook (see {@link DeliveryReporter}), then settles receipts. */
  #report(
    outcome: CustomerIODeliveryOutcome,
    operations: readonly (QueuedOperation | string)[],
    reason?: string,
    error?: CustomerIOError,
    summary?: SummaryKind,
  ): void {
    const ids = operations.map((operation) => (typeof operation === 'string' ? operation : operation.id));
    this.reporter.outcome(outcome, ids, reason, error, summary);
    this.#receipts.settle(outcome, ids, reason, error);
  }

  /**
   * At the shutdown deadline, with a durable store: in-flight operations go back, and what is left stays, for the
   * next start or the other instances sharing the store. Says which: when the last drain `leasedAll` it could (it
   * ended with nothing in flight, Customer.io answering and the store readable), the rest is held by other instances.
   */
  async #keepLeftovers(leasedAll: boolean): Promise<void> {
    const inFlight = [...this.#inFlight].flat();
    await this.#store.release(inFlight);
    const left = this.#store.size;
    if (left === 0) return;
    this.#logger.warn(
      leasedAll
        ? LEFT_TO_OTHER_INSTANCES(left)
        : KEPT_FOR_NEXT_START(left, this.#options.shutdownTimeoutMs, inFlight.length),
    );
  }

  /** At the shutdown deadline: what is queued or in flight will not be confirmed. */
  async #reportLeftovers(): Promise<void> {
    if (this.#store.size === 0) return;
    this.#epoch += 1;
    const inFlight = [...this.#inFlight].flat();
    // In-flight operations go first: while leased, they hold back the rest of their people's operations.
    await this.#store.acknowledge(inFlight);
    const queued: QueuedOperation[] = [];
    for (;;) {
      const operations = await this.#store.lease({
        maxOperations: Number.MAX_SAFE_INTEGER,
        maxBytes: Number.MAX_SAFE_INTEGER,
      });
      if (operations.length === 0) break;
      await this.#store.acknowledge(operations);
      queued.push(...operations);
    }
    const reason = `shutdown deadline of ${this.#options.shutdownTimeoutMs} ms passed (${queued.length} queued, ${inFlight.length} in flight)`;
    this.#report('undelivered', [...inFlight, ...queued], reason);
  }

  /** Pumps until nothing is in flight and nothing more can be started. */
  #drain(): Promise<void> {
    const idle = new Promise<void>((resolve) => this.#idle.push(resolve));
    this.#sendAllWaiting();
    return idle;
  }

  #notifyIdle(): void {
    if (this.#pumping || this.#stats.inFlightBatches > 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /**
   * Reports what the store's append of `id` answered, now or once it settles: refused (a store that enforces
   * the bound), operations dropped to make room for it, or a failure. Answers what the receipt's `stored`
   * settles with: nothing (held now), the error of a refusal now, or a promise of the append's answer.
   */
  #settleAppend(result: MaybePromise<void | AppendResult>, id: string): Promise<void> | CustomerIOError | undefined {
    if (!(result instanceof Promise)) return this.#applyAppend(result, id);
    const stored = result.then(
      (appended) => {
        const refused = this.#applyAppend(appended, id);
        if (refused) throw refused;
      },
      (error: unknown) => {
        this.#epoch += 1;
        const failure = new CustomerIOError(NOT_STORED(id, error));
        this.#report('failed', [id], `store: ${String(error)}`, failure, 'append');
        throw failure;
      },
    );
    // NOTE: a `stored` nobody reads must not be an unhandled rejection.
    stored.catch(() => undefined);
    return stored;
  }

  /** Reports refusals and drops an append answered; answers the error of a refusal. */
  #applyAppend(result: void | AppendResult, id: string): CustomerIOQueueFullError | undefined {
    if (!result?.rejected && !result?.droppedIds?.length) return undefined;
    this.#epoch += 1;
    if (result.droppedIds?.length) this.#reportDropped(result.droppedIds);
    return result.rejected
      ? this.#reportRejected(QUEUE_FULL(this.#options.maxQueueSize, this.#options.maxQueueBytes), id)
      : undefined;
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    else if (this.schedulerRegistry?.doesExist('interval', CUSTOMERIO_FLUSH_INTERVAL)) {
      this.schedulerRegistry.deleteInterval(CUSTOMERIO_FLUSH_INTERVAL);
    }
  }
}

/** Waits for `promise` (or nothing), at most `ms`; leaves no timer behind. */
async function raceTimeout(promise: Promise<void> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  try {
    await (promise ? Promise.race([promise, timeout]) : timeout);
  } finally {
    clearTimeout(timer);
  }
}
