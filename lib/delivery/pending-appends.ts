import type { CustomerIOError } from '../errors/customerio.errors.js';
import type { AppendResult, AppendResults } from '../interfaces/queue-store.interface.js';

/** What the queue makes of a store's answer to the append of one operation (see `QueueAdmission`). */
export interface AppendAnswers {
  /** Reports what the bound did to operation `id`, if anything: answers the error of a refusal. */
  applied(result: AppendResult | undefined, id: string): CustomerIOError | undefined;
  /** Reports that the store failed to append operation `id`: answers the error its `stored` rejects with. */
  failed(error: unknown, id: string): CustomerIOError;
}

const ignore = (): void => undefined;

/** What a store answered for operation `id`: its own result, out of its batch's if the store answered those. */
export function appendResultOf(answer: void | AppendResult | AppendResults, id: string): AppendResult | undefined {
  return isBatch(answer) ? answer.get(id) : (answer ?? undefined);
}

function isBatch(answer: void | AppendResult | AppendResults): answer is AppendResults {
  return answer instanceof Map;
}

/**
 * The appends a store answered with one promise: a batch it sends together (see `AppendResults`), or one operation.
 * They are settled together once it settles, and an operation's `stored` is made only when its receipt reads it, so
 * that a queued operation costs no promise of its own.
 */
export class PendingAppends {
  /** The store's answer. */
  readonly answer: Promise<void | AppendResult | AppendResults>;
  #ids: string[] = [];
  #open = true;
  /** The error `stored` rejects with, for each operation refused or failed. */
  #errors?: Map<string, CustomerIOError>;
  readonly #settled: Promise<void>;

  constructor(answer: Promise<void | AppendResult | AppendResults>, answers: AppendAnswers) {
    this.answer = answer;
    this.#settled = answer.then(
      (result) => {
        const ids = this.#close();
        if (isBatch(result)) for (const [id, own] of result) this.#record(id, answers.applied(own, id));
        else if (result) for (const id of ids) this.#record(id, answers.applied(result, id));
      },
      (error: unknown) => {
        for (const id of this.#close()) this.#record(id, answers.failed(error, id));
      },
    );
  }

  /** Whether the answer is still awaited: an operation answered with it later belongs to a new group. */
  get open(): boolean {
    return this.#open;
  }

  /** Adds operation `id`, answered with {@link answer}. */
  add(id: string): this {
    this.#ids.push(id);
    return this;
  }

  /** Operation `id`'s `stored`: resolves once the store holds it, rejects with why it does not. */
  storedOf(id: string): Promise<void> {
    const stored = this.#settled.then(() => {
      const error = this.#errors?.get(id);
      if (error) throw error;
    });
    // NOTE: a `stored` nobody awaits must not be an unhandled rejection.
    stored.catch(ignore);
    return stored;
  }

  /** The ids added, which the group lets go of: the answer came. */
  #close(): string[] {
    this.#open = false;
    const ids = this.#ids;
    this.#ids = [];
    return ids;
  }

  #record(id: string, error: CustomerIOError | undefined): void {
    if (error) (this.#errors ??= new Map()).set(id, error);
  }
}
