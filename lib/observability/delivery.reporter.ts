import { Inject, Injectable } from '@nestjs/common';
import type { CustomerIOError } from '../errors/customerio.errors.js';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import { failureMessage, REPORT_LINE, SUMMARY_LINES } from '../errors/customerio.messages.js';
import { CustomerIOTelemetry } from './customerio.telemetry.js';
import { CustomerIOLogger, shownIds } from './customerio.logger.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import type { CustomerIOQueueStats } from '../interfaces/customerio-queue-stats.interface.js';
import type {
  CustomerIODeliveryHooks,
  CustomerIODeliveryOutcome,
  CustomerIODeliveryReport,
} from '../interfaces/delivery-options.interface.js';

/** The counters of `CustomerIOQueueStats`: its gauges (`inFlight`, `queued`, …) are the queue's to read. */
export type DeliveryCounters = Omit<
  CustomerIOQueueStats,
  'inFlight' | 'inFlightBatches' | 'queued' | 'queuedBytes' | 'oldestQueuedAgeMs' | 'circuit'
>;

/** Failures summed into one log line a flush interval rather than logged one by one. */
export type SummaryKind = keyof typeof SUMMARY_LINES;

/** User code the module calls, whose failures it counts and sums instead of letting them through. */
export type UserCodeKind = 'hook' | 'interceptor' | 'decorator';

const OUTCOME_HOOK: Record<CustomerIODeliveryOutcome, keyof CustomerIODeliveryHooks> = {
  delivered: 'onDelivered',
  disabled: 'onDelivered',
  invalid: 'onFailed',
  failed: 'onFailed',
  undelivered: 'onFailed',
  dropped: 'onDropped',
  rejected: 'onDropped',
};

/** Whether `value` is a promise (or any thenable): what user code returns when it is async. */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof (value as PromiseLike<unknown>).then === 'function';

/**
 * What the module tells about delivery: the counters of `stats`, the hooks, OpenTelemetry metrics, and the log lines (context
 * `CustomerIO`). Outcomes that can come by the thousand (drops, rejections, failed appends) and failures of
 * user code (hooks, interceptors, decorators) are summed, and written as one line per kind by
 * {@link DeliveryReporter.writeSummary}: on every flush interval, at the end of `flush()` and at shutdown.
 * User code's failures are caught here and never reach the queue or the process.
 */
@Injectable()
export class DeliveryReporter {
  /** The module's logger, at the level of `logLevel`: the queue's parts log through it too. */
  readonly logger: CustomerIOLogger;
  readonly #hooks: CustomerIODeliveryHooks;
  /** The counters of `stats` since the application started. */
  readonly stats: DeliveryCounters = {
    enqueued: 0,
    delivered: 0,
    disabled: 0,
    invalid: 0,
    failed: 0,
    rejected: 0,
    dropped: 0,
    undelivered: 0,
    retried: 0,
    hookErrors: 0,
    interceptorErrors: 0,
    decoratorErrors: 0,
  };
  /** OpenTelemetry metrics and traces (see {@link CustomerIOTelemetry}). */
  readonly telemetry = new CustomerIOTelemetry();
  /** Failures summed since the last summary, by kind: how many, and the last one's message. */
  readonly #unlogged = new Map<SummaryKind, { count: number; last: string }>();
  /**
   * How failures of a summed kind are logged: `'summed'`, one line per kind each flush interval; `'at-once'` after
   * the queue wrote its last summary at shutdown ({@link close}), when no interval is left to write them.
   */
  #logging: 'summed' | 'at-once' = 'summed';

  constructor(@Inject(CUSTOMERIO_RESOLVED_OPTIONS) options: ResolvedCustomerIOOptions) {
    this.#hooks = options.hooks;
    this.logger = new CustomerIOLogger(options.logLevel);
  }

  /**
   * Counts operations that reached `outcome`, logs them (every outcome but `delivered` and `disabled`: at once, with their
   * ids, or summed into `summary`'s line) and calls the outcome's hook.
   */
  outcome(
    outcome: CustomerIODeliveryOutcome,
    ids: readonly string[],
    reason?: string,
    error?: CustomerIOError,
    summary?: SummaryKind,
  ): void {
    this.stats[outcome] += ids.length;
    this.telemetry.countOutcome(outcome, ids, error);
    if (outcome !== 'delivered' && outcome !== 'disabled') {
      if (error) this.stats.lastError = error.message;
      if (summary) this.summarize(summary, reason ?? outcome, ids.length);
      else
        this.logger.warn(REPORT_LINE(outcome, ids, reason), {
          event: 'customerio.outcome',
          outcome,
          count: ids.length,
          ids: shownIds(ids),
          ...(reason === undefined ? {} : { reason }),
        });
    }
    this.#callHook(OUTCOME_HOOK[outcome], { outcome, ids, reason, error });
  }

  /** Counts an operation the queue accepted. */
  countEnqueued(): void {
    this.stats.enqueued += 1;
  }

  /** Counts `count` operations sent again (a batch's retry). */
  countRetried(count: number): void {
    this.stats.retried += count;
  }

  /** Keeps `error` as the last one a batch met (see `CustomerIOQueueStats.lastError`), with no outcome reached. */
  recordError(error: CustomerIOError): void {
    this.stats.lastError = error.message;
  }

  /** Counts a failure of user code (`what` names it, e.g. `onDelivered`) and sums it into its kind's line. */
  userCodeFailed(kind: UserCodeKind, what: string, error: unknown): void {
    this.stats[`${kind}Errors`] += 1;
    this.summarize(kind, `${what}: ${failureMessage(error)}`);
  }

  /** Writes one line for each kind of failure summed since the last call. */
  writeSummary(): void {
    for (const [kind, { count, last }] of this.#unlogged)
      this.logger.warn(SUMMARY_LINES[kind](count, last), { event: 'customerio.summary', kind, count, last });
    this.#unlogged.clear();
  }

  /** Writes the last summary; failures that still come (a hook's promise rejecting late) are then logged one by one. */
  close(): void {
    this.writeSummary();
    this.#logging = 'at-once';
    this.telemetry.close();
  }

  /** Sums `count` failures of `kind` into its next line, `message` the last one's. */
  summarize(kind: SummaryKind, message: string, count = 1): void {
    const entry = this.#unlogged.get(kind);
    if (entry) {
      entry.count += count;
      entry.last = message;
    } else {
      this.#unlogged.set(kind, { count, last: message });
    }
    if (this.#logging === 'at-once') this.writeSummary();
  }

  #callHook(hook: keyof CustomerIODeliveryHooks, report: CustomerIODeliveryReport): void {
    const failed = (error: unknown) => this.userCodeFailed('hook', hook, error);
    try {
      const returned: unknown = this.#hooks[hook]?.(report);
      if (isThenable(returned)) returned.then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  }
}
