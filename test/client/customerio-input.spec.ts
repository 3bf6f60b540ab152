import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CUSTOMERIO_LIMITS, CustomerIOValidationError } from '../../lib/index.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { acceptedOnBothPaths, expectRefusedOnBothPaths } from '../support/validation-assertions.js';

/** A string of exactly `bytes` UTF-8 bytes, made of 2-byte characters where it can be. */
const utf8 = (bytes: number): string => 'é'.repeat(Math.floor(bytes / 2)) + 'a'.repeat(bytes % 2);

describe('input is checked against Customer.io limits before any request', () => {
  let sandbox: CustomerIOSandbox;
  let subject: TestApp;

  beforeAll(async () => {
    sandbox = await CustomerIOSandbox.start();
    subject = await startTestApp({ sandbox });
  });
  afterEach(() => {
    // Every rejected call must have been stopped before the network.
    expect(sandbox.requests).toHaveLength(0);
    sandbox.reset();
  });
  afterAll(async () => {
    await subject.app.close();
    await sandbox.close();
  });

  /** Asserts that `call` throws synchronously-at-the-call-site (as a rejection) a validation error. */
  async function expectInvalid(
    call: () => Promise<unknown>,
    field: string,
    limit: string | RegExp,
    message: RegExp,
  ): Promise<void> {
    const error = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CustomerIOValidationError);
    const validation = error as CustomerIOValidationError;
    expect(validation.field).toBe(field);
    expect(validation.limit).toMatch(limit);
    expect(validation.message).toMatch(message);
    expect(validation.retryable).toBe(false);
  }

  it('person id: not blank, at most 150 bytes (counted in UTF-8, not characters)', async () => {
    await expectInvalid(
      () => subject.direct.identify('  ', {}),
      'personId',
      'non-blank',
      /personId must be a non-blank string/,
    );
    await expectInvalid(() => subject.direct.track('', 'x'), 'personId', 'non-blank', /non-blank/);
    const long = utf8(CUSTOMERIO_LIMITS.personIdBytes + 1);
    expect(long.length).toBeLessThan(CUSTOMERIO_LIMITS.personIdBytes);
    await expectInvalid(
      () => subject.direct.identify(long, {}),
      'personId',
      '150 bytes',
      /personId is 151 bytes, over Customer.io's limit of 150 bytes/,
    );
  });

  it('a person id of exactly 150 bytes is accepted', async () => {
    await subject.direct.identify(utf8(150), {});
    expect(sandbox.people.size).toBe(1);
    sandbox.reset();
  });

  it('event name: not blank, at most 100 bytes', async () => {
    await expectInvalid(() => subject.direct.track('u', ' '), 'name', 'non-blank', /name must be a non-blank string/);
    await expectInvalid(
      () => subject.direct.track('u', utf8(101)),
      'name',
      '100 bytes',
      /name is 101 bytes, over Customer.io's limit of 100 bytes/,
    );
    await expectInvalid(() => subject.direct.trackPageView('u', ''), 'path', 'non-blank', /path must be/);
  });

  it('event data: at most 100,000 bytes serialized', async () => {
    const data = { blob: utf8(CUSTOMERIO_LIMITS.eventDataBytes) };
    await expectInvalid(
      () => subject.direct.track('u', 'big', data),
      'data',
      '100000 bytes',
      /data is 100011 bytes, over Customer.io's limit of 100000 bytes/,
    );
  });

  it('event data: a plain object', async () => {
    await expectInvalid(
      () => subject.direct.track('u', 'x', [1, 2] as never),
      'data',
      'object',
      /data must be a plain object/,
    );
  });

  it('attributes: each value at most 1,000 bytes as sent', async () => {
    await expectInvalid(
      () => subject.direct.identify('u', { bio: utf8(1_001) }),
      'attributes.bio',
      '1000 bytes',
      /attributes.bio is 1001 bytes, over Customer.io's limit of 1000 bytes/,
    );
    await expectInvalid(
      () => subject.direct.identify('u', { tags: Array.from({ length: 300 }, (_, i) => `t${i}`) }),
      'attributes.tags',
      '1000 bytes',
      /attributes.tags is more than 1000 bytes serialized, over Customer.io's limit of 1000 bytes/,
    );
  });

  it('attributes: at most 300, with names of at most 150 bytes', async () => {
    const many = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`a${i}`, i]));
    await expectInvalid(
      () => subject.direct.identify('u', many),
      'attributes',
      '300 attributes',
      /attributes has 301 attributes, over Customer.io's limit of 300/,
    );
    await expectInvalid(
      () => subject.direct.identify('u', { [utf8(302)]: 1 }),
      'attributes name',
      '150 bytes',
      /attributes name "é+…" is 302 bytes, over Customer.io's limit of 150 bytes/,
    );
  });

  it('values that cannot be serialized: circular references, BigInt, functions, symbols', async () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    await expectInvalid(
      () => subject.direct.track('u', 'x', circular),
      'data.self',
      'JSON-serializable',
      /data.self cannot be sent as JSON: it is a circular reference/,
    );
    await expectInvalid(
      () => subject.direct.track('u', 'x', { amount: 10n }),
      'data.amount',
      'JSON-serializable',
      /data.amount cannot be sent as JSON: a bigint value/,
    );
    await expectInvalid(
      () => subject.direct.track('u', 'x', { cb: () => 1 }),
      'data.cb',
      'JSON-serializable',
      /a function value/,
    );
    await expectInvalid(
      () => subject.direct.identify('u', { s: Symbol('x') }),
      'attributes.s',
      'JSON-serializable',
      /a symbol value/,
    );
    await expectInvalid(
      () => subject.direct.identify('u', { nested: { n: 1n } }),
      'attributes.nested.n',
      'JSON-serializable',
      /bigint/,
    );
  });

  it('timestamps: unix seconds past 9999-12-31 are refused as looking like milliseconds, on every timestamp field and both paths', async () => {
    const ms = 1_700_000_000_000;
    const looksLikeMs = (field: string, got: number) => ({
      field,
      limit: 'unix seconds',
      message: new RegExp(
        `^${field} is ${got}, after 253402300799 \\(9999-12-31\\) in unix seconds: it looks like milliseconds`,
      ),
    });
    await expectRefusedOnBothPaths(
      subject,
      (api) => api.track('u', 'x', {}, { timestamp: 1e13 }),
      looksLikeMs('timestamp', 1e13),
    );
    await expectRefusedOnBothPaths(
      subject,
      (api) => api.trackAnonymous('a', 'x', {}, { timestamp: ms }),
      looksLikeMs('timestamp', ms),
    );
    await expectRefusedOnBothPaths(
      subject,
      (api) => api.trackPageView('u', '/p', {}, { timestamp: ms }),
      looksLikeMs('timestamp', ms),
    );
    await expectRefusedOnBothPaths(
      subject,
      (api) => api.identify('u', {}, { timestamp: ms }),
      looksLikeMs('timestamp', ms),
    );
    await expectRefusedOnBothPaths(
      subject,
      (api) => api.identify('u', { created_at: ms }),
      looksLikeMs('attributes.created_at', ms),
    );
    await expectRefusedOnBothPaths(
      subject,
      (api) => api.addDevice('u', 'tok', 'ios', { lastUsed: ms }),
      looksLikeMs('lastUsed', ms),
    );
    // Metrics have no queued form: client.trackMetric and client.trackPush are client.direct's.
    for (const call of [
      () => subject.client.trackMetric({ deliveryId: 'd', metric: 'opened', timestamp: ms }),
      () => subject.direct.trackPush({ deliveryId: 'd', event: 'opened', timestamp: ms }),
    ]) {
      await expectInvalid(
        call,
        'timestamp',
        'unix seconds',
        /^timestamp is 1700000000000, after 253402300799 \(9999-12-31\) in unix seconds: it looks like milliseconds/,
      );
    }
  });

  it('timestamps: a valid Date from 1970 to 9999, or non-negative integer unix seconds', async () => {
    const invalid = {
      field: 'timestamp',
      limit: 'unix seconds',
      message: /^timestamp must be a valid Date from 1970 to 9999, or unix seconds \(a non-negative integer\), got /,
    };
    for (const timestamp of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -1,
      1_700_000_000.5,
      new Date('nope'),
      new Date(-1_000),
      new Date(8.64e15),
    ]) {
      await expectRefusedOnBothPaths(subject, (api) => api.track('u', 'x', {}, { timestamp }), invalid);
    }
    await expectRefusedOnBothPaths(subject, (api) => api.identify('u', { created_at: new Date(Number.NaN) }), {
      ...invalid,
      field: 'attributes.created_at',
      message: /got an invalid Date/,
    });
  });

  it('timestamps: 0 and 253402300799 (9999-12-31T23:59:59Z) are the bounds taken', async () => {
    const latest = CUSTOMERIO_LIMITS.latestTimestamp;
    await acceptedOnBothPaths(subject, (api) => api.track('u', 'first', {}, { timestamp: 0 }));
    await acceptedOnBothPaths(subject, (api) =>
      api.track('u', 'last', {}, { timestamp: new Date(latest * 1000 + 999) }),
    );
    await acceptedOnBothPaths(subject, (api) => api.identify('u', { created_at: latest }));
    expect(sandbox.events.map((event) => event.timestamp)).toEqual([0, 0, latest, latest]);
    expect(sandbox.people.get('u')?.attributes).toEqual({ created_at: latest });
    sandbox.reset();
  });

  it('enumerations: device platform, metric name, merge identifiers', async () => {
    await expectInvalid(
      () => subject.direct.addDevice('u', 'tok', 'windows' as 'ios'),
      'platform',
      /one of "ios", "android"/,
      /platform must be one of/,
    );
    await expectInvalid(
      () => subject.direct.trackMetric({ deliveryId: 'd', metric: 'read' as 'opened' }),
      'metric',
      /one of/,
      /metric must be one of/,
    );
    await expectInvalid(
      () => subject.direct.mergeCustomers({ phone: '1' } as never, { id: 'b' }),
      'primary identifier',
      /one of/,
      /primary identifier must be one of "id", "email", "cio_id"/,
    );
  });
});
