import { describe, expect, it } from '@jest/globals';
import {
  deleteObjectOperation,
  identifyObjectOperation,
  objectRelationshipsOperation,
} from '../../lib/operations/object.operation.js';
import { personRelationshipsOperation } from '../../lib/operations/relationship.operation.js';
import { entityBody, queued, refusal } from './sdk-request.js';

describe('object and relationship operations', () => {
  const account = { object_type_id: 1, object_id: 'acme' };

  it('queues an object identify keyed by the object, relating people; directly, the same to /api/v2/entity', () => {
    const operation = identifyObjectOperation(
      account,
      { name: 'Acme', since: new Date('2024-01-02T03:04:05Z') },
      { relationships: [{ person: 'u-1', attributes: { role: 'admin' } }, { person: { email: 'b@example.com' } }] },
    );
    expect(operation.key).toBe('object:1:acme');
    expect(queued(operation)).toEqual({
      type: 'object',
      identifiers: { object_type_id: '1', object_id: 'acme' },
      action: 'identify',
      attributes: { name: 'Acme', since: 1_704_164_645 },
      cio_relationships: [
        { identifiers: { id: 'u-1' }, relationship_attributes: { role: 'admin' } },
        { identifiers: { email: 'b@example.com' } },
      ],
    });
    expect(entityBody(operation.direct())).toEqual(queued(operation));
  });

  it('queues deleting an object and its relationships to people', () => {
    expect(deleteObjectOperation({ cio_object_id: 'x1' }).key).toBe('cio_object:x1');
    expect(queued(deleteObjectOperation({ cio_object_id: 'x1' }))).toEqual({
      type: 'object',
      identifiers: { cio_object_id: 'x1' },
      action: 'delete',
    });
    const operation = objectRelationshipsOperation(account, 'delete_relationships', [{ person: 'cio_abc' }]);
    expect(entityBody(operation.direct())).toMatchObject({
      action: 'delete_relationships',
      cio_relationships: [{ identifiers: { cio_id: 'abc' } }],
    });
  });

  it("queues a person's relationships keyed by the person; directly, the same to /api/v2/entity", () => {
    const operation = personRelationshipsOperation('u-1', 'add_relationships', [
      { object: account, attributes: { seat: 3 } },
    ]);
    expect(operation.key).toBe('u-1');
    expect(queued(operation)).toEqual({
      type: 'person',
      identifiers: { id: 'u-1' },
      action: 'add_relationships',
      cio_relationships: [
        { identifiers: { object_type_id: '1', object_id: 'acme' }, relationship_attributes: { seat: 3 } },
      ],
    });
    expect(entityBody(operation.direct())).toEqual(queued(operation));
  });

  it.each([
    [
      'no relationships',
      () => personRelationshipsOperation('u', 'add_relationships', []),
      'relationships',
      'at least 1',
    ],
    [
      'an object without its type',
      () => personRelationshipsOperation('u', 'add_relationships', [{ object: { object_id: 'a' } as never }]),
      'relationships[0].object',
      '{ object_type_id, object_id } or { cio_object_id }',
    ],
    [
      'a phone in an object relationship',
      () =>
        objectRelationshipsOperation(account, 'add_relationships', [{ person: { phone: '+14155550100' } as never }]),
      'relationships[0].person identifier',
      'one of "id", "email", "cio_id"',
    ],
    [
      'a relationship attribute over 1,000 bytes',
      () =>
        identifyObjectOperation(
          account,
          {},
          { relationships: [{ person: 'u', attributes: { a: 'x'.repeat(1_001) } }] },
        ),
      'relationships[0].attributes.a',
      '1000 bytes',
    ],
  ])('refuses %s, naming the field and the limit', (_label, build, field, limit) => {
    expect(refusal(build)).toMatchObject({ field, limit });
  });
});
