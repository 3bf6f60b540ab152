import { boundChecks, sharedChecks } from './queue-store-capability.checks.js';
import { CheckStores, type QueueStoreContractOptions, type QueueStoreMaker } from './queue-store-check.support.js';
import { coreChecks } from './queue-store-core.checks.js';

export type { QueueStoreContractOptions, QueueStoreMaker } from './queue-store-check.support.js';

/** One check of the queue store contract: run it as one test (`it(check.name, check.run)`). */
export interface QueueStoreCheck {
  readonly name: string;
  /** Resolves when the store kept the contract; rejects with an `AssertionError` saying where it did not. */
  run(): Promise<void>;
}

/**
 * The contract every `CustomerIOQueueStore` keeps, as checks to run with any test runner: what the
 * interface promises (append, lease in order with one lease per key, acknowledge, release in place, dropOldest,
 * has, size and bytes), what a durable store keeps across close, and, for a store that has them, `enforceBound`,
 * `leaseDeadlines` and `sharedOutcomes` (a check of a capability the store lacks passes without asserting). Each
 * check makes its own stores with `makeStore` and closes them. Give a store with `leaseDeadlines` short leases
 * (a few hundred ms): the checks wait for them to run out.
 *
 * ```ts
 * describe('MyQueueStore', () => {
 *   for (const check of queueStoreContract((space) => new MyQueueStore({ table: space }))) it(check.name, check.run);
 * });
 * ```
 */
export function queueStoreContract(
  makeStore: QueueStoreMaker,
  options: QueueStoreContractOptions = {},
): QueueStoreCheck[] {
  return Object.entries({ ...coreChecks, ...boundChecks, ...sharedChecks }).map(([name, body]) => ({
    name,
    async run() {
      const stores = new CheckStores(makeStore, options);
      try {
        await body(stores);
      } finally {
        await stores.closeAll();
      }
    },
  }));
}
