import http from 'node:http';
import { cpuMsSince, LatencyRecorder, memoryFigures, MemorySampler, reportAndExit } from './measure.js';
import {
  EVENT_NAME,
  EVENTS,
  eventData,
  NAIVE_CONCURRENCY,
  personIdOf,
  type FromWorker,
  type NaiveWay,
  type SinkInfo,
} from './protocol.js';

// The baselines: customerio-node's TrackClient, one `track` (one HTTP request) per event,
// NAIVE_CONCURRENCY at a time with Promise.allSettled — what an app does without a queue.
// Runs in a process of its own (no Nest loaded), started by run.ts with the sink's address and the way:
//   naive           customerio-node as `npm install customerio-node` brings it (5.x, global fetch),
//                   with its defaults; only `url` points it at the sink.
//   naive-v4-agent  customerio-node 4.4.0 (https.request) given a keep-alive http.Agent: the fastest
//                   one-request-per-event client we know how to build.

const sink = JSON.parse(process.argv[2] ?? 'null') as SinkInfo | null;
const way = process.argv[3] as NaiveWay | undefined;
if (!sink || (way !== 'naive' && way !== 'naive-v4-agent')) {
  console.error('bench naive: missing sink info or way (start it through `npm run bench`)');
  process.exit(1);
}

interface Baseline {
  track(personId: string, data: object): Promise<unknown>;
  close(): void;
}

async function baseline(): Promise<Baseline> {
  const { siteId, apiKey } = sink!.options;
  if (way === 'naive') {
    const { TrackClient } = (await import('customerio-node-v5')).default;
    const client = new TrackClient(siteId, apiKey, { url: `${sink!.url}/api/v1` });
    return { track: (personId, data) => client.track(personId, { name: EVENT_NAME, data }), close: () => undefined };
  }
  const { TrackClient } = (await import('customerio-node')).default;
  const agent = new http.Agent({ keepAlive: true });
  // customerio-node 4.4 reads only the hostname and path of `url`; protocol, port and agent come from here.
  const client = new TrackClient(siteId, apiKey, {
    url: `${sink!.url}/api/v1`,
    port: sink!.port,
    protocol: 'http:',
    agent,
  });
  return {
    track: (personId, data) => client.track(personId, { name: EVENT_NAME, data }),
    close: () => agent.destroy(),
  };
}

const client = await baseline();
const latency = new LatencyRecorder(EVENTS);
let failures = 0;
let firstError: string | undefined;
const rssStart = process.memoryUsage().rss;
const sampler = new MemorySampler().start();
const cpuStart = process.cpuUsage();
const started = process.hrtime.bigint();

for (let base = 0; base < EVENTS; base += NAIVE_CONCURRENCY) {
  const calls: Promise<unknown>[] = [];
  for (let i = base; i < Math.min(EVENTS, base + NAIVE_CONCURRENCY); i++) {
    const personId = personIdOf(i);
    const data = eventData(i);
    // The synchronous part of the call: building and writing the request, up to the returned promise.
    const start = process.hrtime.bigint();
    const call = client.track(personId, data);
    latency.record(i, start, process.hrtime.bigint());
    calls.push(call);
  }
  for (const outcome of await Promise.allSettled(calls)) {
    if (outcome.status === 'fulfilled') continue;
    failures += 1;
    firstError ??= String(outcome.reason);
  }
}

const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
const cpuMs = cpuMsSince(cpuStart);
sampler.stop();
client.close();

const message: FromWorker = {
  type: 'result',
  result: {
    way,
    sent: EVENTS,
    failures,
    firstError,
    wallMs,
    latency: latency.summary(),
    ...memoryFigures(rssStart, sampler),
    cpuMs,
  },
};
reportAndExit(message);
