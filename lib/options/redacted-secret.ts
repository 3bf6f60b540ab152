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
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * A connection URL that may carry a password (`redis://user:password@host:6379/0`, or `?password=`): it prints
 * with the password `[redacted]` and everything else as it is; `reveal()` returns it whole.
 */
export class RedactedUrl extends RedactedSecret {
  override toString(): string {
    const value = this.reveal();
    if (!URL.canParse(value)) return REDACTED;
    const url = new URL(value);
    if (url.password) url.password = REDACTED;
    if (url.searchParams.has('password')) url.searchParams.set('password', REDACTED);
    return url.href.replaceAll(encodeURIComponent(REDACTED), REDACTED);
  }
}

/** The options `customerIOOptionsFromConfig` builds that hold credentials. */
const SECRET_OPTIONS = new Set(['apiKey', 'appApiKey', 'pipelinesKey']);

/**
 * Makes `options` (and the copies spread from it) print its credentials `[redacted]` in `util.inspect` and
 * `JSON.stringify`, while reading them still returns them as they are.
 */
export function redactOptionsOutput<T extends object>(options: T): T {
  const view = function (this: object): Record<string, unknown> {
    const shown: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) {
      if (key !== 'toJSON') shown[key] = SECRET_OPTIONS.has(key) && value !== undefined ? REDACTED : value;
    }
    return shown;
  };
  // NOTE: own enumerable properties, so that `{ ...options, more }` carries them too.
  return Object.assign(options, {
    toJSON: view,
    [inspect.custom](this: object, _depth: number, inspectOptions: object) {
      return inspect(view.call(this), inspectOptions);
    },
  });
}
