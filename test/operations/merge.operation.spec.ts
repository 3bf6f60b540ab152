import { describe, expect, it } from '@jest/globals';
import { mergeOperation } from '../../lib/operations/merge.operation.js';
import { builtBy, queued, refusal, TRACK_URL } from './sdk-request.js';

declare const SDK_MAJOR: 4 | 5;

describe(`mergeOperation, customerio-node ${SDK_MAJOR}.x`, () => {
  it('queues a merge keyed by the primary person, identifiers typed as given or read', () => {
    const operation = mergeOperation({ email: 'a@example.com' }, 'cio_abc');
    expect(operation.key).toBe('a@example.com');
    expect(queued(operation)).toEqual({
      type: 'person',
      action: 'merge',
      primary: { email: 'a@example.com' },
      secondary: { cio_id: 'abc' },
    });
  });

  it('sends v1 POST /merge_customers directly, with typed identifiers', async () => {
    expect(await builtBy(mergeOperation('u-1', { id: 'a@example.com' }).direct())).toEqual({
      method: 'POST',
      url: `${TRACK_URL}/api/v1/merge_customers`,
      body: { primary: { id: 'u-1' }, secondary: { id: 'a@example.com' } },
    });
  });

  it.each([
    ['a phone', () => mergeOperation({ phone: '+14155550100' } as never, 'u'), 'primary identifier'],
    ['a blank secondary', () => mergeOperation('u', ''), 'secondary'],
    ['two identifiers in one', () => mergeOperation('u', { id: 'a', email: 'b@c.d' } as never), 'secondary'],
  ])('refuses %s, naming the side', (_label, build, field) => {
    expect(refusal(build).field).toBe(field);
  });
});
