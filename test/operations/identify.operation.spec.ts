import { describe, expect, it } from '@jest/globals';
import { identifyOperation } from '../../lib/operations/identify.operation.js';
import { builtBy, entityBody, queued, refusal, TRACK_URL } from './sdk-request.js';

declare const SDK_MAJOR: 4 | 5;

describe(`identifyOperation, customerio-node ${SDK_MAJOR}.x`, () => {
  const created = new Date('2024-01-02T03:04:05Z');

  it('queues a v2 identify, Dates as unix seconds, keyed by the person', () => {
    const operation = identifyOperation('u-1', { plan: 'pro', created_at: created }, { timestamp: 1_700_000_000 });
    expect(operation.key).toBe('u-1');
    expect(queued(operation)).toEqual({
      type: 'person',
      identifiers: { id: 'u-1' },
      action: 'identify',
      attributes: { plan: 'pro', created_at: 1_704_164_645 },
      timestamp: 1_700_000_000,
    });
  });

  it('sends v1 PUT /customers/{id} directly, with _update and _timestamp', async () => {
    const operation = identifyOperation('u-1', { plan: 'pro' }, { updateOnly: true, timestamp: created });
    expect(await builtBy(operation.direct())).toEqual({
      method: 'PUT',
      url: `${TRACK_URL}/api/v1/customers/u-1`,
      body: { plan: 'pro', _update: true, _timestamp: 1_704_164_645 },
    });
  });

  it('sends the v2 form to /api/v2/entity when v1 would read the person otherwise', () => {
    const operation = identifyOperation({ id: 'a@example.com' }, { plan: 'pro' });
    expect(operation.key).toBe('a@example.com');
    expect(entityBody(operation.direct())).toEqual(queued(operation));
    expect(queued(identifyOperation({ phone: '+14155550100' }))).toMatchObject({
      identifiers: { phone: '+14155550100' },
      attributes: {},
    });
  });

  it('keys a cio_id person as cio_…, whichever way it is given', () => {
    expect(identifyOperation('cio_abc').key).toBe('cio_abc');
    expect(identifyOperation({ cio_id: 'abc' }).key).toBe('cio_abc');
    expect(queued(identifyOperation('cio_abc'))).toMatchObject({ identifiers: { cio_id: 'abc' } });
  });

  it.each([
    ['a blank person', () => identifyOperation(' '), 'personId', 'non-blank'],
    ['a person id over 150 bytes', () => identifyOperation('x'.repeat(151)), 'personId', '150 bytes'],
    [
      'an attribute over 1,000 bytes',
      () => identifyOperation('u', { bio: 'x'.repeat(1_001) }),
      'attributes.bio',
      '1000 bytes',
    ],
    [
      'a timestamp in milliseconds',
      () => identifyOperation('u', {}, { timestamp: Date.now() }),
      'timestamp',
      'unix seconds',
    ],
    [
      'a created_at in milliseconds',
      () => identifyOperation('u', { created_at: Date.now() }),
      'attributes.created_at',
      'unix seconds',
    ],
  ])('refuses %s, naming the field and the limit', (_label, build, field, limit) => {
    expect(refusal(build)).toMatchObject({ field, limit });
  });
});
