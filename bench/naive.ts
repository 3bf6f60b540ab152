import http from 'node:http';
import cio from 'customerio-node';
import { cpuMsSince, LatencyRecorder, maxRssMb, MemorySampler, reportAndExit, toMb } from './measure.js';
import { EVENT_NAME, EVENTS, eventData, NAIVE_CONCURRENCY, personIdOf, type FromWorker, type SinkInfo } from './protocol.js';

// Way (a), the baseline: customerio-node's TrackClient, one `track` (one HTTP request) per event,
// NAIVE_CONCURRENCY at a time with Promise.allSettled — what an app does without a queue.
// Runs in a process of its own (no Nest loaded), started by run.ts with the sink's address.

const sink = JSON.parse(process.argv[2] ?? 'null') as SinkInfo | null;
if (!sink) {
  console.error('bench naive: missing sink info (start it through `npm run bench`)');
  process.exit(1);
}

const agent = new http.Agent({ keepAlive: true });
// customerio-node 4.4 reads only the hostname and path of `url`; protocol, port and agent come from here.
const client = new cio.TrackClient(sink.options.siteId, sink.options.apiKey, {
  url: `${sink.url}/api/v1`,
  port: sink.port,
  protocol: 'http:',
  agent,
});

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
    const call = client.track(personId, { name: EVENT_NAME, data });
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
agent.destroy();

const message: FromWorker = {
  type: 'result',
  result: {
    way: 'naive',
    sent: EVENTS,
    failures,
    firstError,
    wallMs,
    latency: latency.summary(),
    rssStartMb: toMb(rssStart),
    peakRssMb: toMb(sampler.peakRss),
    maxRssMb: maxRssMb(),
    peakHeapMb: toMb(sampler.peakHeap),
    cpuMs,
  },
};
reportAndExit(message);
