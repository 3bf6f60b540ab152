import { constants, type NodeGCPerformanceDetail, PerformanceObserver } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import { type LatencySummary, STEADY_FROM, type WayResult } from './protocol.js';

const MB = 1024 * 1024;

export const toMb = (bytes: number): number => bytes / MB;

/** The median of `values` (of an even count, the mean of the middle two). */
export function median(values: readonly number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The item whose value is the median of `items`' (of an even count, the lower of the middle two). */
export function medianItem<T>(items: readonly T[], value: (item: T) => number): T | undefined {
  const sorted = items.slice().sort((a, b) => value(a) - value(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The q-quantile (nearest rank) of `sorted`, values in ascending order. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** CPU time (user + system) used since `start`, in ms. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1_000;
}

/**
 * Time spent in garbage collection from `start()` on, in ms (V8's pauses, as PerformanceObserver reports them), the
 * collections `fullGc` forces left out.
 */
export class GcTimer {
  #ms = 0;
  readonly #observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // NOTE: a gc entry's detail (Node's typings leave it out of PerformanceEntry).
      const { flags } = (entry as unknown as { detail: NodeGCPerformanceDetail }).detail;
      if ((flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) === 0) this.#ms += entry.duration;
    }
  });

  start(): this {
    this.#observer.observe({ entryTypes: ['gc'] });
    return this;
  }

  /** Stops, once the entries of collections already done have been delivered; answers the total. */
  async stop(): Promise<number> {
    await setImmediate();
    this.#observer.disconnect();
    return this.#ms;
  }
}

/** The kernel's high-water mark of this process's RSS, in MB. */
export const maxRssMb = (): number => (process.resourceUsage().maxRSS * 1024) / MB;

/** Runs a full GC when node runs with `--expose-gc`; returns how long it took, in ns. */
export function fullGc(): bigint {
  const start = process.hrtime.bigint();
  globalThis.gc?.();
  return process.hrtime.bigint() - start;
}

/**
 * Peak RSS and heap, sampled every `intervalMs` by a timer — and by `sample()`, for code that keeps
 * the event loop busy (a timer cannot fire inside a synchronous loop).
 */
export class MemorySampler {
  peakRss = 0;
  peakHeap = 0;
  #timer?: NodeJS.Timeout;

  start(intervalMs = 20): this {
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
    return this;
  }

  sample(): void {
    const { rss, heapUsed } = process.memoryUsage();
    if (rss > this.peakRss) this.peakRss = rss;
    if (heapUsed > this.peakHeap) this.peakHeap = heapUsed;
  }

  stop(): void {
    this.sample();
    clearInterval(this.#timer);
  }
}

/** Per-call latencies in ns, kept in a preallocated array so that recording allocates nothing on the heap. */
export class LatencyRecorder {
  readonly #ns: Float64Array;

  constructor(size: number) {
    this.#ns = new Float64Array(size);
  }

  record(index: number, start: bigint, end: bigint): void {
    this.#ns[index] = Number(end - start);
  }

  summary(): LatencySummary {
    const all = percentiles(this.#ns);
    const steady = percentiles(this.#ns.subarray(Math.min(STEADY_FROM, this.#ns.length - 1)));
    let total = 0;
    for (const ns of this.#ns) total += ns;
    return {
      p50Us: all(0.5),
      p90Us: all(0.9),
      p99Us: all(0.99),
      p999Us: all(0.999),
      maxUs: all(1),
      meanUs: total / this.#ns.length / 1_000,
      steadyP50Us: steady(0.5),
      steadyP99Us: steady(0.99),
    };
  }
}

/** The q-quantile (nearest rank) of `ns`, in µs. */
function percentiles(ns: Float64Array): (q: number) => number {
  const sorted = Float64Array.from(ns).sort();
  return (q) => quantile(sorted, q) / 1_000;
}

/** The memory figures every way reports: RSS at the start, the sampled peaks, and the kernel's high-water mark. */
export function memoryFigures(
  rssStart: number,
  sampler: MemorySampler,
): Pick<WayResult, 'rssStartMb' | 'peakRssMb' | 'maxRssMb' | 'peakHeapMb'> {
  return {
    rssStartMb: toMb(rssStart),
    peakRssMb: toMb(sampler.peakRss),
    maxRssMb: maxRssMb(),
    peakHeapMb: toMb(sampler.peakHeap),
  };
}

/** Sends `message` to the parent process and exits once it is out. */
export function reportAndExit(message: unknown, code = 0): void {
  if (!process.send) {
    console.error('bench worker: no IPC channel (start it through `npm run bench`)');
    process.exit(1);
  }
  process.send(message, () => process.exit(code));
}
