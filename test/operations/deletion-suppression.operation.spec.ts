import { describe, expect, it } from '@jest/globals';
import { destroyOperation } from '../../lib/operations/person-deletion.operation.js';
import { suppressOperation, unsuppressOperation } from '../../lib/operations/suppression.operation.js';
import { builtBy, entityBody, queued, refusal, TRACK_URL } from './sdk-request.js';

declare const SDK_MAJOR: 4 | 5;

describe(`deleting and suppressing a person, customerio-node ${SDK_MAJOR}.x`, () => {
  it.each([
    ['destroy', destroyOperation, 'delete', 'DELETE', ''],
    ['suppress', suppressOperation, 'suppress', 'POST', '/suppress'],
    ['unsuppress', unsuppressOperation, 'unsuppress', 'POST', '/unsuppress'],
  ])(
    '%s: queued as v2 %s, sent directly as v1 %s /customers/{id}%s',
    async (_name, operation, action, method, tail) => {
      expect(queued(operation('u 1'))).toEqual({ type: 'person', identifiers: { id: 'u 1' }, action });
      expect(operation('u 1').key).toBe('u 1');
      const built = await builtBy(operation('u 1').direct());
      expect({ method: built.method, url: built.url }).toEqual({
        method,
        url: `${TRACK_URL}/api/v1/customers/u%201${tail}`,
      });
      expect(entityBody(operation({ phone: '+14155550100' }).direct())).toEqual({
        type: 'person',
        identifiers: { phone: '+14155550100' },
        action,
      });
      expect(refusal(() => operation({ phone: '4155550100' })).field).toBe('personId.phone');
    },
  );
});
