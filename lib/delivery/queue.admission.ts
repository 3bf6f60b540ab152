import { CustomerIOError, CustomerIOQueueFullError, CustomerIOValidationError } from '../errors/customerio.errors.js';
import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import {
  NOT_STORED,
  OPERATION_TOO_LARGE,
  QUEUE_CLOSED,
  QUEUE_FULL,
  STORE_DROP_FAILED,
} from '../errors/customerio.messages.js';
import type { ResolvedQueueOptions } from '../options/resolved-options.interface.js';
import type {
  AppendResult,
  AppendResults,
  CustomerIOQueueStore,
  MaybePromise,
  QueuedOperation,
} from '../interfaces/queue-store.interface.js';
import { BATCH_ENVELOPE_BYTES } from './batch.sender.js';
import { CustomerIOReceipt } from './customerio-receipt.js';
import { createOperationIdFactory } from './operation-id.js';
import { type AppendAnswers, appendResultOf, PendingAppends } from './pending-appends.js';
import type { QueueReporter } from './queue.reporter.js';
import type { ReceiptRegistry } from './receipt.registry.js';

/** The queue options admission reads. */
export type AdmissionOptions = Pick<
  ResolvedQueueOptions,
  'maxQueueSize' | 'maxQueueBytes' | 'overflow' | 'maxBatchBytes'
>;

/**
 * What `drop-oldest` made of a full queue: `'made'` room (it dropped one), found `'none'` to drop, or left it
 * for `'later'`: the new operation goes in now and the store makes room (see {@link QueueAdmission}).
 */
type Room = 'made' | 'none' | 'later';

/**
 * The queue's admission part: mints each operation's id, refuses an operation over the size limit, and keeps the
 * queue within `maxQueueSize` and `maxQueueBytes` by its `overflow` policy — `'reject'` throws
 * {@link CustomerIOQueueFullError}, `'drop-oldest'` drops the oldest queued operations — or lets the store keep
 * the bound, when it enforces it itself (see `CustomerIOQueueStore.enforceBound`). Each refusal and drop is
 * reported (`rejected`, `dropped`), and so is an append the store failed (`failed`).
 */
export class QueueAdmission {
  readonly #store: CustomerIOQueueStore;
  readonly #options: AdmissionOptions;
  readonly #reporter: QueueReporter;
  readonly #receipts: ReceiptRegistry;
  readonly #nextId = createOperationIdFactory();
  /** Who keeps the bound: the store (it drops and refuses with the append), or this admission. */
  readonly #bound: 'store' | 'admission';
  /** Most bytes of one operation: Customer.io's limit, and what fits in a batch of `maxBatchBytes`. */
  readonly #operationLimit: number;
  /** The appends answered with the store's last promise, while it is awaited. */
  #pending?: PendingAppends;

  constructor(store: CustomerIOQueueStore, options: AdmissionOptions, reporter: QueueReporter) {
    this.#store = store;
    this.#options = options;
    this.#reporter = reporter;
    this.#receipts = reporter.receipts;
    this.#bound = typeof store.enforceBound === 'function' ? 'store' : 'admission';
    this.#operationLimit = Math.min(
      CUSTOMERIO_LIMITS.batchOperationBytes,
      options.maxBatchBytes - BATCH_ENVELOPE_BYTES - 1,
    );
    const { maxQueueSize, maxQueueBytes, overflow } = options;
    store.enforceBound?.({ maxQueueSize, maxQueueBytes, overflow });
  }

  /**
   * Appends one v2 operation (JSON, already checked, or a function writing it from the operation's id) to the
   * store. The operation's id is a ULID minted here for every call (monotonic within this process), never one a
   * caller chose: no store ever holds two operations with one id. Throws {@link CustomerIOValidationError} when the
   * operation is over the size limit, and {@link CustomerIOQueueFullError} when the queue is full under
   * `overflow: 'reject'`.
   */
  admit(key: string, json: string | ((operationId: string) => string)): CustomerIOReceipt {
    const id = this.#nextId();
    const text = typeof json === 'string' ? json : json(id);
    const bytes = Buffer.byteLength(text);
    const limit = this.#operationLimit;
    if (bytes > limit)
      throw new CustomerIOValidationError('operation', `${limit} bytes`, OPERATION_TOO_LARGE(bytes, limit));
    while (this.#store.size >= this.#options.maxQueueSize || this.#store.bytes + bytes > this.#options.maxQueueBytes) {
      const room = this.#options.overflow === 'drop-oldest' ? this.#dropOldest() : 'none';
      if (room === 'none') this.#refuse(QUEUE_FULL(this.#options.maxQueueSize, this.#options.maxQueueBytes), id);
      if (room === 'later') break;
    }
    const appended = this.#store.append({ id, key, json: text, bytes, attempts: 0 });
    this.#reporter.delivery.countEnqueued();
    // NOTE: the epoch before the append's answer: an append refused at once settles the operation.
    const epoch = this.#receipts.epoch;
    return new CustomerIOReceipt(id, this.#receipts, epoch, this.#settleAppend(appended, id));
  }

  /** Refuses a new operation because the queue is closed (shutting down): reported `rejected`, and thrown. */
  refuseClosed(): never {
    this.#refuse(QUEUE_CLOSED(), this.#nextId());
  }

  /** Drops the oldest queued operation to make room (see {@link Room}). */
  #dropOldest(): Room {
    // NOTE: a store that enforces the bound drops with the append (see #settleAppend).
    if (this.#bound === 'store') return 'later';
    this.#receipts.advanceEpoch();
    const dropped = this.#store.dropOldest();
    if (dropped instanceof Promise) {
      // NOTE: a store answering asynchronously drops after the append, so the bound can be passed by the drops under way.
      dropped.then(
        (operation) => operation && this.#reportDropped([operation]),
        (error: unknown) =>
          this.#reporter.delivery.logger.error(STORE_DROP_FAILED(error), {
            event: 'customerio.store.error',
            action: 'drop',
          }),
      );
      return 'later';
    }
    if (!dropped) return 'none';
    this.#reportDropped([dropped]);
    return 'made';
  }

  #reportDropped(operations: readonly (QueuedOperation | string)[]): void {
    this.#reporter.report('dropped', operations, 'queue full (overflow: drop-oldest)', undefined, 'dropped');
  }

  #reportRejected(message: string, id: string): CustomerIOQueueFullError {
    const error = new CustomerIOQueueFullError(message);
    this.#reporter.report('rejected', [id], message, error, 'rejected');
    return error;
  }

  #refuse(message: string, id: string): never {
    throw this.#reportRejected(message, id);
  }

  /**
   * Reports what the store's append of `id` answered, now or once it settles: refused (a store that enforces
   * the bound), operations dropped to make room for it, or a failure. Answers what the receipt's `stored`
   * settles with: nothing (held now), the error of a refusal now, or the pending appends it is answered with.
   */
  #settleAppend(
    result: MaybePromise<void | AppendResult | AppendResults>,
    id: string,
  ): PendingAppends | CustomerIOError | undefined {
    if (!(result instanceof Promise)) return this.#applyAppend(appendResultOf(result, id), id);
    // NOTE: a store answering a batch of appends with one promise gets one handler for the batch, not one each.
    let pending = this.#pending;
    if (pending?.answer !== result || !pending.open)
      this.#pending = pending = new PendingAppends(result, this.#answers);
    return pending.add(id);
  }

  /** What the queue makes of the answer to an append (see {@link PendingAppends}). */
  readonly #answers: AppendAnswers = {
    applied: (result, id) => this.#applyAppend(result, id),
    failed: (error, id) => {
      this.#receipts.advanceEpoch();
      const failure = new CustomerIOError(NOT_STORED(id, error));
      this.#reporter.report('failed', [id], `store: ${String(error)}`, failure, 'append');
      return failure;
    },
  };

  /** Reports refusals and drops an append answered; answers the error of a refusal. */
  #applyAppend(result: AppendResult | undefined, id: string): CustomerIOQueueFullError | undefined {
    if (!result?.rejected && !result?.droppedIds?.length) return undefined;
    this.#receipts.advanceEpoch();
    if (result.droppedIds?.length) this.#reportDropped(result.droppedIds);
    return result.rejected
      ? this.#reportRejected(QUEUE_FULL(this.#options.maxQueueSize, this.#options.maxQueueBytes), id)
      : undefined;
  }
}
