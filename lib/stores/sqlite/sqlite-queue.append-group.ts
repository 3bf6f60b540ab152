import type { QueuedOperation } from '../../interfaces/queue-store.interface.js';

/**
 * Most operations one group holds: a turn that appends more commits them in several groups, each one transaction,
 * so that neither a transaction (the WAL it grows) nor the operations held in memory until it commits have no bound.
 */
const GROUP_LIMIT = 1_000;

/**
 * The appends of `commit: 'tick'` (group commit) not committed yet: the operations appended since the last commit,
 * written together by `write` (one transaction) right after the turn of the event loop that appended them
 * (`setImmediate`), or sooner: when the store must read the queue ({@link commit}), or when a group reaches
 * {@link GROUP_LIMIT} operations. Each append answers its group's promise, which resolves once the group is
 * committed, and rejects with `write`'s error when its commit failed (none of the group is then kept).
 */
export class AppendGroup {
  /** Writes a group, in one transaction; throws when it did not commit. */
  readonly #write: (operations: readonly QueuedOperation[]) => void;
  #operations: QueuedOperation[] = [];
  #committed?: Promise<void>;
  #resolve?: () => void;
  #reject?: (error: unknown) => void;
  #timer?: NodeJS.Immediate;

  constructor(write: (operations: readonly QueuedOperation[]) => void) {
    this.#write = write;
  }

  /** The id of the oldest operation waiting for its commit, if any. */
  get oldestId(): string | undefined {
    return this.#operations[0]?.id;
  }

  /** Adds `operation` to the group; answers a promise of the group's commit. */
  add(operation: QueuedOperation): Promise<void> {
    if (this.#operations.length === 0) {
      this.#committed = new Promise<void>((resolve, reject) => {
        this.#resolve = resolve;
        this.#reject = reject;
      });
      // NOTE: the check phase right after this turn's I/O callbacks: the appends of all of them go in one
      // transaction (a microtask would commit after each callback), and the loop never waits for I/O before it.
      this.#timer = setImmediate(() => this.commit());
    }
    this.#operations.push(operation);
    const committed = this.#committed!;
    if (this.#operations.length >= GROUP_LIMIT) this.commit();
    return committed;
  }

  /** Commits the group now, if any operation waits; settles its promise. Never throws. */
  commit(): void {
    if (this.#operations.length === 0) return;
    const operations = this.#operations;
    const [resolve, reject] = [this.#resolve!, this.#reject!];
    this.#operations = [];
    clearImmediate(this.#timer);
    try {
      this.#write(operations);
    } catch (error) {
      reject(error);
      return;
    }
    resolve();
  }
}
