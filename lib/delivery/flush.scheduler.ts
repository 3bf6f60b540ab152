import type { SchedulerRegistry } from '@nestjs/schedule';
import { CUSTOMERIO_FLUSH_INTERVAL } from '../customerio.constants.js';
import type { CustomerIOQueueStore } from '../interfaces/queue-store.interface.js';
import type { ResolvedQueueOptions } from '../options/resolved-options.interface.js';
import type { BatchDispatcher } from './batch.dispatcher.js';
import type { QueueReporter } from './queue.reporter.js';

/** The queue options the scheduler reads. */
export type ScheduleOptions = Pick<ResolvedQueueOptions, 'flushIntervalMs' | 'shutdownTimeoutMs'>;

/** Shutdown's first wait for what other instances hold in a shared store; it doubles, up to a flush interval. */
const SHUTDOWN_FIRST_WAIT_MS = 50;

/**
 * Where the flush interval runs: in the application's SchedulerRegistry (as `customerio:flush`), or on a timer of
 * the scheduler's own (no ScheduleModule in the application, or the name already taken); none before
 * {@link FlushScheduler.start} and after {@link FlushScheduler.drainForShutdown}.
 */
type FlushInterval = { readonly where: 'registry' } | { readonly where: 'own'; readonly timer: NodeJS.Timeout };

/**
 * The queue's scheduling part: when batches are sent. Every flush interval (a tick) it writes the summed log
 * lines, sends everything waiting and collects the outcomes other instances reached; a full batch waiting is sent
 * at once (on the next turn of the event loop); `flush()` sends everything now; and shutdown sends what it can
 * within `shutdownTimeoutMs`.
 */
export class FlushScheduler {
  readonly #store: CustomerIOQueueStore;
  readonly #dispatcher: BatchDispatcher;
  readonly #reporter: QueueReporter;
  readonly #options: ScheduleOptions;
  readonly #registry?: SchedulerRegistry;
  #interval?: FlushInterval;
  /** The send of full batches asked for in this turn of the event loop, if any. */
  #pendingSend?: NodeJS.Immediate;

  constructor(
    store: CustomerIOQueueStore,
    dispatcher: BatchDispatcher,
    reporter: QueueReporter,
    options: ScheduleOptions,
    registry?: SchedulerRegistry,
  ) {
    this.#store = store;
    this.#dispatcher = dispatcher;
    this.#reporter = reporter;
    this.#options = options;
    this.#registry = registry;
  }

  /** Starts the flush interval, and sends what the store holds already (what a durable store kept from a previous run). */
  start(): void {
    const timer = setInterval(() => this.tick(), this.#options.flushIntervalMs);
    if (this.#registry && !this.#registry.doesExist('interval', CUSTOMERIO_FLUSH_INTERVAL)) {
      this.#registry.addInterval(CUSTOMERIO_FLUSH_INTERVAL, timer);
      this.#interval = { where: 'registry' };
    } else {
      this.#interval = { where: 'own', timer };
    }
    if (this.#store.size > 0) this.#dispatcher.sendAll();
  }

  /** One flush interval: writes the summed log lines, sends everything waiting, collects shared outcomes. */
  tick(): void {
    this.#dispatcher.resume();
    this.#reporter.delivery.writeSummary();
    this.#dispatcher.sendAll();
    this.#reporter.receipts.collect();
  }

  /** Sends the full batches waiting, on the next turn of the event loop (once, however many ask in this one). */
  sendFullSoon(): void {
    if (this.#pendingSend) return;
    this.#pendingSend = setImmediate(() => {
      this.#pendingSend = undefined;
      this.#dispatcher.sendFull();
    });
  }

  /**
   * Sends everything queued now and resolves when it is settled — or when Customer.io is failing and the rest
   * must wait (it stays queued). Then writes the summed log lines, as a tick does.
   */
  async flush(): Promise<void> {
    for (;;) {
      this.#dispatcher.resume();
      const before = this.#store.size;
      await this.#dispatcher.drain();
      if (this.#store.size === 0 || this.#dispatcher.gate === 'holding' || this.#store.size >= before) break;
    }
    this.#reporter.delivery.writeSummary();
  }

  /**
   * Stops the interval and sends what can be leased within `shutdownTimeoutMs`. While what is left is leased by
   * other instances of a shared store (or queued behind their leases), it looks again after a wait that doubles,
   * up to a flush interval. Answers whether the last drain leased all it could: it ended (did not run into the
   * deadline) with the gate open and the store readable.
   */
  async drainForShutdown(): Promise<boolean> {
    this.#stopInterval();
    const { flushIntervalMs, shutdownTimeoutMs } = this.#options;
    const deadline = Date.now() + shutdownTimeoutMs;
    let othersWait = SHUTDOWN_FIRST_WAIT_MS;
    let leasedAll = false;
    while (this.#store.size > 0 && Date.now() < deadline) {
      this.#dispatcher.resume();
      let idle = false;
      await raceTimeout(
        this.#dispatcher.drain().then(() => void (idle = true)),
        deadline - Date.now(),
      );
      const holding = this.#dispatcher.gate === 'holding';
      leasedAll = idle && !holding && this.#dispatcher.leaseHealth === 'readable';
      if (this.#store.size === 0) break;
      // NOTE: what a drain that leased all it could left is held by other instances.
      const pause = holding ? flushIntervalMs : othersWait;
      if (!holding) othersWait = Math.min(othersWait * 2, flushIntervalMs);
      await raceTimeout(undefined, Math.min(pause, deadline - Date.now()));
    }
    return leasedAll;
  }

  #stopInterval(): void {
    if (this.#interval?.where === 'own') clearInterval(this.#interval.timer);
    else if (this.#registry?.doesExist('interval', CUSTOMERIO_FLUSH_INTERVAL)) {
      this.#registry.deleteInterval(CUSTOMERIO_FLUSH_INTERVAL);
    }
    this.#interval = undefined;
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
