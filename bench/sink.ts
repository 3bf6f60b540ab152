import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { CustomerIOSandbox } from '../lib/testing/index.js';
import { cpuMsSince, toMb } from './measure.js';
import { EVENT_NAME, EVENTS, type FromSink, type SinkStats, type ToSink } from './protocol.js';

// The bench's Customer.io: a CustomerIOSandbox in a process of its own, so that its CPU and memory
// stay out of the measured process. It answers `stats` and `reset` over IPC.
//
// The sandbox records every request, event and batch; 400,000 events would hold hundreds of MB here.
// So the recorded arrays are counted and emptied every 50 ms (and before each answer), and the
// sandbox keeps them unbounded (`maxRecords: Infinity`) so that none is forgotten between two drains.
// Emptying them in place, rather than calling `reset()`, keeps the connection counters and the
// event-id deduplication intact for the whole way; `reset()` runs only between the ways.

const send = (message: FromSink): void => void process.send!(message);

if (!process.send) {
  console.error('bench sink: no IPC channel (start it through `npm run bench`)');
  process.exit(1);
}

const sandbox = await CustomerIOSandbox.start({ maxRecords: Infinity });
const seen = new Uint8Array(EVENTS);
let counts = freshCounts();
let cpuStart = process.cpuUsage();

function freshCounts() {
  return {
    events: 0,
    distinct: 0,
    repeated: 0,
    foreign: 0,
    requests: 0,
    batches: 0,
    batchOperations: 0,
    lastRequestAt: 0,
  };
}

function drain(): void {
  const { events, requests, batches } = sandbox;
  for (const event of events) {
    counts.events += 1;
    const n = event.data.n;
    if (event.name !== EVENT_NAME || typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= EVENTS)
      counts.foreign += 1;
    else if (seen[n]) counts.repeated += 1;
    else {
      seen[n] = 1;
      counts.distinct += 1;
    }
  }
  counts.requests += requests.length;
  for (const request of requests) counts.lastRequestAt = Math.max(counts.lastRequestAt, request.receivedAt);
  for (const batch of batches) {
    counts.batches += 1;
    counts.batchOperations += batch.operations;
  }
  events.length = 0;
  requests.length = 0;
  batches.length = 0;
}

function stats(): SinkStats {
  drain();
  return {
    ...counts,
    duplicateEvents: sandbox.duplicateEvents,
    peakConnections: sandbox.peakConnections,
    connectionsOpened: sandbox.connectionsOpened,
    openConnections: sandbox.openConnections,
    cpuMs: cpuMsSince(cpuStart),
    rssMb: toMb(process.memoryUsage().rss),
  };
}

/** Waits for the previous way's connections to go (its process exited), then forgets everything. */
async function reset(): Promise<void> {
  for (let waited = 0; sandbox.openConnections > 0 && waited < 5_000; waited += 10) await sleep(10);
  sandbox.reset();
  counts = freshCounts();
  seen.fill(0);
  cpuStart = process.cpuUsage();
}

const drainTimer = setInterval(drain, 50);

process.on('message', (message: ToSink) => {
  if (message.type === 'stats') send({ type: 'reply', id: message.id, stats: stats() });
  else void reset().then(() => send({ type: 'reply', id: message.id, stats: stats() }));
});

process.on('disconnect', () => {
  clearInterval(drainTimer);
  void sandbox.close().then(() => process.exit(0));
});

send({ type: 'ready', sink: { url: sandbox.url, port: sandbox.port, options: sandbox.moduleOptions() } });
