import type { Reply } from './sandbox-reply.js';
import type { FaultMatch, SandboxFaultOptions, SandboxStatusFaultOptions } from './sandbox-faults.interface.js';

/** What a scripted fault does to a request it matches (internal). */
export type FaultAction =
  | { kind: 'status'; reply: Reply }
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset'; afterProcessing: boolean };

/** A scripted fault (internal): which requests it matches, how many uses it has left, what it does. */
export interface FaultRule extends FaultMatch {
  remaining: number;
  action: FaultAction;
}

/** The answer of `respondWith(status, options)`; throws a RangeError for a status outside 200..599. */
export function statusFault(status: number, options: SandboxStatusFaultOptions): FaultAction {
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new RangeError(`respondWith: status must be an integer from 200 to 599, got ${status}`);
  }
  const headers: Record<string, string> =
    options.retryAfter === undefined ? {} : { 'Retry-After': String(options.retryAfter) };
  const body = [204, 205, 304].includes(status)
    ? undefined
    : (options.body ?? { meta: { error: `scripted ${status}` } });
  return { kind: 'status', reply: { status, body, headers } };
}

/** The action of `delay(ms)`; throws a RangeError for a negative or infinite `ms`. */
export function delayFault(ms: number): FaultAction {
  if (!(ms >= 0 && Number.isFinite(ms))) throw new RangeError(`delay: ms must be a finite number >= 0, got ${ms}`);
  return { kind: 'delay', ms };
}

/** The scripted faults, in the order added; the first that matches a request and has uses left applies (internal). */
export class SandboxFaults {
  readonly #rules: FaultRule[] = [];

  /** @param changed called after a fault is added or the faults are cleared */
  constructor(private readonly changed: () => void = () => {}) {}

  /** Adds a fault for the requests `options` match, `options.times` times. */
  add({ path, method, times = Infinity }: SandboxFaultOptions, action: FaultAction): void {
    if (!(times >= 1)) throw new RangeError(`times must be at least 1, got ${times}`);
    this.#rules.push({ path, method: method?.toUpperCase(), remaining: times, action });
    this.changed();
  }

  /** The faults with uses left, in the order they apply. */
  active(): readonly Readonly<FaultRule>[] {
    return this.#rules;
  }

  /** The first fault matching the request that has uses left, used once. */
  take(method: string, pathname: string): FaultAction | undefined {
    const rule = this.#rules.find(
      ({ path, method: ruleMethod }) =>
        (ruleMethod === undefined || ruleMethod === method) &&
        (path === undefined || (typeof path === 'string' ? pathname.startsWith(path) : pathname.search(path) >= 0)),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules.splice(this.#rules.indexOf(rule), 1);
    return rule.action;
  }

  /** Removes every fault. */
  clear(): void {
    this.#rules.length = 0;
    this.changed();
  }
}
