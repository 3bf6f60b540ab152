import { Inject, Injectable } from '@nestjs/common';
import { CustomerIOSdkAdapter, type CustomerIOResponseBody } from '../transport/customerio-sdk.adapter.js';
import { abortedError, CustomerIOError } from '../errors/customerio.errors.js';
import { QUEUED_FOR_OTHER_API } from '../errors/customerio.messages.js';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import type { BatchLeaseGuard } from './batch-lease.guard.js';
import { OutboundPipeline } from '../transport/outbound-pipeline.service.js';
import { type QueuedRoute, queuedRoute, v1EventsBody } from './queued-operation.format.js';
import type { QueuedOperation } from '../interfaces/queue-store.interface.js';
import type { CustomerIOOutboundRequest } from '../interfaces/customerio-interceptor.interface.js';
import type { OutboundCall } from '../observability/outbound-call.context.js';

/** What became of some of a batch's operations. */
export type BatchOutcome =
  | { readonly outcome: 'delivered' | 'disabled'; readonly operations: QueuedOperation[] }
  | {
      readonly outcome: 'invalid';
      readonly operations: QueuedOperation[];
      readonly reason: string;
      readonly error?: CustomerIOError;
    }
  | { readonly outcome: 'failed' | 'retry'; readonly operations: QueuedOperation[]; readonly error: CustomerIOError };

const OPEN = '{"batch":[';
const CLOSE = ']}';
const COMMA = 0x2c;

/** Bytes of a v2 batch body around its operations: `{"batch":[` and `]}`. */
export const BATCH_ENVELOPE_BYTES = OPEN.length + CLOSE.length;

interface ItemError {
  batch_index?: number;
  reason?: string;
  field?: string;
  message?: string;
}

/** A route of a batch, and its operations. */
type Run = { readonly route: QueuedRoute; readonly operations: QueuedOperation[] };

/**
 * Sends operations as one `POST /api/v2/batch` (Track API) or `POST /v1/batch` (Pipelines API, in strict mode)
 * through the interceptor chain and sorts out what became of each: a 207 marks the items Customer.io named invalid and delivers the rest; a 400 or 413 for the
 * whole request is split in halves, sent one after the other, until the offending operations are
 * isolated; a retryable failure hands the operations back to the queue. No request starts, first or retry,
 * unless its `timeout` ends within the batch's lease (see {@link BatchLeaseGuard}).
 */
@Injectable()
export class BatchSender {
  readonly #timeoutMs: number;
  /** What each route's API lacks in this application's options, if anything (a durable queue may hold the other API's). */
  readonly #missing: Readonly<Record<QueuedRoute, string | undefined>>;

  constructor(
    private readonly pipeline: OutboundPipeline,
    private readonly sdk: CustomerIOSdkAdapter,
    @Inject(CUSTOMERIO_RESOLVED_OPTIONS) { timeoutMs, track, pipelinesKey }: ResolvedCustomerIOOptions,
  ) {
    this.#timeoutMs = timeoutMs;
    const trackMissing = track ? undefined : QUEUED_FOR_OTHER_API('Track', 'siteId and apiKey');
    const pipelinesMissing = pipelinesKey ? undefined : QUEUED_FOR_OTHER_API('Pipelines', 'pipelinesKey');
    this.#missing = { track: trackMissing, events: trackMissing, pipelines: pipelinesMissing, alias: pipelinesMissing };
  }

  /**
   * Sends the operations in runs of one route, in order (a batch's operations are in per-key order); once a run must
   * wait, so does everything after it.
   */
  async send(
    operations: QueuedOperation[],
    lease: BatchLeaseGuard,
    onRetry?: (error: CustomerIOError) => void,
  ): Promise<BatchOutcome[]> {
    const outcomes: BatchOutcome[] = [];
    const all = runs(operations);
    for (const [index, run] of all.entries()) {
      const sent = await this.#sendRun(run, lease, onRetry);
      outcomes.push(...sent);
      const waiting = sent.find((outcome) => outcome.outcome === 'retry');
      if (waiting?.outcome === 'retry' && index < all.length - 1) {
        const rest = all.slice(index + 1).flatMap((later) => later.operations);
        return [...outcomes, { outcome: 'retry', operations: rest, error: waiting.error }];
      }
    }
    return outcomes;
  }

  #sendRun({ route, operations }: Run, lease: BatchLeaseGuard, onRetry?: (error: CustomerIOError) => void) {
    const missing = this.#missing[route];
    if (missing)
      return Promise.resolve<BatchOutcome[]>([{ outcome: 'failed', operations, error: new CustomerIOError(missing) }]);
    // NOTE: neither an anonymous event (see anonymousEventOperation) nor an alias has a batch form: each goes alone.
    if (route === 'events' || route === 'alias') return this.#sendEach(route, operations, lease, onRetry);
    return this.#sendBatch(route, operations, lease, onRetry);
  }

  /**
   * Sends each operation alone, in order (an anonymous event to the Track API's `POST /api/v1/events`, an alias to the
   * Pipelines API's `POST /v1/alias`); once one must wait, so does the rest.
   */
  async #sendEach(
    route: 'events' | 'alias',
    operations: QueuedOperation[],
    lease: BatchLeaseGuard,
    onRetry?: (error: CustomerIOError) => void,
  ): Promise<BatchOutcome[]> {
    const { signal } = lease;
    const outcomes: BatchOutcome[] = [];
    for (const [index, operation] of operations.entries()) {
      const context: CustomerIOOutboundRequest = {
        kind: 'batch',
        operation: route === 'events' ? 'trackAnonymous' : 'alias',
        size: 1,
        signal,
        onRetry,
      };
      const call = this.pipeline.startCall(context, [operation.id]);
      try {
        await this.pipeline.send(
          context,
          () => {
            if (!lease.admit(this.#timeoutMs)) return Promise.reject(abortedError(signal));
            return route === 'events'
              ? this.sdk.postTrack('/api/v1/events', v1EventsBody(operation.json)!, signal)
              : this.sdk.postPipelines('/alias', operation.json, signal);
          },
          call,
        );
        outcomes.push({ outcome: 'delivered', operations: [operation] });
        endCall(call, [{ outcome: 'delivered', operations: [operation] }]);
      } catch (thrown) {
        const outcome = failureOutcome([operation], thrown, signal);
        endCall(call, [outcome], thrown);
        if (outcome.outcome === 'retry') return [...outcomes, { ...outcome, operations: operations.slice(index) }];
        outcomes.push(outcome);
      }
    }
    return outcomes;
  }

  async #sendBatch(
    route: 'track' | 'pipelines',
    operations: QueuedOperation[],
    lease: BatchLeaseGuard,
    onRetry?: (error: CustomerIOError) => void,
  ): Promise<BatchOutcome[]> {
    const body = batchBody(operations);
    const { signal } = lease;
    const context: CustomerIOOutboundRequest = {
      kind: 'batch',
      operation: 'batch',
      size: operations.length,
      signal,
      onRetry,
    };
    const call = this.pipeline.startCall(
      context,
      operations.map(({ id }) => id),
    );
    let response: CustomerIOResponseBody;
    try {
      response = await this.pipeline.send(
        context,
        () => {
          if (!lease.admit(this.#timeoutMs)) return Promise.reject(abortedError(signal));
          return route === 'track'
            ? this.sdk.postV2('batch', body, signal)
            : this.sdk.postPipelines('/batch', body, signal);
        },
        call,
      );
    } catch (thrown) {
      const outcome = failureOutcome(operations, thrown, signal);
      endCall(call, [outcome], thrown);
      return outcome.outcome === 'invalid' && operations.length > 1
        ? this.#split(route, operations, lease, onRetry)
        : [outcome];
    }
    const outcomes = itemOutcomes(operations, response);
    endCall(call, outcomes);
    return outcomes;
  }

  /** Sends each half in turn; once one half must wait, so does everything after it (order is kept). */
  async #split(
    route: 'track' | 'pipelines',
    operations: QueuedOperation[],
    lease: BatchLeaseGuard,
    onRetry?: (error: CustomerIOError) => void,
  ): Promise<BatchOutcome[]> {
    const middle = Math.ceil(operations.length / 2);
    const first = await this.#sendBatch(route, operations.slice(0, middle), lease, onRetry);
    const waiting = first.find((outcome) => outcome.outcome === 'retry');
    if (waiting?.outcome === 'retry') {
      return [...first, { outcome: 'retry', operations: operations.slice(middle), error: waiting.error }];
    }
    return [...first, ...(await this.#sendBatch(route, operations.slice(middle), lease, onRetry))];
  }
}

/** Ends the recording of a send with how its operations did (`error`: why the request got no 2xx answer). */
function endCall(call: OutboundCall, outcomes: readonly BatchOutcome[], error?: unknown): void {
  if (!call.recording) return;
  call.end(
    outcomes.map(({ outcome, operations }) => ({ outcome, count: operations.length })),
    error,
  );
}

/** What a failed request means for its operations: retry later, invalid (400, 413: Customer.io refused them), or failed. */
function failureOutcome(operations: QueuedOperation[], thrown: unknown, signal: AbortSignal): BatchOutcome {
  const error = thrown instanceof CustomerIOError ? thrown : new CustomerIOError(String(thrown));
  if (error.retryable || signal.aborted) return { outcome: 'retry', operations, error };
  if (error.status !== 400 && error.status !== 413) return { outcome: 'failed', operations, error };
  return { outcome: 'invalid', operations, reason: error.errors.join('; ') || error.message, error };
}

/**
 * The operations in as few runs of one route as per-key order allows: each joins the first run of its route that
 * comes no earlier than the last run holding an operation of its key (so a key's operations stay in order).
 */
function runs(operations: QueuedOperation[]): Run[] {
  // NOTE: a batch is almost always of one route: then it is one run, with no bookkeeping per key.
  if (operations.length === 0) return [];
  const route = queuedRoute(operations[0].json);
  if (operations.every((operation) => queuedRoute(operation.json) === route)) return [{ route, operations }];
  const all: Run[] = [];
  const lastRunOfKey = new Map<string, number>();
  for (const operation of operations) {
    const route = queuedRoute(operation.json);
    const earliest = lastRunOfKey.get(operation.key) ?? 0;
    let index = all.findIndex((run, at) => at >= earliest && run.route === route);
    if (index === -1) index = all.push({ route, operations: [] }) - 1;
    all[index].operations.push(operation);
    lastRunOfKey.set(operation.key, index);
  }
  return all;
}

/** `{"batch":[op,op,…]}` (both APIs' batch), each operation encoded once, straight into the body. */
function batchBody(operations: readonly QueuedOperation[]): Buffer {
  let total = BATCH_ENVELOPE_BYTES - 1;
  for (const operation of operations) total += operation.bytes + 1;
  const body = Buffer.allocUnsafe(total);
  let offset = body.write(OPEN);
  for (let index = 0; index < operations.length; index++) {
    // NOTE: the comma as a byte: a write() each cost a quarter of the body's time.
    if (index > 0) body[offset++] = COMMA;
    offset += body.write(operations[index].json, offset);
  }
  body.write(CLOSE, offset);
  return body;
}

/** A 2xx answer: items named in `errors` (a 207) are invalid, the rest delivered. */
function itemOutcomes(operations: QueuedOperation[], response: CustomerIOResponseBody): BatchOutcome[] {
  const errors = Array.isArray(response.errors) ? (response.errors as ItemError[]) : [];
  const reasons = new Map<number, string[]>();
  for (const { batch_index: index, reason, field, message } of errors) {
    if (typeof index !== 'number' || !operations[index]) continue;
    const text = [reason, field && `field ${field}`, message].filter(Boolean).join(': ');
    reasons.set(index, [...(reasons.get(index) ?? []), text]);
  }
  const outcomes: BatchOutcome[] = [];
  const delivered = reasons.size === 0 ? operations : operations.filter((_, index) => !reasons.has(index));
  if (delivered.length) outcomes.push({ outcome: 'delivered', operations: delivered });
  for (const [index, texts] of reasons) {
    outcomes.push({ outcome: 'invalid', operations: [operations[index]], reason: texts.join('; ') });
  }
  return outcomes;
}
