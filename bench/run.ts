import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { DELIVERY_WAYS, deliveryRatios, PIPELINES_WAYS, type Ways } from './delivery-ratios.js';
import { deliveryRounds, selectedParts } from './parts.js';
import {
  DATA_BYTES,
  EVENTS,
  eventData,
  PEOPLE,
  STEADY_FROM,
  type FromSink,
  type FromWorker,
  type SinkInfo,
  type SinkStats,
  type StoreSpec,
  type ToSink,
  type Way,
  type WayResult,
} from './protocol.js';
import { eventsPerS, fixed, line, type Measured, printStores, printWay, TITLES } from './report.js';
import { prepareStore } from './store-setup.js';
import { benchError } from './targets.js';

// `npm run bench`: the delivery benchmark. Three kinds of process, so that each figure is honest:
//   sink.js       the Customer.io sandbox (HTTP on 127.0.0.1), counting what it receives;
//   raw-batch.js  hand-built v2 batches over a keep-alive agent, no module: the physical limit on this sink;
//   queue.js      CustomerIOModule's queue in a Nest app, paced and in a burst; run again with a durable
//                 store (queue-sqlite, queue-redis: a StoreSpec as its third argument);
//   raw-batch.js and queue.js again through the Pipelines API (pipelines-raw, pipelines-queue, pipelines-burst),
//                 the queue's with customerio-node 5 (see PIPELINES_SDK);
//   naive.js      customerio-node TrackClient.track per event: as npm installs the SDK (5.x) and as 4.4.0
//                 with a keep-alive agent (naive-v4-agent).
// Each way runs in a fresh process, one after the other (never at once: the machine's cores go to one worker
// and the sink), against the same sink, which is reset in between. This process only coordinates and prints.
// BENCH_PARTS (see parts.ts) picks the ways: delivery, pipelines, naive, stores; BENCH_ROUNDS, the rounds of the
// delivery and Pipelines ways.
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

/** One request to the sink, answered over IPC. */
let nextId = 0;
function askSink(sink: ChildProcess, type: ToSink['type']): Promise<SinkStats> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sink.off('message', onMessage);
      reject(new Error(`sink did not answer "${type}" within 10 s`));
    }, 10_000);
    const onMessage = (message: FromSink): void => {
      if (message.type !== 'reply' || message.id !== id) return;
      clearTimeout(timer);
      sink.off('message', onMessage);
      resolve(message.stats);
    };
    sink.on('message', onMessage);
    sink.send({ type, id } satisfies ToSink);
  });
}

function startSink(): Promise<{ process: ChildProcess; info: SinkInfo }> {
  const child = fork(join(here, 'sink.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sink exited (code ${code}) before it was ready`)));
    child.on('message', (message: FromSink) => {
      if (message.type === 'ready') resolve({ process: child, info: message.sink });
    });
  });
}

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

/** Polls the sink until it counted every event of the way (it should have, once the worker is done). */
async function sinkTotals(sink: ChildProcess): Promise<SinkStats> {
  let stats = await askSink(sink, 'stats');
  for (let waited = 0; stats.distinct < EVENTS && waited < 10_000; waited += 50) {
    await sleep(50);
    stats = await askSink(sink, 'stats');
  }
  return stats;
}

function verify(result: WayResult, sink: SinkStats): void {
  const fail = (message: string): void => benchError(result.way, message);
  if (result.failures > 0) fail(`${result.failures} of ${result.sent} sends failed; first: ${result.firstError}`);
  else if (result.firstError) fail(result.firstError);
  if (sink.distinct !== EVENTS) fail(`the sink received ${sink.distinct} distinct bench events, expected ${EVENTS}`);
  if (sink.events !== EVENTS) fail(`the sink recorded ${sink.events} events, expected ${EVENTS}`);
  if (sink.repeated + sink.foreign + sink.duplicateEvents > 0) {
    fail(
      `the sink saw ${sink.repeated} repeated, ${sink.foreign} foreign, ${sink.duplicateEvents} deduplicated events`,
    );
  }
}

const parts = selectedParts();
const rounds = deliveryRounds();
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

const deliveryWays = [
  ...(parts.has('delivery') ? DELIVERY_WAYS : []),
  ...(parts.has('pipelines') ? PIPELINES_WAYS : []),
];
const onceWays: Way[] = [
  ...(parts.has('naive') ? (['naive', 'naive-v4-agent'] as const) : []),
  ...(parts.has('stores') ? (['queue-sqlite', 'queue-redis'] as const) : []),
];
line('ways', [...deliveryWays.map((way) => `${way} (x${rounds})`), ...onceWays].join(', '));

/** Runs one way in a fresh worker against the reset sink; undefined when it failed (the error is recorded). */
async function measureWay(way: Way): Promise<Measured | undefined> {
  const durable = way === 'queue-sqlite' || way === 'queue-redis';
  const store = durable ? await prepareStore(way) : undefined;
  if (durable && !store) return undefined;
  await askSink(sink.process, 'reset');
  let result: WayResult;
  try {
    result = await runWorker(way, sink.info, store?.spec);
  } catch (error) {
    benchError(way, (error as Error).message);
    return undefined;
  } finally {
    await store?.cleanUp().catch((error: Error) => benchError(way, `clean-up failed: ${error.message}`));
  }
  const totals = await sinkTotals(sink.process);
  verify(result, totals);
  return { result, sink: totals };
}

const byRound: Ways[] = [];
const measured: Ways = {};
try {
  for (let round = 1; round <= (deliveryWays.length > 0 ? rounds : 0); round++) {
    const ways: Ways = {};
    // The order rotates from round to round, so that no way always follows the same one.
    for (let turn = 0; turn < deliveryWays.length; turn++) {
      const way = deliveryWays[(round - 1 + turn) % deliveryWays.length];
      ways[way] = await measureWay(way);
    }
    byRound.push(ways);
    line(
      `round_${round}_events_per_s`,
      deliveryWays.map((way) => `${way} ${ways[way] ? Math.round(eventsPerS(ways[way].result)) : '-'}`).join(' | '),
    );
  }
  // Each delivery way is shown by its median round (by events/s); its ratios are the medians of the rounds'.
  for (const way of deliveryWays) {
    const runs = byRound.flatMap((ways) => ways[way] ?? []).sort((a, b) => eventsPerS(a.result) - eventsPerS(b.result));
    if (runs.length === 0) continue;
    measured[way] = runs[Math.floor((runs.length - 1) / 2)];
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
if (measured['queue-burst']) printStores(measured['queue-burst'], measured);
console.log('');
line('delivery_part_s', fixed((performance.now() - partStarted) / 1_000));
