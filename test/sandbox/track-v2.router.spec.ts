/**
 * The sandbox's Track API v2 over real HTTP (batch and entity), and the scanner that sizes each operation of a batch.
 */
import { describe, expect, it } from '@jest/globals';
import { type CustomerIOSandbox } from '../../lib/testing/index.js';
import { batchOperationSizes } from '../../lib/sandbox/batch-operation.scanner.js';
import { ulid, sandboxCalls } from './sandbox-calls.js';
import { useSandbox } from '../support/test-app.js';

let sandbox: CustomerIOSandbox;
useSandbox('each', (started) => (sandbox = started));

const { call, batch } = sandboxCalls(() => sandbox);

describe('CustomerIOSandbox: Track API v2', () => {
  it('applies a valid batch in order and answers 200', async () => {
    const answer = await batch([
      { type: 'person', identifiers: { id: 'u1' }, action: 'identify', attributes: { plan: 'pro' } },
      { type: 'person', identifiers: { email: 'b@x.io' }, action: 'identify', attributes: { a: 1 } },
      {
        type: 'person',
        identifiers: { id: 'u1' },
        action: 'event',
        name: 'paid',
        id: ulid(1),
        timestamp: 5,
        attributes: { n: 1 },
      },
      { type: 'person', identifiers: { cio_id: 'abc' }, action: 'page', name: '/home' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'screen', name: 'Home' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'add_device', device: { token: 't1', platform: 'ios' } },
      { type: 'person', identifiers: { id: 'u1' }, action: 'add_device', device: { token: 't2', platform: 'android' } },
      { type: 'person', identifiers: { id: 'u1' }, action: 'delete_device', device: { token: 't2' } },
      { type: 'person', action: 'merge', primary: { id: 'u1' }, secondary: { email: 'b@x.io' } },
      { type: 'person', identifiers: { id: 'u1' }, action: 'suppress' },
      { type: 'person', identifiers: { id: 'u2' }, action: 'identify' },
      { type: 'person', identifiers: { id: 'u2' }, action: 'delete' },
    ]);
    expect(answer).toMatchObject({ status: 200, body: {} });
    expect(sandbox.people.get('u1')).toEqual({
      id: 'u1',
      attributes: { plan: 'pro', a: 1 },
      devices: { t1: { id: 't1', platform: 'ios' } },
      suppressed: true,
    });
    expect([...sandbox.people.keys()]).toEqual(['u1']);
    expect(sandbox.events).toEqual([
      { id: ulid(1), personId: 'u1', name: 'paid', type: 'event', data: { n: 1 }, timestamp: 5, api: 'v2' },
      { personId: 'cio_abc', name: '/home', type: 'page', data: {}, api: 'v2' },
      { personId: 'u1', name: 'Home', type: 'screen', data: {}, api: 'v2' },
    ]);
    expect(sandbox.merges).toEqual([{ primary: { id: 'u1' }, secondary: { email: 'b@x.io' } }]);
    expect(sandbox.deletedPeople).toEqual(['u2']);
    expect(sandbox.batches).toEqual([{ api: 'track', operations: 12, bytes: sandbox.requests[0].bytes, status: 200 }]);
  });

  it('answers 207 with batch_index/reason/field for invalid operations and applies the valid ones', async () => {
    const answer = await batch([
      { type: 'person', identifiers: { id: 'u1' }, action: 'identify', attributes: { ok: true } },
      { type: 'delivery', identifiers: { id: 'd-1' }, action: 'add_metric' },
      { type: 'person', identifiers: { id: 'u2', email: 'x@y.z' }, action: 'identify' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'event' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'fly' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'event', name: 'ok' },
      { type: 'person', identifiers: { id: 'u1' }, action: 'identify', attributes: { big: 'x'.repeat(1001) } },
      {
        type: 'person',
        identifiers: { id: 'u1' },
        action: 'event',
        name: 'x',
        attributes: { blob: 'y'.repeat(32_000) },
      },
    ]);
    expect(answer.status).toBe(207);
    const errors = (answer.body as { errors: Record<string, unknown>[] }).errors;
    expect(errors.map(({ batch_index, reason, field }) => ({ batch_index, reason, field }))).toEqual([
      { batch_index: 1, reason: 'unsupported', field: 'type' },
      { batch_index: 2, reason: 'invalid', field: 'identifiers' },
      { batch_index: 3, reason: 'invalid', field: 'name' },
      { batch_index: 4, reason: 'invalid', field: 'action' },
      { batch_index: 6, reason: 'invalid', field: 'attributes.big' },
      { batch_index: 7, reason: 'too_large', field: undefined },
    ]);
    for (const error of errors) expect(error.message).toEqual(expect.any(String));
    expect(sandbox.people.get('u1')?.attributes).toEqual({ ok: true });
    expect(sandbox.events.map((event) => event.name)).toEqual(['ok']);
    expect(sandbox.batches).toEqual([{ api: 'track', operations: 8, bytes: expect.any(Number), status: 207 }]);
  });

  it('answers 413 to a batch over 500 KB and 400 to a body without a batch', async () => {
    const ops = Array.from({ length: 20 }, (_, i) => ({
      type: 'person',
      identifiers: { id: `u${i}` },
      action: 'event',
      name: 'e',
      attributes: { blob: 'z'.repeat(26_000) },
    }));
    const answer = await batch(ops);
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ errors: [{ reason: 'request_too_large', message: expect.any(String) }] });
    expect(sandbox.events).toHaveLength(0);
    expect(await call('POST', '/api/v2/batch', { ops: [] })).toMatchObject({
      status: 400,
      body: { errors: [{ reason: 'invalid', field: 'batch' }] },
    });
    expect(sandbox.batches.map(({ operations, status }) => [operations, status])).toEqual([
      [0, 413],
      [0, 400],
    ]);
  });

  it('handles /api/v2/entity: one operation, 413 over 32 KB', async () => {
    const op = { type: 'person', identifiers: { id: 'u1' }, action: 'identify', attributes: { a: 1 } };
    expect(await call('POST', '/api/v2/entity', op)).toMatchObject({ status: 200, body: {} });
    expect(sandbox.people.get('u1')?.attributes).toEqual({ a: 1 });
    const big = { ...op, action: 'event', name: 'e', attributes: { blob: 'x'.repeat(33_000) } };
    expect(await call('POST', '/api/v2/entity', big)).toMatchObject({ status: 413 });
    expect(await call('POST', '/api/v2/entity', { ...op, identifiers: {} })).toMatchObject({
      status: 400,
      body: { errors: [{ reason: 'invalid', field: 'identifiers' }] },
    });
  });

  it('dedupes events by id across v1 and v2', async () => {
    const v1 = { name: 'paid', id: ulid(99) };
    expect(await call('POST', '/api/v1/customers/u1/events', v1)).toMatchObject({ status: 200 });
    expect(await call('POST', '/api/v1/customers/u1/events', v1)).toMatchObject({ status: 200 });
    expect(
      await batch([
        { type: 'person', identifiers: { id: 'u1' }, action: 'event', name: 'paid', id: ulid(99) },
        { type: 'person', identifiers: { id: 'u1' }, action: 'event', name: 'paid', id: ulid(98) },
      ]),
    ).toMatchObject({ status: 200 });
    expect(sandbox.events.map((event) => [event.id, event.api])).toEqual([
      [ulid(99), 'v1'],
      [ulid(98), 'v2'],
    ]);
    expect(sandbox.duplicateEvents).toBe(2);
  });
});

describe('batchOperationSizes', () => {
  it('measures each operation of the top-level batch array as sent, white space and nesting included', () => {
    const operations = [
      { a: 1, s: 'x,]}"\\' },
      { b: [1, 2, { c: 'é' }] },
      { t: '\\"', u: '\\\\', '"k': '"' },
      'str',
      42,
      null,
      {},
    ];
    const body = Buffer.from(JSON.stringify({ other: [1, { batch: [9] }], batch: operations, tail: 1 }));
    expect(batchOperationSizes(body)).toEqual(operations.map((o) => Buffer.byteLength(JSON.stringify(o))));
    expect(batchOperationSizes(Buffer.from('{ "batch" : [ {"x": 1} ,  {"y":[ ]} ] }'))).toEqual([8, 9]);
    expect(batchOperationSizes(Buffer.from('{"batch":[]}'))).toEqual([]);
    expect(batchOperationSizes(Buffer.from('{"other":[1]}'))).toBeUndefined();
  });
});
