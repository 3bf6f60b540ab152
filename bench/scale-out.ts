import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { busyShare, machineCpu, redisCpuMs } from './cpu-counters.js';
import { benchRounds } from './parts.js';
import {
  type FromInstance,
  type InstanceResult,
  SCALE_OUT_EVENTS,
  type SinkInfo,
  type StoreSpec,
  type ToInstance,
} from './protocol.js';
import { fixed, line } from './report.js';
import { eventsPerS, printScaleOut, type ScaleOutRun } from './scale-out-report.js';
import { askSink, type Sink, sinkTotals, startSink, verifySink } from './sink-control.js';
import { startRedis } from './redis-server.js';
import { connectRedis, prepareStore, REDIS_URL } from './store-setup.js';
import { benchError, skipRatio } from './targets.js';

// `npm run bench`, part `scale-out`: 1, 2 and 3 application instances sharing one Redis queue. Each instance is a
// process of its own (scale-out-instance.ts: a Nest app with CustomerIOModule and a RedisQueueStore, every instance
// on the same prefix), SCALE_OUT_EVENTS split between them (the same in all), delivered to one sink. The aggregate
// rate runs from `go` (sent to every instance at once, once all are warm) to the arrival of the last request at the
// sink. Beside it, what could bound it on this machine: the instances', redis-server's and the sink's CPU, and the
// machine's (its cores are shared by all of them, and by whatever else runs). BENCH_ROUNDS rounds of the three runs,
// in an order that rotates; the ratio is the median of the rounds'. Skipped with no redis-server on PATH and no Redis
// at REDIS_URL.

const INSTANCE_COUNTS = [1, 2, 3] as const;
// NOTE: an instance warms up (20,000 appends to Redis) and delivers its share in seconds; past this it is hung.
const INSTANCE_TIMEOUT_MS = 300_000;
// NOTE: the sink polled this often for the last event; the rate itself comes from the sink's own clock.
const POLL_MS = 20;
const here = dirname(fileURLToPath(import.meta.url));
const partStarted = performance.now();

/** One instance's process: `ready` once it is warm, `exited` with what it measured once it stopped. */
interface Instance {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<InstanceResult>;
}

function startInstance(sink: SinkInfo, spec: StoreSpec, index: number, count: number): Instance {
  const args = [JSON.stringify(sink), JSON.stringify(spec), String(index), String(count)];
  const child = fork(join(here, 'scale-out-instance.js'), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const name = `instance ${index + 1} of ${count}`;
  const timer = setTimeout(() => child.kill('SIGKILL'), INSTANCE_TIMEOUT_MS);
  let result: InstanceResult | undefined;
  let onReady = (): void => undefined;
  child.on('message', (message: FromInstance) => {
    if (message.type === 'ready') onReady();
    else result = message.result;
  });
  const exited = new Promise<InstanceResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (result && code === 0) resolve(result);
      else reject(new Error(`${name} exited with ${signal ?? `code ${code}`} without a result`));
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    exited.then(() => reject(new Error(`${name} exited before it was ready`)), reject);
  });
  return { child, ready, exited };
}

const tell = (instances: Instance[], type: ToInstance['type']): void => {
  for (const { child } of instances) if (child.connected) child.send({ type } satisfies ToInstance);
};

/**
 * Runs `count` instances on a fresh prefix of the Redis at `url` (`redis`: a client of it), against the reset sink;
 * undefined when it failed (the error is recorded).
 */
async function measure(sink: Sink, [url, redis]: [string, Redis], count: number): Promise<ScaleOutRun | undefined> {
  const part = `scale-out-${count}`;
  const store = await prepareStore('redis', url);
  if (!store) {
    benchError(part, `Redis at ${url} stopped answering`);
    return undefined;
  }
  const instances = Array.from({ length: count }, (_, index) => startInstance(sink.info, store.spec, index, count));
  try {
    await Promise.all(instances.map(({ ready }) => ready));
    await askSink(sink, 'reset');
    const machineStart = machineCpu();
    const redisStart = await redisCpuMs(redis);
    const goAt = Date.now();
    tell(instances, 'go');
    const totals = await sinkTotals(sink, { events: SCALE_OUT_EVENTS, quietMs: 30_000, pollMs: POLL_MS });
    const windowMs = Date.now() - goAt;
    const machineEnd = machineCpu();
    const redisEnd = await redisCpuMs(redis);
    tell(instances, 'stop');
    const results = await Promise.all(instances.map(({ exited }) => exited));
    verifySink(part, totals, SCALE_OUT_EVENTS);
    for (const [index, { lost, lastError }] of results.entries()) {
      if (lost > 0) benchError(part, `instance ${index + 1} lost ${lost} operations; last error: ${lastError}`);
    }
    return {
      count,
      wallMs: totals.lastRequestAt - goAt,
      windowMs,
      instances: results,
      sink: totals,
      redisCpuMs: redisEnd - redisStart,
      machineBusy: machineStart && machineEnd ? busyShare(machineStart, machineEnd) : undefined,
    };
  } catch (error) {
    benchError(part, (error as Error).message);
    for (const { child } of instances) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.allSettled(instances.map(({ exited }) => exited));
    return undefined;
  } finally {
    await store.cleanUp().catch((error: Error) => benchError(part, `clean-up failed: ${error.message}`));
  }
}

const rounds = benchRounds();
console.log(
  `\n[scale-out] 1, 2 and 3 application instances (processes) sharing one RedisQueueStore prefix, ` +
    `${SCALE_OUT_EVENTS} events split between them, ${availableParallelism()} CPUs, ${rounds} round${rounds > 1 ? 's' : ''}`,
);
/** Runs the rounds on the Redis at `url` (`own`: a redis-server of the part's own), then prints them. */
async function scaleOut(url: string, own: boolean): Promise<void> {
  const redis = await connectRedis(url);
  if (!redis) {
    line('scale_out', `skipped (no redis-server on PATH, no Redis at ${url})`);
    skipRatio('scale_out_3_vs_1_events_per_s', '>=', 2, `no redis-server on PATH, no Redis at ${url}`);
    return;
  }
  const sink = await startSink().catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  line('sink', `${sink.info.url} (pid ${sink.process.pid}, separate process)`);
  line(
    'redis',
    own
      ? `${url} (a redis-server of its own: its CPU, from INFO cpu, is this part's alone)`
      : `${url} (no redis-server on PATH; its CPU, from INFO cpu, counts its other clients too)`,
  );
  line('load_average_1m_at_start', fixed(loadavg()[0], 2));
  const byRound: ScaleOutRun[][] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const runs: ScaleOutRun[] = [];
      // The order rotates from round to round, as the delivery ways' does.
      for (let turn = 0; turn < INSTANCE_COUNTS.length; turn++) {
        const run = await measure(sink, [url, redis], INSTANCE_COUNTS[(round - 1 + turn) % INSTANCE_COUNTS.length]);
        if (run) runs.push(run);
      }
      byRound.push(runs.sort((a, b) => a.count - b.count));
      line(
        `round_${round}_events_per_s`,
        runs.map((run) => `scale-out-${run.count} ${Math.round(eventsPerS(run))}`).join(' | '),
      );
    }
  } finally {
    sink.process.disconnect();
    redis.disconnect();
  }
  printScaleOut(byRound);
}

// NOTE: on a redis-server of its own when there is one on PATH, so that the Redis CPU counted is this part's alone
// (the shared one serves other clients too), else on REDIS_URL.
const own = await startRedis();
try {
  await scaleOut(own?.url ?? REDIS_URL, own !== undefined);
} finally {
  own?.child.kill('SIGTERM');
}
console.log('');
line('scale_out_part_s', fixed((performance.now() - partStarted) / 1_000));
