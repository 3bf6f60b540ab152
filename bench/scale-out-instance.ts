import 'reflect-metadata';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { CustomerIOClient } from '../lib/index.js';
import { cpuMsSince, MemorySampler, reportAndExit, toMb } from './measure.js';
import {
  EVENT_NAME,
  eventData,
  type FromInstance,
  NAIVE_CONCURRENCY,
  personIdOf,
  SCALE_OUT_EVENTS,
  type SinkInfo,
  type StoreSpec,
  type ToInstance,
} from './protocol.js';
import { createQueueApp, openStore, warmUp } from './queue-app.js';

// One application instance of the scale-out part (scale-out.ts starts 1, 2 or 3 of them at once): a Nest app with
// CustomerIOModule whose queue is a RedisQueueStore on the prefix every instance shares. Arguments: the sink (JSON),
// the store (JSON), this instance's index and the number of instances. After a warm-up it says `ready`; on `go` it
// calls `client.track` for its share of SCALE_OUT_EVENTS (event n goes to instance n % count), NAIVE_CONCURRENCY at a time
// with a turn of the event loop between, as the queue way does, then flushes (leasing whatever the shared queue
// holds, whichever instance enqueued it) until `stop`, which comes once the sink has every event.

const [sinkArg, specArg, indexArg, countArg] = process.argv.slice(2);
if (!sinkArg || !specArg) {
  console.error('bench scale-out instance: missing arguments (start it through `npm run bench`)');
  process.exit(1);
}
const sink = JSON.parse(sinkArg) as SinkInfo;
const spec = JSON.parse(specArg) as StoreSpec;
const index = Number(indexArg);
const count = Number(countArg);
const send = (message: FromInstance): void => void process.send!(message);
const messages = (type: ToInstance['type']): Promise<unknown> =>
  new Promise((resolve) => process.on('message', (message: ToInstance) => message.type === type && resolve(message)));
// NOTE: an instance whose coordinator is gone would otherwise wait for `go` or `stop` for ever.
process.on('disconnect', () => process.exit(1));
const go = messages('go');
const stop = messages('stop');
let stopped = false;
void stop.then(() => (stopped = true));

await warmUp(spec, `warm-up-${index}`, false);
const store = await openStore(spec, 'shared');
const app = await createQueueApp({
  ...sink.options,
  api: 'track',
  queue: { maxQueueSize: 250_000, maxQueueBytes: 256 * 1024 * 1024, store },
});
const client = app.get(CustomerIOClient);
send({ type: 'ready' });
await go;

const cpuStart = process.cpuUsage();
const started = performance.now();
const sampler = new MemorySampler().start();
let enqueued = 0;
for (let n = index; n < SCALE_OUT_EVENTS; n += count) {
  client.track(personIdOf(n), EVENT_NAME, eventData(n));
  if (++enqueued % NAIVE_CONCURRENCY === 0) await setImmediate();
}
const enqueueMs = performance.now() - started;
// flush() returns once nothing it can lease is left: the other instances' leases may still hold operations.
while (!stopped) {
  const delivered = client.stats.delivered;
  await client.flush();
  if (client.stats.delivered === delivered) await Promise.race([sleep(10), stop]);
}
const cpuMs = cpuMsSince(cpuStart);
sampler.stop();
const stats = client.stats;
await app.close();
await store.close?.(); // the queue leaves a store it was given open
reportAndExit({
  type: 'result',
  result: {
    enqueued,
    delivered: stats.delivered,
    lost: stats.failed + stats.invalid + stats.rejected + stats.dropped,
    lastError: stats.lastError,
    enqueueMs,
    cpuMs,
    peakRssMb: toMb(sampler.peakRss),
  },
} satisfies FromInstance);
