import http from 'node:http';
import { setImmediate } from 'node:timers/promises';
import { DEFAULT_QUEUE } from '../lib/customerio.constants.js';
import { cpuMsSince, GcTimer, LatencyRecorder, memoryFigures, MemorySampler, reportAndExit } from './measure.js';
import {
  EVENT_NAME,
  EVENTS,
  eventData,
  NAIVE_CONCURRENCY,
  personIdOf,
  type BenchEventData,
  type FromWorker,
  type RawWay,
  type SinkInfo,
} from './protocol.js';

// Way raw-batch: the physical limit of this sink, the yardstick of the queue's ratios. The same events as the
// queue way, written as Track v2 batch operations by hand and sent as `POST /api/v2/batch`, with no module and no
// Nest: one JSON.stringify per operation, encoded straight into the batch body, cut at the queue's default limits
// (operations and UTF-8 bytes); at most the queue's default maxInFlight requests at once, over one keep-alive
// http.Agent, with Basic auth as the SDK sends it. Paced as the queue way: NAIVE_CONCURRENCY events, then a turn of
// the event loop; the last partial batch at the end (the queue's flush). Latency: building and serializing one
// operation (its id included). Runs in a process of its own, started by run.ts with the sink's address.
// Way pipelines-raw: the same for the Pipelines API, the yardstick of the queue's Pipelines ways: `track` calls (the
// queue's form: `userId`, `event`, `properties`, an ISO-8601 `timestamp`, a ULID `messageId`) sent as
// `POST /v1/batch` with Basic auth `key:` and `X-Strict-Mode: 1`, as the module sends them.

const WARM_UP_EVENTS = 20_000;
const { maxBatchOperations, maxBatchBytes, maxInFlight } = DEFAULT_QUEUE;
const OPEN = '{"batch":[';
const CLOSE = ']}';

const sink = JSON.parse(process.argv[2] ?? 'null') as SinkInfo | null;
if (!sink) {
  console.error('bench raw-batch: missing sink info (start it through `npm run bench`)');
  process.exit(1);
}
const way = (process.argv[3] ?? 'raw-batch') as RawWay;
const pipelines = way === 'pipelines-raw';

/** A v2 batch operation: an event of a person. */
interface EventOperation {
  type: 'person';
  identifiers: { id: string };
  action: 'event';
  id: string;
  name: string;
  timestamp: number;
  attributes: BenchEventData;
}

/** A Pipelines `track` call, its members in the module's order. */
interface TrackCall {
  type: 'track';
  userId: string;
  event: string;
  properties: BenchEventData;
  timestamp: string;
  messageId: string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `value` (an integer below 2^53) in `length` Crockford base-32 digits. */
function base32(value: number, length: number): string {
  let digits = '';
  for (let i = 0; i < length; i++) {
    digits = CROCKFORD[value % 32] + digits;
    value = Math.floor(value / 32);
  }
  return digits;
}

// ULID-like ids, as cheap as an id can be: 10 digits of milliseconds, then 6 random digits drawn once and a
// 10-digit counter (in place of 16 random digits), so they are unique and sort in the order they were made.
const idTail = base32(Math.floor(Math.random() * 32 ** 6), 6);
let idCount = 0;
let idMs = -1;
let idHead = '';
let isoSecond = -1;
let isoTimestamp = '';

/** The event operation (Pipelines: `track` call) of `personId` with `data`, as JSON, its id and timestamp taken now. */
function operationJson(personId: string, data: BenchEventData): string {
  const now = Date.now();
  if (now !== idMs) {
    idMs = now;
    idHead = base32(now, 10);
  }
  const id = idHead + idTail + base32(idCount++, 10);
  const second = Math.floor(now / 1_000);
  if (!pipelines) {
    const operation: EventOperation = {
      type: 'person',
      identifiers: { id: personId },
      action: 'event',
      id,
      name: EVENT_NAME,
      timestamp: second,
      attributes: data,
    };
    return JSON.stringify(operation);
  }
  if (second !== isoSecond) {
    isoSecond = second;
    isoTimestamp = new Date(second * 1_000).toISOString();
  }
  const call: TrackCall = {
    type: 'track',
    userId: personId,
    event: EVENT_NAME,
    properties: data,
    timestamp: isoTimestamp,
    messageId: id,
  };
  return JSON.stringify(call);
}

const agent = new http.Agent({ keepAlive: true });
const batchUrl = pipelines ? `${sink.url}/v1/batch` : `${sink.url}/api/v2/batch`;
const credentials = pipelines ? `${sink.options.pipelinesKey}:` : `${sink.options.siteId}:${sink.options.apiKey}`;
const authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
let failures = 0;
let firstError: string | undefined;

/** POSTs one batch body; counts its events as failures unless the sink answers 200. */
function post(body: Buffer, operations: number): Promise<void> {
  return new Promise((resolve) => {
    const fail = (message: string): void => {
      failures += operations;
      firstError ??= message;
      resolve();
    };
    const headers = {
      Authorization: authorization,
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      ...(pipelines && { 'X-Strict-Mode': '1' }),
    };
    const request = http.request(batchUrl, { method: 'POST', agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => fail(error.message));
      response.on('end', () => {
        if (response.statusCode === 200) resolve();
        else fail(`HTTP ${response.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`);
      });
    });
    request.on('error', (error) => fail(error.message));
    request.end(body);
  });
}

// Batches: the body being written (each operation encoded once, straight into it), the full ones waiting for a
// free request slot, the requests in flight.
let body = Buffer.allocUnsafe(maxBatchBytes);
let offset = body.write(OPEN);
let count = 0;
let operationBytes = 0;
const waiting: { body: Buffer; operations: number }[] = [];
let inFlight = 0;
let allSent: (() => void) | undefined;

function pump(): void {
  while (inFlight < maxInFlight && waiting.length > 0) {
    const batch = waiting.shift()!;
    inFlight += 1;
    void post(batch.body, batch.operations).then(() => {
      inFlight -= 1;
      pump();
      if (inFlight === 0 && waiting.length === 0) allSent?.();
    });
  }
}

/** Closes the batch being written and sends it as soon as a request slot is free. */
function cut(): void {
  if (count === 0) return;
  offset += body.write(CLOSE, offset);
  waiting.push({ body: body.subarray(0, offset), operations: count });
  body = Buffer.allocUnsafe(maxBatchBytes);
  offset = body.write(OPEN);
  count = 0;
  pump();
}

/** Adds one operation, cutting the batch first when it would go past the queue's limits (operations, bytes). */
function add(json: string): void {
  const size = Buffer.byteLength(json);
  if (count === maxBatchOperations || offset + 1 + size + CLOSE.length > maxBatchBytes) cut();
  if (count > 0) offset += body.write(',', offset);
  offset += body.write(json, offset);
  count += 1;
  operationBytes += size;
}

// Warm-up, as the queue way's: the same build-and-serialize path, 20,000 times, nothing sent.
let warmUpBytes = 0;
for (let i = 0; i < WARM_UP_EVENTS; i++) warmUpBytes += operationJson(personIdOf(i), eventData(i)).length;
if (warmUpBytes === 0) throw new Error('bench raw-batch: the warm-up built nothing');

const latency = new LatencyRecorder(EVENTS);
const rssStart = process.memoryUsage().rss;
const sampler = new MemorySampler().start();
const gc = new GcTimer().start();
const cpuStart = process.cpuUsage();
const started = process.hrtime.bigint();

for (let base = 0; base < EVENTS; base += NAIVE_CONCURRENCY) {
  for (let i = base; i < Math.min(EVENTS, base + NAIVE_CONCURRENCY); i++) {
    const personId = personIdOf(i);
    const data = eventData(i);
    const start = process.hrtime.bigint();
    const json = operationJson(personId, data);
    latency.record(i, start, process.hrtime.bigint());
    add(json);
    if ((i & 4_095) === 0) sampler.sample();
  }
  await setImmediate();
}
await new Promise<void>((resolve) => {
  allSent = resolve;
  cut();
  if (inFlight === 0 && waiting.length === 0) resolve();
});

const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
const cpuMs = cpuMsSince(cpuStart);
const gcMs = await gc.stop();
sampler.stop();
agent.destroy();

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
    gcMs,
    operationBytes: operationBytes / EVENTS,
    maxInFlight,
  },
};
reportAndExit(message);
