import { isObservable, Observable } from 'rxjs';
import type { CallOutcome } from './decorated-call.interface.js';

/** Marks the methods this library wrapped, so the explorer can find the classes that have any. */
export const DECORATED_METHOD = Symbol('nestjs-customerio:decorated-method');

/**
 * Wraps `descriptor.value` at decoration time so that `settled` runs after every call — sync, Promise or
 * Observable — without changing what the call returns or throws. The wrapper carries the original's
 * metadata and name, so decorators stacked above or below (`@Get`, `@Interval`, `@OnEvent`, …) keep
 * working: Nest registers routes before any module init, so wrapping later would miss them.
 */
export function wrapMethod(
  descriptor: PropertyDescriptor,
  settled: (self: unknown, args: unknown[], outcome: CallOutcome) => void,
): void {
  const original = descriptor.value as (...args: unknown[]) => unknown;
  function decorated(this: unknown, ...args: unknown[]): unknown {
    let returned: unknown;
    try {
      returned = original.apply(this, args);
    } catch (error) {
      settled(this, args, { error });
      throw error;
    }
    if (returned instanceof Promise) {
      return returned.then(
        (result: unknown) => (settled(this, args, { result }), result),
        (error: unknown) => {
          settled(this, args, { error });
          throw error;
        },
      );
    }
    if (typeof returned === 'object' && returned !== null && isObservable(returned))
      return settleOnComplete(returned, (outcome) => settled(this, args, outcome));
    settled(this, args, { result: returned });
    return returned;
  }
  for (const key of Reflect.getOwnMetadataKeys(original)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, original), decorated);
  }
  Object.defineProperty(decorated, 'name', { value: original.name });
  Object.defineProperty(decorated, DECORATED_METHOD, { value: true });
  descriptor.value = decorated;
}

/** The same Observable, calling `settled` with its last value on completion, or with its error. */
function settleOnComplete(source: Observable<unknown>, settled: (outcome: CallOutcome) => void): Observable<unknown> {
  return new Observable((subscriber) => {
    let last: unknown;
    return source.subscribe({
      next(value) {
        last = value;
        subscriber.next(value);
      },
      error(error: unknown) {
        settled({ error });
        subscriber.error(error);
      },
      complete() {
        settled({ result: last });
        subscriber.complete();
      },
    });
  });
}
