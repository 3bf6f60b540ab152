import type { AppendResult, QueueBound, QueuedOperation } from '../../interfaces/queue-store.interface.js';
import { APPEND } from './redis-queue.lua.js';
import { operationRecord } from './redis-queue.reply.js';
import type { RedisReply } from './redis-script.loader.js';

/** Most operations one APPEND carries. */
const APPEND_MAX_OPERATIONS = 1_000;
/** Most JSON bytes one APPEND carries (an operation larger than this goes alone). */
const APPEND_MAX_BYTES = 512 * 1024;
/**
 * Most APPENDs sent and not answered: Redis has the next one at hand while it runs one, and the others wait here as
 * operations, not as encoded commands in the socket's buffer (which would double what a burst weighs).
 */
const APPENDS_IN_FLIGHT = 2;
/** The bound before the queue hands its own over: none. */
const UNBOUNDED: QueueBound = {
  maxQueueSize: Number.MAX_SAFE_INTEGER,
  maxQueueBytes: Number.MAX_SAFE_INTEGER,
  overflow: 'reject',
};

/** Operations appended together by one APPEND script call, each answered from its reply (by its place in the list). */
interface AppendChunk {
  readonly operations: QueuedOperation[];
  bytes: number;
  /** Settles once answered, with the result of each operation refused or that made room (none: `undefined`). */
  readonly done: Promise<Map<number, AppendResult> | undefined>;
  readonly settle: { resolve(results?: Map<number, AppendResult>): void; reject(error: unknown): void };
}

/** What waits to be sent, in order: chunks of appends, and the store's other commands. */
type Waiting = { readonly chunk: AppendChunk } | { readonly send: () => void };

/**
 * The Redis queue store's appends, and the order of its commands: the appends of one tick are cut into chunks (at
 * most 1,000 operations or 512 KB each), each one APPEND script that keeps the shared queue within the bound,
 * atomically; at most two are sent and not answered at once. A command of the store goes after every append made
 * before it (see {@link RedisAppendBatcher.inOrder}).
 */
export class RedisAppendBatcher {
  readonly #run: (script: string, args: (string | number)[]) => Promise<RedisReply>;
  readonly #answered: (reply: RedisReply) => void;
  #bound = UNBOUNDED;
  /** The chunks of this tick's appends, sent (or queued to be) at its end, or before the next command. */
  #tick: AppendChunk[] = [];
  readonly #waiting: Waiting[] = [];
  #inFlight = 0;
  #size = 0;
  #bytes = 0;

  /**
   * @param run runs the APPEND script (see `RedisQueueConnection.run`)
   * @param answered takes each chunk's reply, which starts with the shared queue's totals
   */
  constructor(
    run: (script: string, args: (string | number)[]) => Promise<RedisReply>,
    answered: (reply: RedisReply) => void,
  ) {
    this.#run = run;
    this.#answered = answered;
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
   * Appends an operation at the end of this tick; the promise settles once its chunk was answered, with what the
   * bound did to this operation, if anything.
   */
  append(operation: QueuedOperation): Promise<AppendResult | undefined> {
    this.#size += 1;
    this.#bytes += operation.bytes;
    if (this.#tick.length === 0) queueMicrotask(() => this.flush());
    let chunk = this.#tick.at(-1);
    if (
      !chunk ||
      chunk.operations.length >= APPEND_MAX_OPERATIONS ||
      chunk.bytes + operation.bytes > APPEND_MAX_BYTES
    ) {
      let settle!: AppendChunk['settle'];
      const done = new Promise<Map<number, AppendResult> | undefined>(
        (resolve, reject) => (settle = { resolve, reject }),
      );
      chunk = { operations: [], bytes: 0, done, settle };
      this.#tick.push(chunk);
    }
    chunk.bytes += operation.bytes;
    const place = chunk.operations.push(operation) - 1;
    return chunk.done.then((results) => results?.get(place));
  }

  /**
   * Queues this tick's appends to be sent now, so that they reach Redis before the command that follows (a lease or
   * a read must see every operation appended before it); `all` sends every chunk waiting at once (at `close`).
   */
  flush(all = false): void {
    for (const chunk of this.#tick) this.#waiting.push({ chunk });
    this.#tick = [];
    this.#sendWaiting(all);
  }

  /**
   * Runs `send` (a command of the store) once every append made before it was sent, and every command before it:
   * at once when nothing waits.
   */
  inOrder<T>(send: () => Promise<T>): Promise<T> {
    this.flush();
    if (this.#waiting.length === 0) return send();
    return new Promise<T>((resolve, reject) => this.#waiting.push({ send: () => send().then(resolve, reject) }));
  }

  #sendWaiting(all: boolean): void {
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0];
      if ('chunk' in next && this.#inFlight >= APPENDS_IN_FLIGHT && !all) return;
      this.#waiting.shift();
      if ('chunk' in next) this.#send(next.chunk);
      else next.send();
    }
  }

  #send(chunk: AppendChunk): void {
    this.#inFlight += 1;
    const { maxQueueSize, maxQueueBytes, overflow } = this.#bound;
    const args: (string | number)[] = [maxQueueSize, maxQueueBytes, overflow];
    for (const operation of chunk.operations) args.push(operation.id, operationRecord(operation));
    this.#run(APPEND, args)
      .then((reply) => {
        this.#answered(reply);
        let results: Map<number, AppendResult> | undefined;
        // After the totals: place (1-based), refused (1/0), count of ids dropped for it, those ids.
        for (let i = 2; i < reply.length; i += 3 + Number(reply[i + 2])) {
          const droppedIds = reply.slice(i + 3, i + 3 + Number(reply[i + 2])).map(String);
          (results ??= new Map()).set(Number(reply[i]) - 1, { rejected: reply[i + 1] === 1, droppedIds });
        }
        chunk.settle.resolve(results);
      }, chunk.settle.reject)
      .finally(() => {
        this.#inFlight -= 1;
        this.#size -= chunk.operations.length;
        this.#bytes -= chunk.bytes;
        this.#sendWaiting(false);
      });
  }
}
