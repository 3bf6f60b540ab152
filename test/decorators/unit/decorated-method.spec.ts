/**
 * The method wrapper on its own: what `settled` sees for each way a call can end, and that the caller sees
 * the original's result, exception, name and metadata.
 */
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, lastValueFrom, of, throwError, toArray } from 'rxjs';
import type { CallOutcome } from '../../../lib/decorators/decorated-call.interface.js';
import { DECORATED_METHOD, wrapMethod } from '../../../lib/decorators/decorated-method.js';

/** `method` wrapped, with the outcomes it settled and the `this` and arguments of each. */
function wrapped<F extends (...args: never[]) => unknown>(method: F) {
  const settled: { self: unknown; args: unknown[]; outcome: CallOutcome }[] = [];
  const descriptor: PropertyDescriptor = { value: method };
  wrapMethod(descriptor, (self, args, outcome) => settled.push({ self, args, outcome }));
  return { call: descriptor.value as F, settled };
}

describe('wrapMethod', () => {
  it('settles a sync result after the call, with its this and arguments, and returns it unchanged', () => {
    const self = { factor: 3 };
    const { call, settled } = wrapped(function (this: typeof self, n: number) {
      expect(settled).toHaveLength(0);
      return n * this.factor;
    });
    expect(call.call(self, 2)).toBe(6);
    expect(settled).toEqual([{ self, args: [2], outcome: { result: 6 } }]);
  });

  it('settles a sync exception and rethrows the same error', () => {
    const error = new TypeError('boom');
    const { call, settled } = wrapped(() => {
      throw error;
    });
    expect(() => call()).toThrow(error);
    expect(settled.map((s) => s.outcome)).toEqual([{ error }]);
  });

  it('settles a Promise once it resolves or rejects, and passes on its value or rejection', async () => {
    const ok = wrapped(async (n: number) => n + 1);
    const pending = ok.call(1);
    expect(ok.settled).toHaveLength(0);
    await expect(pending).resolves.toBe(2);
    expect(ok.settled.map((s) => s.outcome)).toEqual([{ result: 2 }]);

    const error = new Error('rejected');
    const failed = wrapped(() => Promise.reject(error));
    await expect(failed.call()).rejects.toBe(error);
    expect(failed.settled.map((s) => s.outcome)).toEqual([{ error }]);
  });

  it('settles an Observable on completion with its last value, or on its error, once a subscriber runs it', async () => {
    const ok = wrapped(() => of(1, 2, 3));
    const observable = ok.call();
    expect(ok.settled).toHaveLength(0);
    await expect(lastValueFrom(observable.pipe(toArray()))).resolves.toEqual([1, 2, 3]);
    expect(ok.settled.map((s) => s.outcome)).toEqual([{ result: 3 }]);

    const error = new Error('stream failed');
    const failed = wrapped(() => throwError(() => error));
    await expect(firstValueFrom(failed.call())).rejects.toBe(error);
    expect(failed.settled.map((s) => s.outcome)).toEqual([{ error }]);
  });

  it('keeps a thenable that is not a Promise as a result', () => {
    const thenable = { then: () => undefined };
    const { call, settled } = wrapped(() => thenable);
    expect(call()).toBe(thenable);
    expect(settled.map((s) => s.outcome)).toEqual([{ result: thenable }]);
  });

  it("carries the original's name and own metadata, and marks the wrapper", () => {
    function original(): number {
      return 1;
    }
    Reflect.defineMetadata('path', '/here', original);
    Reflect.defineMetadata(Symbol.for('other'), { a: 1 }, original);
    const { call } = wrapped(original);
    expect(call).not.toBe(original);
    expect(call.name).toBe('original');
    expect(Reflect.getOwnMetadata('path', call)).toBe('/here');
    expect(Reflect.getOwnMetadata(Symbol.for('other'), call)).toEqual({ a: 1 });
    expect((call as unknown as Record<symbol, unknown>)[DECORATED_METHOD]).toBe(true);
    expect((original as unknown as Record<symbol, unknown>)[DECORATED_METHOD]).toBeUndefined();
  });
});
