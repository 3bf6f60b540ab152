import type { AppendResult, QueueBound, QueuedOperation } from '../../interfaces/queue-store.interface.js';
import { APPEND } from './redis-queue.lua.js';
import type { RedisReply } from './redis-script.loader.js';

/** Most operations appended by one script call (5 arguments each). */
const APPEND_CHUNK = 500;
/** The bound before the queue hands its own over: none. */
const UNBOUNDED: QueueBound = {
  maxQueueSize: Number.MAX_SAFE_INTEGER,
  maxQueueBytes: Number.MAX_SAFE_INTEGER,
  overflow: 'reject',
};

/** Appends made in one tick: sent together, each answered from its chunk's reply (by its place in the list). */
interface PendingAppends {
  readonly operations: QueuedOperation[];
  /** Settles once every chunk was answered, with the result of each operation refused or that made room. */
  readonly done: Promise<Map<number, AppendResult>>;
  readonly settle: { resolve(results: Map<number, AppendResult>): void; reject(error: unknown): void };
}

/**
 * The Redis queue store's appends: those made in one tick go to Redis together at its end (or sooner, see
 * {@link flush}), in chunks of 500 operations, each chunk one APPEND script that keeps the shared queue within
 * the bound, atomically.
 */
export class RedisAppendBatcher {
  readonly #run: (script: string, args: (string | number)[]) => Promise<RedisReply>;
  readonly #answered: (reply: RedisReply) => void;
  #bound = UNBOUNDED;
  /** Appends made in this tick, sent together at its end (or before the next command). */
  #appends?: PendingAppends;
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
   * Appends an operation at the end of this tick; the promise settles once every chunk of the tick was
   * answered, with what the bound did to this operation, if anything.
   */
  append(operation: QueuedOperation): Promise<AppendResult | undefined> {
    this.#size += 1;
    this.#bytes += operation.bytes;
    if (!this.#appends) {
      let settle!: PendingAppends['settle'];
      const done = new Promise<Map<number, AppendResult>>((resolve, reject) => (settle = { resolve, reject }));
      this.#appends = { operations: [], done, settle };
      queueMicrotask(() => this.flush());
    }
    const place = this.#appends.operations.push(operation) - 1;
    return this.#appends.done.then((results) => results.get(place));
  }

  /**
   * Sends the appends waiting for this tick's end now, so that they reach Redis before the command that
   * follows: a lease or a read must see every operation appended before it.
   */
  flush(): void {
    const appends = this.#appends;
    if (!appends) return;
    this.#appends = undefined;
    const { maxQueueSize, maxQueueBytes, overflow } = this.#bound;
    const results = new Map<number, AppendResult>();
    const chunks: Promise<void>[] = [];
    for (let start = 0; start < appends.operations.length; start += APPEND_CHUNK) {
      const chunk = appends.operations.slice(start, start + APPEND_CHUNK);
      const args: (string | number)[] = [maxQueueSize, maxQueueBytes, overflow];
      for (const { id, key, json, bytes, attempts } of chunk) args.push(id, key, json, bytes, attempts);
      chunks.push(
        this.#run(APPEND, args)
          .then((reply) => {
            this.#answered(reply);
            // After the totals: place (1-based in the chunk), refused (1/0), count of ids dropped for it, those ids.
            for (let i = 2; i < reply.length; i += 3 + Number(reply[i + 2])) {
              const droppedIds = reply.slice(i + 3, i + 3 + Number(reply[i + 2])).map(String);
              results.set(start + Number(reply[i]) - 1, { rejected: reply[i + 1] === 1, droppedIds });
            }
          })
          .finally(() => {
            this.#size -= chunk.length;
            this.#bytes -= chunk.reduce((sum, { bytes }) => sum + bytes, 0);
          }),
      );
    }
    Promise.all(chunks).then(() => appends.settle.resolve(results), appends.settle.reject);
  }
}
