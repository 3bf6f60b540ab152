import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, context, type ContextManager, metrics, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** A metric reader that collects when asked (the test's "scrape"). */
class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The real OpenTelemetry metrics SDK, registered as the process's global meter provider (replacing any before):
 * `collect()` reads every metric of the meter `nestjs-customerio` by name.
 */
export async function registerMeterProvider(): Promise<{ collect(): Promise<Map<string, MetricData>> }> {
  const reader = new CollectingReader();
  metrics.disable();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return {
    async collect() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length) throw new Error(`collection failed: ${errors.map(String).join('; ')}`);
      const scope = resourceMetrics.scopeMetrics.find(({ scope }) => scope.name === 'nestjs-customerio');
      return new Map((scope?.metrics ?? []).map((metric) => [metric.descriptor.name, metric]));
    },
  };
}

/** The value of the data point whose attributes include `attributes` (one at most), or undefined. */
export function pointWith<T>(metric: MetricData | undefined, attributes: Record<string, unknown>): T | undefined {
  const points = (metric?.dataPoints ?? []) as DataPoint<T>[];
  const found = points.filter((point) => Object.entries(attributes).every(([k, v]) => point.attributes[k] === v));
  if (found.length > 1) throw new Error(`${found.length} points match ${JSON.stringify(attributes)}`);
  return found[0]?.value;
}

/** The sum of a counter's points whose attributes include `attributes`. */
export function sumWith(metric: MetricData | undefined, attributes: Record<string, unknown>): number {
  return ((metric?.dataPoints ?? []) as DataPoint<number>[])
    .filter((point) => Object.entries(attributes).every(([k, v]) => point.attributes[k] === v))
    .reduce((sum, point) => sum + point.value, 0);
}

/** How many values a histogram recorded in its points whose attributes include `attributes`. */
export function countWith(metric: MetricData | undefined, attributes: Record<string, unknown>): number {
  return ((metric?.dataPoints ?? []) as DataPoint<Histogram>[])
    .filter((point) => Object.entries(attributes).every(([k, v]) => point.attributes[k] === v))
    .reduce((sum, point) => sum + point.value.count, 0);
}

/**
 * A context manager on AsyncLocalStorage, so that `context.with(trace.setSpan(...), fn)` makes a span active in
 * `fn` (what @opentelemetry/context-async-hooks does; not a dependency of the project).
 */
class AsyncLocalContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    active: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(active, () => fn.apply(thisArg, args));
  }
  bind<T>(_active: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

/**
 * The real OpenTelemetry tracing SDK (a `BasicTracerProvider` exporting every span to memory at its end),
 * registered as the process's global tracer provider, with a context manager.
 */
export function registerTracerProvider(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  trace.disable();
  context.disable();
  context.setGlobalContextManager(new AsyncLocalContextManager());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  return exporter;
}
