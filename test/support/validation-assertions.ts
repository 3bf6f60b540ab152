import { expect } from '@jest/globals';
import { type CustomerIODirectClient, CustomerIOValidationError } from '../../lib/index.js';
import type { TestApp } from './test-app.js';

type PersonCall =
  | 'identify'
  | 'track'
  | 'trackAnonymous'
  | 'trackPageView'
  | 'trackScreen'
  | 'addDevice'
  | 'deleteDevice'
  | 'trackMetric'
  | 'trackPush'
  | 'addRelationships'
  | 'deleteRelationships'
  | 'identifyObject'
  | 'deleteObject'
  | 'addObjectRelationships'
  | 'deleteObjectRelationships';

/** The calls the queued client and `client.direct` share, typed so that either can be passed. */
export type PersonCalls = { [K in PersonCall]: (...args: Parameters<CustomerIODirectClient[K]>) => unknown };

/** What a refused call's error must say. */
export interface ExpectedRefusal {
  field: string;
  limit: string | RegExp;
  message: RegExp;
}

function expectRefusal(error: unknown, expected: ExpectedRefusal, path: string): void {
  expect({ path, error }).toMatchObject({ path, error: expect.any(CustomerIOValidationError) });
  const validation = error as CustomerIOValidationError;
  expect({ path, field: validation.field, message: validation.message }).toEqual({
    path,
    field: expected.field,
    message: expect.stringMatching(expected.message),
  });
  expect(validation.limit).toMatch(expected.limit);
  expect(validation.retryable).toBe(false);
}

/**
 * Asserts that `call` is refused on both paths with the same {@link CustomerIOValidationError}: thrown at the
 * call site on the queued client (nothing enqueued), and as the rejection of `client.direct`'s promise.
 */
export async function expectRefusedOnBothPaths(
  subject: TestApp,
  call: (api: PersonCalls) => unknown,
  expected: ExpectedRefusal,
): Promise<void> {
  const enqueued = subject.client.stats.enqueued;
  let thrown: unknown;
  try {
    call(subject.client);
  } catch (error) {
    thrown = error;
  }
  expectRefusal(thrown, expected, 'client');
  expect(subject.client.stats.enqueued).toBe(enqueued);
  const rejected = await (async () => call(subject.direct))().then(
    () => undefined,
    (error: unknown) => error,
  );
  expectRefusal(rejected, expected, 'client.direct');
}

/** Runs `call` on both paths and waits until each was delivered (the queued one flushed). */
export async function acceptedOnBothPaths(subject: TestApp, call: (api: PersonCalls) => unknown): Promise<void> {
  const { delivered } = call(subject.client) as { delivered: Promise<unknown> };
  await subject.client.flush();
  await delivered;
  await call(subject.direct);
}
