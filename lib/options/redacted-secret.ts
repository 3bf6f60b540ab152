import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Holds a credential so that nothing prints it by accident: `String()`, JSON,
 * `util.inspect` and Nest's logger all see `[redacted]`. Only `reveal()` returns it.
 */
export class RedactedSecret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself, for the one place that must send it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
