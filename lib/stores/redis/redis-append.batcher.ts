import type {
  AppendResult,
  AppendResults,
  QueueBound,
  QueuedOperation,
} from '../../interfaces/queue-store.interface.js';
import { APPEND } from './redis-queue.lua.js';
import { appendPayload } from './redis-operation.records.js';
import type { RedisReply } from './redis-script.loader.js';

/** Most operations one APPEND carries. */
const APPEND_MAX_OPERATIONS = 1_000;
/** Most bytes of operations (their `bytes`) one APPEND carries: an operation larger than this goes alone. */
const APPEND_MAX_BYTES = 512 * 1024;
/**
 * Most APPEND calls awaiting Redis's answer: enough to keep Redis busy while the next chunk is encoded and sent.
 */
// NOTE: Redis reads whatever arrives into its own buffer, so the socket alone does not hold chunks back; and ioredis
// keeps each command's arguments (the encoded chunk) until its answer.
const APPENDS_IN_FLIGHT = 2;
/** The bound before the queue hands its own over: none. */
const UNBOUNDED: QueueBound = {
  maxQueueSize: Number.MAX_SAFE_INTEGER,
  maxQueueBytes: Number.MAX_SAFE_INTEGER,
  overflow: 'reject',
};

/** Operations appended together by one APPEND script call, each answered from its reply (by its place in the list). */
interface AppendChunk {
  readonly ids: string[];
  /** The operations, until they are sent. */
  operations?: QueuedOperation[];
  bytes: number;
  readonly done: Promise<AppendResults | undefined>;
  readonly settle: { resolve(results?: AppendResults): void; reject(error: unknown): void };
}

/** What waits to be sent, in order: chunks of appends, and the store's other commands. */
type Waiting = { readonly chunk: AppendChunk } | { readonly send: () => void };

/** How the batcher reaches Redis (see `RedisQueueConnection`). */
export interface AppendLink {
  /** Runs the APPEND script. */
  run(script: string, args: (string | number | Buffer)[]): Promise<RedisReply>;
  /** Takes each chunk's reply, which starts with the shared queue's totals. */
  answered(reply: RedisReply): void;
  /** Bytes written to the client's socket that it has not handed to the system yet. */
  unsentBytes(): number;
  /** Whether the client's connection is up (else it queues commands offline, or fails them, as it was told). */
  connected(): boolean;
}

/**
 * The Redis queue store's appends, and the order of its commands. Appends are cut into chunks of at most 1,000
 * operations or 512 KB, each one APPEND script that keeps the shared queue within the bound, atomically. A chunk is
 * closed when it is full, or at the end of its tick, and goes once fewer than two chunks await Redis's answer and the
 * socket has handed what was sent before to the system (at once while the connection is down); until it may go, the
 * next ticks' appends join the open chunk. So Redis appends while a burst of calls goes on, and the others wait here
 * as operations, not as encoded commands in a socket's or Redis's buffer. A command of the store goes after every
 * append made before it (see {@link RedisAppendBatcher.inOrder}).
 */
export class RedisAppendBatcher {
  readonly #link: AppendLink;
  #bound = UNBOUNDED;
  /** The open chunk, which appends go into until it is full or may go. */
  #filling?: AppendChunk;
  #flushQueued = false;
  readonly #waiting: Waiting[] = [];
  #inFlight = 0;
  #size = 0;
  #bytes = 0;

  constructor(link: AppendLink) {
    this.#link = link;
  }

  /** Operations appended and not answered yet. */
  get size(): number {
    return this.#size;
  }

  /** Bytes of the operations appended and not answered yet. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The bound every later append keeps the shared queue within (see `RedisQueueStore.enforceBound`). */
  enforce(bound: QueueBound): void {
    this.#bound = bound;
  }

  /**
   * Appends an operation, sent with its chunk; the promise, the same for every operation of the chunk, settles once
   * Redis answered it, with what the bound did to each of them.
   */
  append(operation: QueuedOperation): Promise<AppendResults | undefined> {
    this.#size += 1;
    this.#bytes += operation.bytes;
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    let chunk = this.#filling;
    if (chunk && chunk.bytes > 0 && chunk.bytes + operation.bytes > APPEND_MAX_BYTES) chunk = this.#close();
    if (!chunk) {
      let settle!: AppendChunk['settle'];
      const done = new Promise<AppendResults | undefined>((resolve, reject) => (settle = { resolve, reject }));
      this.#filling = chunk = { ids: [], operations: [], bytes: 0, done, settle };
    }
    chunk.ids.push(operation.id);
    chunk.operations!.push(operation);
    chunk.bytes += operation.bytes;
    if (chunk.ids.length >= APPEND_MAX_OPERATIONS) this.#close();
    return chunk.done;
  }

  /**
   * Sends what may go at the end of a tick: the chunks waiting, then this tick's open chunk if it may go too (else
   * the next ticks' appends join it); `all` sends every chunk at once (at `close`).
   */
  flush(all = false): void {
    this.#flushQueued = false;
    if (all) this.#close();
    this.#sendWaiting(all);
  }

  /**
   * Runs `send` (a command of the store) once every append made before it was sent, and every command before it:
   * at once when nothing waits.
   */
  inOrder<T>(send: () => Promise<T>): Promise<T> {
    this.#close();
    if (this.#waiting.length === 0) return send();
    return new Promise<T>((resolve, reject) => this.#waiting.push({ send: () => send().then(resolve, reject) }));
  }

  /** Queues the chunk being filled to be sent (and sends what may go). */
  #close(): undefined {
    const chunk = this.#filling;
    if (!chunk) return undefined;
    this.#filling = undefined;
    this.#waiting.push({ chunk });
    this.#sendWaiting(false);
    return undefined;
  }

  /** Whether a chunk may go now: fewer than two await Redis, and the socket has handed the last one to the system. */
  // NOTE: with the connection down every chunk goes: the client fails it, or holds it until Redis is back, as its
  // options say; held back here, a chunk would wait for the ones before it to fail (a round of reconnections each).
  #keepsUp(): boolean {
    return (
      this.#inFlight === 0 ||
      !this.#link.connected() ||
      (this.#inFlight < APPENDS_IN_FLIGHT && this.#link.unsentBytes() < APPEND_MAX_BYTES)
    );
  }

  /** Sends what waits, in order, while Redis and the socket keep up (or every chunk, `all`), then the open chunk. */
  #sendWaiting(all: boolean): void {
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0];
      if ('chunk' in next && !all && !this.#keepsUp()) return;
      this.#waiting.shift();
      if ('chunk' in next) this.#send(next.chunk);
      else next.send();
    }
    // NOTE: not within the tick of its appends (its flush closes it): it would go with that tick's first ones only.
    if (this.#filling && !this.#flushQueued && this.#keepsUp()) this.#close();
  }

  #send(chunk: AppendChunk): void {
    this.#inFlight += 1;
    const { maxQueueSize, maxQueueBytes, overflow } = this.#bound;
    const payload = appendPayload(chunk.operations!);
    chunk.operations = undefined;
    this.#link.run(APPEND, [maxQueueSize, maxQueueBytes, overflow, payload]).then(
      (reply) => {
        this.#answered(chunk);
        this.#link.answered(reply);
        let results: Map<string, AppendResult> | undefined;
        // After the totals: place (1-based), refused (1/0), count of ids dropped for it, those ids.
        for (let i = 2; i < reply.length; i += 3 + Number(reply[i + 2])) {
          const droppedIds = reply.slice(i + 3, i + 3 + Number(reply[i + 2])).map(String);
          (results ??= new Map()).set(chunk.ids[Number(reply[i]) - 1], { rejected: reply[i + 1] === 1, droppedIds });
        }
        chunk.settle.resolve(results);
        this.#sendWaiting(false);
      },
      (error: unknown) => {
        this.#answered(chunk);
        chunk.settle.reject(error);
        this.#sendWaiting(false);
      },
    );
  }

  /** A chunk is answered: it is no longer on its way, nor counted in `size` and `bytes`. */
  #answered(chunk: AppendChunk): void {
    this.#inFlight -= 1;
    this.#size -= chunk.ids.length;
    this.#bytes -= chunk.bytes;
  }
}
