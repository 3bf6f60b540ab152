import type { CustomerIOQueueStore } from '../interfaces/queue-store.interface.js';
import { operationIdTime } from './operation-id.js';

/**
 * The queue's `stats.oldestQueuedAgeMs`: the age of the oldest operation held, read from the id the store names
 * (`CustomerIOQueueStore.oldestId`). A store answering synchronously is asked on each read; one answering a promise
 * is asked on each {@link refresh} (the flush interval), and read from its last answer. A store without `oldestId`
 * falls back to `fallback`: the first operation of the queue's last lease, the oldest not leased at that time.
 */
export class OldestOperationAge {
  readonly #store: CustomerIOQueueStore;
  readonly #fallback: () => string | undefined;
  #answers: 'sync' | 'async' | 'never';
  /** The last answer of a store that answers a promise. */
  #known?: string;
  #asking = false;

  constructor(store: CustomerIOQueueStore, fallback: () => string | undefined) {
    this.#store = store;
    this.#fallback = fallback;
    this.#answers = typeof store.oldestId === 'function' ? 'sync' : 'never';
  }

  /** Age in ms of the oldest operation held, as of `now`; `0` when the store is empty or the age unknown. */
  ageMs(now = Date.now()): number {
    if (this.#store.size === 0) return 0;
    const id = this.#oldestId();
    const at = id === undefined ? undefined : operationIdTime(id);
    return at === undefined ? 0 : Math.max(0, now - at);
  }

  /** Asks a store that answers a promise again (the queue calls it on every flush interval). */
  refresh(): void {
    if (this.#answers === 'async') this.#ask();
  }

  #oldestId(): string | undefined {
    if (this.#answers === 'never') return this.#fallback();
    if (this.#answers === 'async') return this.#known;
    try {
      const answer = this.#store.oldestId!();
      if (!(answer instanceof Promise)) return answer;
      this.#answers = 'async';
      this.#track(answer);
    } catch {
      // NOTE: a store that cannot be read (closed, failing) leaves the age unknown; `stats` never throws.
    }
    return this.#known;
  }

  #ask(): void {
    if (this.#asking) return;
    try {
      this.#track(this.#store.oldestId!());
    } catch {
      // a failing store keeps the last answer
    }
  }

  #track(answer: string | undefined | Promise<string | undefined>): void {
    this.#asking = true;
    Promise.resolve(answer)
      .then((id) => void (this.#known = id))
      .catch(() => undefined)
      .finally(() => (this.#asking = false));
  }
}
