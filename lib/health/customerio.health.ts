import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { CustomerIOQueue } from '../delivery/customerio-queue.service.js';
import type { CustomerIOCircuitState } from '../interfaces/customerio-queue-stats.interface.js';
import type { CustomerIOStoreKind } from '../interfaces/queue-store.interface.js';
import { CustomerIORetryInterceptor } from '../transport/customerio-retry.interceptor.js';
import { type CustomerIOHealthThresholds, DEFAULT_HEALTH_THRESHOLDS } from './customerio-health.thresholds.js';

/** What a Customer.io health check reports under its key, besides its `status`. */
export interface CustomerIOHealthDetails {
  /** Operations held, queued and in flight (`stats.queued`). */
  queued: number;
  /** Bytes held (`stats.queuedBytes`). */
  queuedBytes: number;
  /** Operations in batches in flight (`stats.inFlight`). */
  inFlight: number;
  /** Age in ms of the oldest operation held (`stats.oldestQueuedAgeMs`). */
  oldestQueuedAgeMs: number;
  /** The circuit breaker's state (`stats.circuit`). */
  circuit: CustomerIOCircuitState;
  /** How long the circuit has been open or half-open without closing, in ms; absent while closed. */
  circuitOpenMs?: number;
  /** Which store holds the queue. */
  store: CustomerIOStoreKind;
  /** How long the store took to answer the check's read, in ms; absent when it did not answer. */
  storeResponseMs?: number;
  /** The last error a batch met (`stats.lastError`): its message, which never holds the API key. */
  lastError?: string;
  /** Why the check is degraded or down, one phrase a threshold; absent when up. */
  reasons?: string[];
}

/** What the store's read answered: in how long, or how it failed. */
type StoreAnswer = { readonly ms: number } | { readonly failure: string };

/**
 * A health indicator for `@nestjs/terminus` 12 (an optional peer: this entry, `nestjs-customerio/health`, is the only
 * one that imports it). Provide it in a module that imports `TerminusModule` and sees `CustomerIOModule` (imports it,
 * or `isGlobal`), and check it from a health controller:
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.customerio.isHealthy('customerio')]); }
 * ```
 *
 * It reads `stats` and asks the queue's store one question (see `CustomerIOQueue.probeStore`); it sends nothing to
 * Customer.io. See {@link CustomerIOHealthIndicator.isHealthy} for the states.
 */
@Injectable()
export class CustomerIOHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly queue: CustomerIOQueue,
    private readonly retry: CustomerIORetryInterceptor,
  ) {}

  /**
   * The health of delivery to Customer.io, under `key`:
   *
   * - **up**: the circuit is closed, the backlog young, the queue below its fill ratio and the store quick.
   * - **degraded** (HTTP 200; the overall status is `degraded`): the circuit is open or half-open (for less than
   *   `downCircuitOpenMs`), the oldest operation is older than `degradedBacklogAgeMs`, the queue is fuller than
   *   `degradedFillRatio`, or the store took `degradedStoreMs` or more to answer.
   * - **down** (HTTP 503 from `HealthCheckService.check`): the circuit has been open for `downCircuitOpenMs`, the
   *   oldest operation is older than `downBacklogAgeMs`, or the store failed or did not answer within `storeTimeoutMs`.
   *
   * The details ({@link CustomerIOHealthDetails}) tell the queue's gauges, the circuit, the store and the reasons.
   */
  async isHealthy<const TKey extends string = 'customerio'>(
    key: TKey = 'customerio' as TKey,
    thresholds: CustomerIOHealthThresholds = {},
  ) {
    const limits = { ...DEFAULT_HEALTH_THRESHOLDS };
    for (const [name, value] of Object.entries(thresholds) as [keyof CustomerIOHealthThresholds, number][])
      if (value !== undefined) limits[name] = value;
    const answer = await this.#askStore(limits.storeTimeoutMs);
    const stats = this.queue.stats;
    const openSince = this.retry.circuitOpenSince;
    const circuitOpenMs = stats.circuit === 'closed' || openSince === undefined ? undefined : Date.now() - openSince;
    const down: string[] = [];
    const degraded: string[] = [];

    if ('failure' in answer) down.push(answer.failure);
    else if (answer.ms >= limits.degradedStoreMs) degraded.push(`store answered in ${answer.ms} ms`);
    if (stats.circuit !== 'closed') {
      const open = `circuit ${stats.circuit}${circuitOpenMs === undefined ? '' : ` for ${circuitOpenMs} ms`}`;
      (circuitOpenMs !== undefined && circuitOpenMs >= limits.downCircuitOpenMs ? down : degraded).push(open);
    }
    const age = stats.oldestQueuedAgeMs;
    if (age >= limits.downBacklogAgeMs) down.push(`oldest operation queued ${age} ms ago`);
    else if (age >= limits.degradedBacklogAgeMs) degraded.push(`oldest operation queued ${age} ms ago`);
    const { maxQueueSize, maxQueueBytes } = this.queue.limits;
    const fill = Math.max(stats.queued / maxQueueSize, stats.queuedBytes / maxQueueBytes);
    if (fill >= limits.degradedFillRatio) degraded.push(`queue ${Math.round(fill * 100)}% full`);

    const details: CustomerIOHealthDetails = {
      queued: stats.queued,
      queuedBytes: stats.queuedBytes,
      inFlight: stats.inFlight,
      oldestQueuedAgeMs: age,
      circuit: stats.circuit,
      ...(circuitOpenMs !== undefined && { circuitOpenMs }),
      store: this.queue.storeKind,
      ...('ms' in answer && { storeResponseMs: answer.ms }),
      ...(stats.lastError !== undefined && { lastError: stats.lastError }),
    };
    const session = this.health.check(key);
    if (down.length > 0) return session.down({ ...details, reasons: [...down, ...degraded] });
    if (degraded.length > 0) return session.degraded({ ...details, reasons: degraded });
    return session.up({ ...details });
  }

  /** Asks the store one question, waiting at most `timeoutMs`. */
  async #askStore(timeoutMs: number): Promise<StoreAnswer> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<StoreAnswer>((resolve) => {
      timer = setTimeout(() => resolve({ failure: `store did not answer within ${timeoutMs} ms` }), timeoutMs);
    });
    const read = this.queue.probeStore().then(
      (): StoreAnswer => ({ ms: Math.round(performance.now() - started) }),
      (error: unknown): StoreAnswer => ({
        failure: `store failed: ${error instanceof Error ? error.message : String(error)}`,
      }),
    );
    try {
      return await Promise.race([read, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
