import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DELIVERY_WAYS,
  deliveryRatios,
  MEMORY_WAYS,
  PIPELINES_WAYS,
  STORE_WAYS,
  type Ways,
} from './delivery-ratios.js';
import { medianItem } from './measure.js';
import { benchRounds, selectedParts } from './parts.js';
import {
  DATA_BYTES,
  EVENTS,
  eventData,
  PEOPLE,
  STEADY_FROM,
  storeKindOf,
  type FromWorker,
  type SinkInfo,
  type SinkStats,
  type StoreSpec,
  type Way,
  type WayResult,
} from './protocol.js';
import { eventsPerS, fixed, line, type Measured, printWay, TITLES } from './report.js';
import { askSink, sinkTotals, startSink, verifySink } from './sink-control.js';
import { storeRatios } from './store-ratios.js';
import { prepareStore, REDIS_URL, redisVersion } from './store-setup.js';
import { benchError } from './targets.js';

// `npm run bench`: the delivery benchmark. Three kinds of process, so that each figure is honest:
//   sink.js       the Customer.io sandbox (HTTP on 127.0.0.1), counting what it receives;
//   raw-batch.js  hand-built v2 batches over a keep-alive agent, no module: the physical limit on this sink;
//   queue.js      CustomerIOModule's queue in a Nest app, paced and in a burst; run again on each durable
//                 store (sqlite-queue, sqlite-burst, redis-queue, redis-burst: a StoreSpec as its third argument);
//   raw-batch.js and queue.js again through the Pipelines API (pipelines-raw, pipelines-queue, pipelines-burst),
//                 the queue's with customerio-node 5 (see PIPELINES_SDK);
//   naive.js      customerio-node TrackClient.track per event: as npm installs the SDK (5.x) and as 4.4.0
//                 with a keep-alive agent (naive-v4-agent).
// Each way runs in a fresh process, one after the other (never at once: the machine's cores go to one worker
// and the sink), against the same sink, which is reset in between. This process only coordinates and prints.
// BENCH_PARTS (see parts.ts) picks the ways: delivery, pipelines, naive, stores; BENCH_ROUNDS, the rounds of the
// delivery, Pipelines and store ways (all in the same rounds, so that each ratio compares neighbours).
// BENCH_CPU_PROF=<dir> writes a CPU profile of the queue way's worker there (BENCH_CPU_PROF_WAY=<way>: another way's).

// NOTE: the naive way takes ~40 s on a quiet machine (~250 µs of CPU an event) and over 100 s under a load average
// of 10 on 2 cores; past this, a worker is taken for hung.
const WORKER_TIMEOUT_MS = 300_000;
const here = dirname(fileURLToPath(import.meta.url));
// NOTE: the library imports `customerio-node`, which is 4.4 in this repository; this hook makes it the v5 alias
// (customerio-node-v5) in a process started with CUSTOMERIO_API=pipelines. Relative to the repository's root, where
// `npm run bench` runs.
const PIPELINES_SDK = './sample-app/customerio-node-v5.mjs';
const partStarted = performance.now();

/** Runs one way in a fresh worker process and returns what it measured. */
function runWorker(way: Way, sink: SinkInfo, store?: StoreSpec): Promise<WayResult> {
  const script =
    way === 'naive' || way === 'naive-v4-agent'
      ? 'naive.js'
      : way === 'raw-batch' || way === 'pipelines-raw'
        ? 'raw-batch.js'
        : 'queue.js';
  const args = [JSON.stringify(sink), way, ...(store ? [JSON.stringify(store)] : [])];
  const pipelines = way === 'pipelines-queue' || way === 'pipelines-burst';
  const child = fork(join(here, script), args, {
    ...(pipelines && { env: { ...process.env, CUSTOMERIO_API: 'pipelines' } }),
    execArgv: [
      '--expose-gc',
      ...(pipelines ? ['--import', PIPELINES_SDK] : []),
      ...(process.env.BENCH_CPU_PROF && way === (process.env.BENCH_CPU_PROF_WAY ?? 'queue')
        ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CPU_PROF]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let result: WayResult | undefined;
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `${way} worker did not finish within ${WORKER_TIMEOUT_MS / 1000} s; killed`;
      child.kill('SIGKILL');
    }, WORKER_TIMEOUT_MS);
    child.on('message', (message: FromWorker) => {
      if (message.type === 'result') result = message.result;
      else failure = message.message;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (result && code === 0) resolve(result);
      else reject(new Error(failure ?? `${way} worker exited with ${signal ?? `code ${code}`} without a result`));
    });
  });
}

function verify(result: WayResult, sink: SinkStats): void {
  if (result.failures > 0)
    benchError(result.way, `${result.failures} of ${result.sent} sends failed; first: ${result.firstError}`);
  else if (result.firstError) benchError(result.way, result.firstError);
  verifySink(result.way, sink);
}

const parts = selectedParts();
const rounds = benchRounds();
const sink = await startSink();
const dataBytes = Buffer.byteLength(JSON.stringify(eventData(EVENTS - 1)));
console.log(`nestjs-customerio delivery bench: node ${process.version}, ${availableParallelism()} CPUs`);
line('events_per_way', EVENTS);
line('event_data_bytes', `${dataBytes} (target ${DATA_BYTES})`);
line('people', PEOPLE);
line('steady_latency_from_call', STEADY_FROM + 1);
line('sink', `${sink.info.url} (pid ${sink.process.pid}, separate process)`);
// Other work on the machine skews every figure; the load average says whether there was any.
line('load_average_1m_at_start', fixed(loadavg()[0], 2));

const redis = parts.has('stores') ? await redisVersion() : undefined;
if (parts.has('stores')) {
  line(
    'redis',
    redis
      ? `${REDIS_URL} (Redis ${redis}, separate process)`
      : `none at ${REDIS_URL}: redis-queue, redis-burst skipped`,
  );
}
const storeWays = parts.has('stores') ? STORE_WAYS.filter((way) => redis || storeKindOf(way) !== 'redis') : [];
const roundWays = [
  ...new Set([
    ...(parts.has('delivery') ? DELIVERY_WAYS : []),
    // The stores' ratios compare each store's way with the in-memory way beside it, in the same round.
    ...(parts.has('stores') ? MEMORY_WAYS : []),
    ...(parts.has('pipelines') ? PIPELINES_WAYS : []),
    ...storeWays,
  ]),
];
const onceWays: Way[] = parts.has('naive') ? ['naive', 'naive-v4-agent'] : [];
line('ways', [...roundWays.map((way) => `${way} (x${rounds})`), ...onceWays].join(', '));

/** Runs one way in a fresh worker against the reset sink; undefined when it failed (the error is recorded). */
async function measureWay(way: Way): Promise<Measured | undefined> {
  const kind = storeKindOf(way);
  const store = kind ? await prepareStore(kind) : undefined;
  if (kind && !store) {
    benchError(way, `Redis at ${REDIS_URL} stopped answering`);
    return undefined;
  }
  await askSink(sink, 'reset');
  let result: WayResult;
  try {
    result = await runWorker(way, sink.info, store?.spec);
  } catch (error) {
    benchError(way, (error as Error).message);
    return undefined;
  } finally {
    await store?.cleanUp().catch((error: Error) => benchError(way, `clean-up failed: ${error.message}`));
  }
  const totals = await sinkTotals(sink);
  verify(result, totals);
  return { result, sink: totals };
}

const byRound: Ways[] = [];
const measured: Ways = {};
try {
  for (let round = 1; round <= (roundWays.length > 0 ? rounds : 0); round++) {
    const ways: Ways = {};
    // The order rotates from round to round, so that no way always follows the same one.
    for (let turn = 0; turn < roundWays.length; turn++) {
      const way = roundWays[(round - 1 + turn) % roundWays.length];
      ways[way] = await measureWay(way);
    }
    byRound.push(ways);
    line(
      `round_${round}_events_per_s`,
      roundWays.map((way) => `${way} ${ways[way] ? Math.round(eventsPerS(ways[way].result)) : '-'}`).join(' | '),
    );
  }
  // Each way run in rounds is shown by its median round (by events/s); its ratios are the medians of the rounds'.
  for (const way of roundWays) {
    const middle = medianItem(
      byRound.flatMap((ways) => ways[way] ?? []),
      (run) => eventsPerS(run.result),
    );
    if (!middle) continue;
    measured[way] = middle;
    printWay(`${TITLES[way]}${rounds > 1 ? `; its median of ${rounds} rounds by events/s` : ''}`, measured[way]);
  }
  for (const way of onceWays) {
    measured[way] = await measureWay(way);
    if (measured[way]) printWay(TITLES[way], measured[way]);
  }
} finally {
  sink.process.disconnect();
}

deliveryRatios(byRound, measured);
if (storeWays.length > 0) storeRatios(byRound, measured);
console.log('');
line('delivery_part_s', fixed((performance.now() - partStarted) / 1_000));
