// What the checks of the queue store contract share: the stores a check opens, and operations to append.
import { randomBytes } from 'node:crypto';
import type {
  CustomerIOQueueStore,
  LeaseLimits,
  MaybePromise,
  QueuedOperation,
} from '../interfaces/queue-store.interface.js';

/**
 * Makes a store on `space`: a name the contract picks afresh for each check, and passes again to open another
 * store on the same operations (the next start of a durable store, or another process sharing the store). Map it
 * to a file, a key prefix, a table... A store of one process may ignore it. Resolve once the store's `size` and
 * `bytes` count what the space holds (e.g. `await store.ready()` for the Redis store).
 */
export type QueueStoreMaker = (space: string) => MaybePromise<CustomerIOQueueStore>;

/** Options of `queueStoreContract`. */
export interface QueueStoreContractOptions {
  /**
   * Whether two stores may be open on one space at once, as the processes sharing a Redis store are: the checks
   * of two stores leasing side by side run only then.
   * @default whether the store has `sharedOutcomes` or `leaseDeadlines`
   */
  readonly shared?: boolean;
}

/** The stores a check opened, closed when it ends. */
export class CheckStores {
  readonly #opened: CustomerIOQueueStore[] = [];
  /** The space of the check: the one every store it opens shares. */
  readonly space = `contract-${randomBytes(6).toString('hex')}`;

  constructor(
    private readonly make: QueueStoreMaker,
    private readonly options: QueueStoreContractOptions,
  ) {}

  /** Opens a store on the check's space. */
  async open(): Promise<CustomerIOQueueStore> {
    const store = await this.make(this.space);
    this.#opened.push(store);
    return store;
  }

  /** Whether two stores may be open on the space at once (see {@link QueueStoreContractOptions.shared}). */
  shared(store: CustomerIOQueueStore): boolean {
    return this.options.shared ?? (store.sharedOutcomes !== undefined || store.leaseDeadlines !== undefined);
  }

  /** Closes every store the check opened, last opened first. */
  async closeAll(): Promise<void> {
    for (const store of this.#opened.splice(0).reverse()) await store.close?.();
  }
}

/** A check whose stores are closed however it ends. */
export type CheckBody = (stores: CheckStores) => Promise<void>;

/** Leases everything that may be leased. */
export const ALL: LeaseLimits = { maxOperations: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER };

/** An operation of `key` whose JSON is padded to weigh more (its `bytes` are its JSON's UTF-8 bytes). */
export function op(id: string, key: string, pad = ''): QueuedOperation {
  const json = JSON.stringify({ type: 'person', identifiers: { id: key }, action: 'event', name: 'e', id, pad });
  return { id, key, json, bytes: Buffer.byteLength(json), attempts: 0 };
}

// NOTE: the helpers below build the arrays and objects they answer (Array.from, literals): an array a native driver
// returned belongs to another realm under Jest's VM, and node:assert's strict comparison tells the realms apart.

/** The ids of `operations`, in order. */
export const ids = (operations: readonly QueuedOperation[]): string[] => Array.from(operations, ({ id }) => id);

/** The attempts of `operations`, in order. */
export const attemptsOf = (operations: readonly QueuedOperation[]): number[] =>
  Array.from(operations, ({ attempts }) => attempts);

/** The contract's fields of an operation (a store may add its own, such as a lease token). */
export const fields = ({ id, key, json, bytes, attempts }: QueuedOperation): QueuedOperation => ({
  id,
  key,
  json,
  bytes,
  attempts,
});

/** Appends each operation, in order. */
export async function appendAll(store: CustomerIOQueueStore, operations: readonly QueuedOperation[]): Promise<void> {
  for (const operation of operations) await store.append(operation);
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
