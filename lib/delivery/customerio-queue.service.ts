import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CUSTOMERIO_OPENED_QUEUE_STORE, CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import type { CustomerIOQueueStats } from '../interfaces/customerio-queue-stats.interface.js';
import type { CustomerIOQueueStore, CustomerIOStoreKind } from '../interfaces/queue-store.interface.js';
import { DeliveryReporter } from '../observability/delivery.reporter.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import type { OpenedQueueStore } from '../stores/queue-store.opener.js';
import { storeKindOf } from '../stores/queue-store.kind.js';
import { CustomerIORetryInterceptor } from '../transport/customerio-retry.interceptor.js';
import { BatchDispatcher } from './batch.dispatcher.js';
import { BatchSender } from './batch.sender.js';
import type { CustomerIOReceipt } from './customerio-receipt.js';
import { FlushScheduler } from './flush.scheduler.js';
import { OldestOperationAge } from './oldest-operation.age.js';
import { QueueAdmission } from './queue.admission.js';
import { QueueReporter } from './queue.reporter.js';

/** The queue's bound (see {@link CustomerIOQueue.limits}). */
export interface CustomerIOQueueLimits {
  /** Most operations held, queued and in flight (the `maxQueueSize` option). */
  readonly maxQueueSize: number;
  /** Most bytes held (the `maxQueueBytes` option). */
  readonly maxQueueBytes: number;
}

/** The id {@link CustomerIOQueue.probeStore} asks the store about: no operation has it (ids are ULIDs). */
const PROBE_ID = 'customerio:probe';

/**
 * Where the queue is in its life: `'running'` (it accepts operations), `'draining'` (shutdown began: it refuses new
 * ones and sends what it holds), `'stopped'` (shutdown's drain ended; what was left is settled).
 */
export type QueueLifecycle = 'running' | 'draining' | 'stopped';

/**
 * The batching queue: person operations wait here and go to Customer.io in `POST /api/v2/batch`
 * requests, sent on an interval (`customerio:flush` in the app's SchedulerRegistry, or a timer of its
 * own) and whenever a full batch is waiting. It is bounded in operations and bytes, keeps each person's
 * operations in order, and on shutdown sends what it holds within a deadline and reports the rest.
 * Every operation ends in one outcome, and every outcome but `delivered` reaches a hook, a counter and
 * a log line (see {@link DeliveryReporter}).
 *
 * It wires its parts, one role each: {@link QueueAdmission} (ids, bounds, overflow), {@link FlushScheduler}
 * (interval, flush, shutdown drain), {@link BatchDispatcher} (lease, send, outcome, retry) and
 * {@link QueueReporter} (stats, hooks, logs, receipts).
 */
@Injectable()
export class CustomerIOQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly #store: CustomerIOQueueStore;
  readonly #ownsStore: boolean;
  readonly #reporter: QueueReporter;
  readonly #admission: QueueAdmission;
  readonly #dispatcher: BatchDispatcher;
  readonly #scheduler: FlushScheduler;
  readonly #age: OldestOperationAge;
  readonly #retry: CustomerIORetryInterceptor;
  readonly #limits: CustomerIOQueueLimits;
  #lifecycle: QueueLifecycle = 'running';

  constructor(
    @Inject(CUSTOMERIO_RESOLVED_OPTIONS) { queue: options }: ResolvedCustomerIOOptions,
    @Inject(CUSTOMERIO_OPENED_QUEUE_STORE) { store, owned }: OpenedQueueStore,
    sender: BatchSender,
    reporter: DeliveryReporter,
    retry: CustomerIORetryInterceptor,
    @Optional() schedulerRegistry?: SchedulerRegistry,
  ) {
    this.#store = store;
    this.#ownsStore = owned;
    this.#retry = retry;
    this.#limits = { maxQueueSize: options.maxQueueSize, maxQueueBytes: options.maxQueueBytes };
    this.#reporter = new QueueReporter(reporter, store);
    this.#admission = new QueueAdmission(store, options, this.#reporter);
    this.#dispatcher = new BatchDispatcher(store, sender, this.#reporter, options);
    this.#age = new OldestOperationAge(store, () => this.#dispatcher.lastLeasedId);
    this.#scheduler = new FlushScheduler(
      store,
      this.#dispatcher,
      this.#reporter,
      options,
      this.#age,
      schedulerRegistry,
    );
    reporter.telemetry.watchQueue(() => this.stats);
  }

  /** Counters and gauges, as of now: a cheap synchronous read (see {@link CustomerIOQueueStats}). */
  get stats(): Readonly<CustomerIOQueueStats> {
    return {
      ...this.#reporter.delivery.stats,
      inFlight: this.#dispatcher.inFlightOperations,
      inFlightBatches: this.#dispatcher.inFlightBatches,
      queued: this.#store.size,
      queuedBytes: this.#store.bytes,
      oldestQueuedAgeMs: this.#age.ageMs(),
      circuit: this.#retry.circuit,
    };
  }

  /** The queue's bound: its `maxQueueSize` and `maxQueueBytes` options. */
  get limits(): CustomerIOQueueLimits {
    return this.#limits;
  }

  /**
   * Which store holds the queue: `'memory'`, `'sqlite'`, `'redis'` (the stores of `queue.store`, or instances of
   * these classes), or `'custom'` for a store of your own.
   */
  get storeKind(): CustomerIOStoreKind {
    return storeKindOf(this.#store);
  }

  /**
   * Asks the store a question it must answer from where it keeps operations (whether it holds an operation, with an
   * id no operation has): resolves once it answered, rejects when it failed. A health check of the store
   * (`CustomerIOHealthIndicator`): the Redis store answers from Redis, the SQLite store from its file.
   */
  async probeStore(): Promise<void> {
    await this.#store.has(PROBE_ID);
  }

  onApplicationBootstrap(): void {
    this.#scheduler.start();
  }

  /**
   * Queues one v2 operation (JSON, already checked, or a function writing it from the operation's id) and returns
   * at once. The operation's id is a ULID minted here for every call (monotonic within this process), never one
   * a caller chose: no store ever holds two operations with one id. Throws `CustomerIOValidationError` when
   * the operation is over 32 KB, and `CustomerIOQueueFullError` when the queue is full under
   * `overflow: 'reject'`, or closed. `key` orders operations: those of one key are delivered in order.
   * With OpenTelemetry tracing on, the operation remembers the span active now, and the span of the batch that sends
   * it links back to it: in this process's memory only, never in a durable store (see `DeliveryTracing`).
   */
  enqueue(key: string, json: string | ((operationId: string) => string)): CustomerIOReceipt {
    if (this.#lifecycle !== 'running') this.#admission.refuseClosed();
    const receipt = this.#admission.admit(key, json);
    this.#reporter.delivery.telemetry.linkEnqueued(receipt.id);
    if (this.#dispatcher.fullBatchWaiting()) this.#scheduler.sendFullSoon();
    return receipt;
  }

  /**
   * Sends everything queued now and resolves when it is settled — or when Customer.io is failing and
   * the rest must wait (it stays queued; see `stats`). Then writes the summed log lines, as a flush interval does.
   */
  flush(): Promise<void> {
    return this.#scheduler.flush();
  }

  /**
   * Stops accepting, sends what it can lease within `shutdownTimeoutMs`, and reports what is left as undelivered
   * (a durable store keeps it instead). While what is left is leased by other instances of a shared store (or
   * queued behind their leases), it looks again after a wait that doubles, up to a flush interval.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.#lifecycle !== 'running') return;
    this.#lifecycle = 'draining';
    const leasedAll = await this.#scheduler.drainForShutdown();
    this.#lifecycle = 'stopped';
    await this.#dispatcher.stop(leasedAll);
    this.#reporter.delivery.close();
    if (this.#ownsStore) await this.#store.close?.();
  }
}
