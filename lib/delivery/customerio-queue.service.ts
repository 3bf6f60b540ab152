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
} from '../client/customerio.errors.js';
import {
  CUSTOMERIO_FLUSH_INTERVAL,
  CUSTOMERIO_LIMITS,
  CUSTOMERIO_QUEUE_STORE,
  CUSTOMERIO_RESOLVED_OPTIONS,
} from '../customerio.constants.js';
import {
  OPERATION_TOO_LARGE,
  KEPT_FOR_NEXT_START,
  QUEUE_CLOSED,
  QUEUE_FULL,
  REPORT_LINE,
} from '../customerio.messages.js';
import type { ResolvedCustomerIOOptions, ResolvedQueueOptions } from '../options/resolved-options.interface.js';
import { BATCH_ENVELOPE_BYTES, type BatchOutcome, BatchSender } from './batch.sender.js';
import type {
  CustomerIODeliveryHooks,
  CustomerIODeliveryOutcome,
  CustomerIODeliveryReport,
} from './delivery-options.interface.js';
import type { QueueStoreHandle } from './queue-store.factory.js';
import { createOperationIdFactory } from './operation-id.factory.js';
import type { CustomerIOQueueStats } from './customerio-queue-stats.interface.js';
import { CustomerIOReceipt, ReceiptRegistry } from './receipt.registry.js';
import type { AppendResult, CustomerIOQueueStore, MaybePromise, QueuedOperation } from './queue-store.interface.js';

const OUTCOME_HOOK: Record<Exclude<CustomerIODeliveryOutcome, 'delivered'>, keyof CustomerIODeliveryHooks> = {
  disabled: 'onDelivered',
  invalid: 'onFailed',
  failed: 'onFailed',
  undelivered: 'onFailed',
  dropped: 'onDropped',
  rejected: 'onDropped',
};

/**
 * The batching queue: person operations wait here and go to Customer.io in `POST /api/v2/batch`
 * requests, sent on an interval (`customerio:flush` in the app's SchedulerRegistry, or a timer of its
 * own) and whenever a full batch is waiting. It is bounded in operations and bytes, keeps each person's
 * operations in order, and on shutdown sends what it holds within a deadline and reports the rest.
 * Every operation ends in one outcome, and every outcome but `delivered` reaches a hook, a counter and
 * a log line.
 */
@Injectable()
export class CustomerIOQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly #logger = new Logger('CustomerIO');
  readonly #options: ResolvedQueueOptions;
  readonly #hooks: CustomerIODeliveryHooks;
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
  readonly #stats: CustomerIOQueueStats = {
    enqueued: 0,
    delivered: 0,
    disabled: 0,
    invalid: 0,
    failed: 0,
    rejected: 0,
    dropped: 0,
    undelivered: 0,
    retried: 0,
    inFlight: 0,
    inFlightBatches: 0,
    queued: 0,
    queuedBytes: 0,
  };
  /** Rejections and drops not logged yet: logged once a tick, not once an operation. */
  readonly #unlogged = { rejected: 0, dropped: 0 };
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
  /**
   * Counts leases, and outcomes reached without one (drops, and appends the store refused or failed): a receipt
   * read in the same epoch as its enqueue needs no lookup.
   */
  #epoch = 0;

  constructor(
    @Inject(CUSTOMERIO_RESOLVED_OPTIONS) options: ResolvedCustomerIOOptions,
    @Inject(CUSTOMERIO_QUEUE_STORE) { store, owned }: QueueStoreHandle,
    private readonly sender: BatchSender,
    @Optional() private readonly schedulerRegistry?: SchedulerRegistry,
  ) {
    this.#options = options.queue;
    this.#hooks = options.hooks;
    this.#store = store;
    this.#ownsStore = owned;
    this.#storeBounds = typeof store.enforceBound === 'function';
    this.#receipts = new ReceiptRegistry(store, this.#logger);
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
   * Queues one v2 operation (JSON, already checked) and returns at once. Throws {@link CustomerIOValidationError}
   * when the operation is over 32 KB, and {@link CustomerIOQueueFullError} when the queue is full under
   * `overflow: 'reject'`, or closed. `key` orders operations: those of one key are delivered in order.
   */
  enqueue(key: string, json: string, id: string = this.#nextId()): CustomerIOReceipt {
    if (this.#closed) return this.#refuse(QUEUE_CLOSED(), id);
    const bytes = Buffer.byteLength(json);
    const limit = Math.min(CUSTOMERIO_LIMITS.batchOperationBytes, this.#options.maxBatchBytes - BATCH_ENVELOPE_BYTES - 1);
    if (bytes > limit) throw new CustomerIOValidationError('operation', `${limit} bytes`, OPERATION_TOO_LARGE(bytes, limit));
    while (this.#store.size >= this.#options.maxQueueSize || this.#store.bytes + bytes > this.#options.maxQueueBytes) {
      const room = this.#options.overflow === 'drop-oldest' ? this.#dropOldest() : 'none';
      if (room === 'none') return this.#refuse(QUEUE_FULL(this.#options.maxQueueSize, this.#options.maxQueueBytes), id);
      if (room === 'later') break;
    }
    const appended = this.#store.append({ id, key, json, bytes, attempts: 0 });
    this.#stats.enqueued += 1;
    if (this.#fullBatchWaiting()) this.#schedulePump();
    const receipt = new CustomerIOReceipt(id, this, this.#epoch);
    this.#settleAppend(appended, id);
    return receipt;
  }

  /** A fresh operation id (a ULID, monotonic within this process). */
  nextId(): string {
    return this.#nextId();
  }

  /**
   * Sends everything queued now and resolves when it is settled — or when Customer.io is failing and
   * the rest must wait (it stays queued; see `stats`).
   */
  async flush(): Promise<void> {
    for (;;) {
      this.#holding = false;
      const before = this.#store.size;
      await this.#drain();
      if (this.#store.size === 0 || this.#holding || this.#store.size >= before) return;
    }
  }

  /**
   * @internal A promise settled with the outcome of operation `id`, enqueued at `epoch`; see
   * {@link CustomerIOReceipt.delivered}.
   */
  whenSettled(id: string, epoch: number): Promise<void> {
    // NOTE: nothing was leased or settled without a lease since the operation was enqueued, so it cannot have settled.
    return this.#receipts.wait(id, epoch !== this.#epoch);
  }

  /** Stops accepting, sends what is held within `shutdownTimeoutMs`, and reports what is left as undelivered. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    const deadline = Date.now() + this.#options.shutdownTimeoutMs;
    while (this.#store.size > 0 && Date.now() < deadline) {
      this.#holding = false;
      await raceTimeout(this.#drain(), deadline - Date.now());
      if (this.#holding && this.#store.size > 0) await raceTimeout(undefined, Math.min(this.#options.flushIntervalMs, deadline - Date.now()));
    }
    this.#finished = true;
    this.#abandon.abort();
    this.#logUnlogged();
    if (this.#store.durable) await this.#keepLeftovers();
    else await this.#reportLeftovers();
    if (this.#ownsStore) await this.#store.close?.();
  }

  #tick(): void {
    this.#holding = false;
    this.#logUnlogged();
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
          if (operations.length === 0) {
            this.#partialDue = false;
            break;
          }
          void this.#sendBatch(operations);
        }
      } while (this.#pumpAgain);
    } catch (error) {
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
    try {
      const outcomes = await this.sender.send(operations, this.#abandon.signal, () => (this.#stats.retried += operations.length));
      for (const outcome of outcomes) await this.#apply(outcome);
    } catch (error) {
      // NOTE: the sender reports failures as outcomes; reaching here is a bug or a failing store.
      this.#logger.error(`CustomerIO batch handling failed: ${String(error)}`);
      try {
        await this.#apply({ outcome: 'retry', operations, error: new CustomerIOError(String(error), { retryable: true }) });
      } catch (storeError) {
        this.#logger.error(`CustomerIO queue could not hand a batch back to its store: ${String(storeError)}`);
      }
    } finally {
      this.#inFlight.delete(operations);
      this.#inFlightBytes -= bytes;
      this.#stats.inFlightBatches -= 1;
      this.#stats.inFlight -= operations.length;
      void this.#pump();
    }
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
          this.#report('failed', spent, `${result.error.message} (after ${this.#options.maxDeliveryAttempts} delivery attempts)`, result.error);
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
    this.#unlogged.dropped += operations.length;
    this.#report('dropped', operations, 'queue full (overflow: drop-oldest)');
  }

  #reportRejected(message: string, id: string): CustomerIOQueueFullError {
    this.#unlogged.rejected += 1;
    const error = new CustomerIOQueueFullError(message);
    this.#report('rejected', [id], message, error);
    return error;
  }

  #refuse(message: string, id: string): never {
    throw this.#reportRejected(message, id);
  }

  /** Counts, calls the hook, settles receipts and logs (immediately, but for drops and rejections). */
  #report(outcome: CustomerIODeliveryOutcome, operations: readonly (QueuedOperation | string)[], reason?: string, error?: CustomerIOError): void {
    const ids = operations.map((operation) => (typeof operation === 'string' ? operation : operation.id));
    this.#stats[outcome] += ids.length;
    const report: CustomerIODeliveryReport = { outcome, ids, reason, error };
    if (outcome !== 'delivered' && outcome !== 'disabled') {
      if (error) this.#stats.lastError = error.message;
      if (outcome !== 'dropped' && outcome !== 'rejected') this.#logger.warn(REPORT_LINE(outcome, ids, reason));
    }
    this.#callHook(outcome === 'delivered' ? 'onDelivered' : OUTCOME_HOOK[outcome], report);
    this.#receipts.settle(outcome, ids, reason, error);
  }

  #callHook(hook: keyof CustomerIODeliveryHooks, report: CustomerIODeliveryReport): void {
    try {
      this.#hooks[hook]?.(report);
    } catch (error) {
      this.#logger.error(`CustomerIO ${hook} hook threw: ${String(error)}`);
    }
  }

  #logUnlogged(): void {
    const { rejected, dropped } = this.#unlogged;
    if (rejected) this.#logger.warn(REPORT_LINE('rejected', [], `${rejected} operations: queue full or closed`));
    if (dropped) this.#logger.warn(REPORT_LINE('dropped', [], `${dropped} operations: queue full (overflow: drop-oldest)`));
    this.#unlogged.rejected = this.#unlogged.dropped = 0;
  }

  /** At the shutdown deadline, with a durable store: in-flight operations go back, and everything waits for the next start. */
  async #keepLeftovers(): Promise<void> {
    await this.#store.release([...this.#inFlight].flat());
    if (this.#store.size > 0) this.#logger.warn(KEPT_FOR_NEXT_START(this.#store.size, this.#options.shutdownTimeoutMs));
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
      const operations = await this.#store.lease({ maxOperations: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER });
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
   * the bound), operations dropped to make room for it, or a failure.
   */
  #settleAppend(result: MaybePromise<void | AppendResult>, id: string): void {
    if (!(result instanceof Promise)) return this.#applyAppend(result, id);
    result.then(
      (appended) => this.#applyAppend(appended, id),
      (error: unknown) => {
        this.#epoch += 1;
        this.#report('failed', [id], `store: ${String(error)}`);
      },
    );
  }

  #applyAppend(result: void | AppendResult, id: string): void {
    if (!result?.rejected && !result?.droppedIds?.length) return;
    this.#epoch += 1;
    if (result.droppedIds?.length) this.#reportDropped(result.droppedIds);
    if (result.rejected) this.#reportRejected(QUEUE_FULL(this.#options.maxQueueSize, this.#options.maxQueueBytes), id);
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
