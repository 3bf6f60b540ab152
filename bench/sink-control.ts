import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { EVENTS, type FromSink, type SinkInfo, type SinkStats, type ToSink } from './protocol.js';
import { benchError } from './targets.js';

// The coordinator's side of the sink (sink.ts, a process of its own): starting it, asking it over IPC, and checking
// that it received every bench event exactly once.

const here = dirname(fileURLToPath(import.meta.url));

/** The sink's process, and where it listens. */
export interface Sink {
  process: ChildProcess;
  info: SinkInfo;
}

let nextId = 0;

/** One request to the sink, answered over IPC. */
export function askSink(sink: Sink, type: ToSink['type']): Promise<SinkStats> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sink.process.off('message', onMessage);
      reject(new Error(`sink did not answer "${type}" within 10 s`));
    }, 10_000);
    const onMessage = (message: FromSink): void => {
      if (message.type !== 'reply' || message.id !== id) return;
      clearTimeout(timer);
      sink.process.off('message', onMessage);
      resolve(message.stats);
    };
    sink.process.on('message', onMessage);
    sink.process.send({ type, id } satisfies ToSink);
  });
}

/** Starts the sink in a process of its own; stop it with `sink.process.disconnect()`. */
export function startSink(): Promise<Sink> {
  const child = fork(join(here, 'sink.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sink exited (code ${code}) before it was ready`)));
    child.on('message', (message: FromSink) => {
      if (message.type === 'ready') resolve({ process: child, info: message.sink });
    });
  });
}

/** What {@link sinkTotals} waits for: `events` bench events (0 … events-1), polling every `pollMs`. */
export interface Expected {
  /** @default EVENTS */
  events?: number;
  /** How long it waits with no new event before it gives up (the senders should be done by then). @default 10000 */
  quietMs?: number;
  /** @default 50 */
  pollMs?: number;
}

/** Polls the sink until it counted every expected event, or gave up waiting; returns its last stats. */
export async function sinkTotals(
  sink: Sink,
  { events = EVENTS, quietMs = 10_000, pollMs = 50 }: Expected = {},
): Promise<SinkStats> {
  let stats = await askSink(sink, 'stats');
  let lastProgress = performance.now();
  while (stats.distinct < events && performance.now() - lastProgress < quietMs) {
    await sleep(pollMs);
    const next = await askSink(sink, 'stats');
    if (next.events > stats.events) lastProgress = performance.now();
    stats = next;
  }
  return stats;
}

/** Records an error of `part` unless the sink received each of `events` bench events exactly once, and nothing else. */
export function verifySink(part: string, sink: SinkStats, events = EVENTS): void {
  const fail = (message: string): void => benchError(part, message);
  if (sink.distinct !== events) fail(`the sink received ${sink.distinct} distinct bench events, expected ${events}`);
  if (sink.events !== events) fail(`the sink recorded ${sink.events} events, expected ${events}`);
  if (sink.repeated + sink.foreign + sink.duplicateEvents > 0) {
    fail(
      `the sink saw ${sink.repeated} repeated, ${sink.foreign} foreign, ${sink.duplicateEvents} deduplicated events`,
    );
  }
}
