import { describe, expect, it } from '@jest/globals';
import { type CustomerIOSandbox } from '../../lib/testing/index.js';
import { ULID, person, object, ruleChecks } from './sandbox-rules.js';
import { useSandbox } from '../support/test-app.js';

// Each rule of the strict sandbox, from Customer.io's published Track API document (the schema named in each
// test), over real HTTP: what the spec accepts is accepted, what it refuses is refused with Customer.io's shape.

let sandbox: CustomerIOSandbox;
useSandbox('all', (started) => (sandbox = started));

const { call, expectBatchRule } = ruleChecks(() => sandbox);

describe('strict sandbox: Track API v2 operations', () => {
  it('a person operation names exactly one of id, email, phone, cio_id (person_common.identifiers)', async () => {
    await expectBatchRule(
      [
        person('identify'),
        { ...person('identify'), identifiers: { email: 'a@x.io' } },
        { ...person('identify'), identifiers: { phone: '+14155552671' } },
        { ...person('delete'), identifiers: { cio_id: 'c1' } },
      ],
      [
        [{ type: 'person', action: 'identify' }, 'identifiers'],
        [{ ...person('identify'), identifiers: { id: 'u1', email: 'a@x.io' } }, 'identifiers'],
        [{ ...person('identify'), identifiers: { user_id: 'u1' } }, 'identifiers'],
        [{ ...person('suppress'), identifiers: { anonymous_id: 'a1' } }, 'identifiers'],
      ],
    );
  });

  it('identifier values are strings, a phone in E.164 (not_nullable_customer_id, person_common phone)', async () => {
    await expectBatchRule(
      [{ ...person('identify'), identifiers: { id: '42' } }],
      [
        [{ ...person('identify'), identifiers: { id: 42 } }, 'identifiers.id'],
        [{ ...person('identify'), identifiers: { email: null } }, 'identifiers.email'],
        [{ ...person('identify'), identifiers: { phone: '4155552671' } }, 'identifiers.phone'],
      ],
    );
  });

  it('an anonymous event carries identifiers {anonymous_id}, not a bare anonymous_id (Segment destination form)', async () => {
    sandbox.reset();
    const anonymous = { type: 'person', identifiers: { anonymous_id: 'anon-1' }, action: 'event', name: 'visited' };
    await expectBatchRule(
      [anonymous, { ...anonymous, action: 'page', name: '/home' }],
      [
        [{ type: 'person', anonymous_id: 'anon-1', action: 'event', name: 'visited' }, 'identifiers'],
        [{ ...anonymous, identifiers: { anonymous_id: '' } }, 'anonymous_id'],
      ],
    );
    expect(sandbox.events.map(({ anonymousId, name, type }) => ({ anonymousId, name, type }))).toEqual([
      { anonymousId: 'anon-1', name: 'visited', type: 'event' },
      { anonymousId: 'anon-1', name: '/home', type: 'page' },
    ]);
  });

  it("type is person or object (delivery is not applied by the sandbox); action is one of the type's (person_operations, object_operations)", async () => {
    const answer = await call('POST', '/api/v2/batch', {
      batch: [
        person('unsuppress'),
        { ...person('identify'), type: 'people' },
        person('update'),
        { type: 'delivery', identifiers: { id: 'd-1' }, action: 'add_metric' },
        { ...object('identify'), action: 'merge' },
        object('identify_anonymous'),
      ],
    });
    expect(answer).toEqual({
      status: 207,
      body: {
        errors: [
          { batch_index: 1, reason: 'invalid', field: 'type', message: expect.any(String) },
          { batch_index: 2, reason: 'invalid', field: 'action', message: expect.any(String) },
          { batch_index: 3, reason: 'unsupported', field: 'type', message: expect.any(String) },
          { batch_index: 4, reason: 'invalid', field: 'action', message: expect.any(String) },
          { batch_index: 5, reason: 'unsupported', field: 'action', message: expect.any(String) },
        ],
      },
    });
  });

  it('an object is identified by string object_type_id and object_id, or cio_object_id (object_identifiers)', async () => {
    await expectBatchRule(
      [
        object('identify', { attributes: { name: 'Acme' } }),
        { ...object('delete'), identifiers: { cio_object_id: 'c9' } },
      ],
      [
        [{ ...object('identify'), identifiers: { object_type_id: '1' } }, 'identifiers'],
        [{ ...object('identify'), identifiers: { object_type_id: 1, object_id: 'o' } }, 'identifiers.object_type_id'],
        [
          { ...object('delete'), identifiers: { object_type_id: '1', object_id: 'o', cio_object_id: 'c9' } },
          'identifiers',
        ],
        [{ ...object('delete'), identifiers: undefined }, 'identifiers'],
        [object('identify', { attributes: [] }), 'attributes'],
      ],
    );
  });

  it('relationships: cio_relationships required on add/delete_relationships, items identify an object on a person and a person (no phone) on an object (person_add_relationships, object_add_relationships)', async () => {
    const toObject = {
      identifiers: { object_type_id: '1', object_id: 'o' },
      relationship_attributes: { role: 'admin' },
    };
    await expectBatchRule(
      [
        person('add_relationships', { cio_relationships: [toObject] }),
        person('delete_relationships', { cio_relationships: [{ identifiers: { cio_object_id: 'c9' } }] }),
        object('add_relationships', { cio_relationships: [{ identifiers: { email: 'a@example.com' } }] }),
        object('identify', {
          cio_relationships: [{ identifiers: { cio_id: 'x' }, relationship_attributes: { seat: 1 } }],
        }),
      ],
      [
        [person('add_relationships'), 'cio_relationships'],
        [object('delete_relationships', { cio_relationships: {} }), 'cio_relationships'],
        [
          person('add_relationships', { cio_relationships: [{ identifiers: { id: 'u2' } }] }),
          'cio_relationships[0].identifiers',
        ],
        [
          object('add_relationships', { cio_relationships: [{ identifiers: { phone: '+14155552671' } }] }),
          'cio_relationships[0].identifiers',
        ],
        [
          person('add_relationships', { cio_relationships: [{ ...toObject, relationship_attributes: 'admin' }] }),
          'cio_relationships[0].relationship_attributes',
        ],
      ],
    );
    expect(sandbox.objects.get('1:o')?.relationships).toEqual({
      u1: { role: 'admin' },
      'a@example.com': {},
      cio_x: { seat: 1 },
    });
  });

  it('timestamps are integer unix seconds (person_event.timestamp, identify_person.timestamp)', async () => {
    await expectBatchRule(
      [person('event', { name: 'e', timestamp: 1_700_000_000 }), person('identify', { timestamp: 0 })],
      [
        [person('event', { name: 'e', timestamp: 1_700_000_000.5 }), 'timestamp'],
        [person('event', { name: 'e', timestamp: '1700000000' }), 'timestamp'],
        [person('page', { name: '/p', timestamp: 1_700_000_000_000 }), 'timestamp'],
        [person('identify', { timestamp: -1 }), 'timestamp'],
      ],
    );
  });

  it('an event id is a ULID (person_event.id)', async () => {
    await expectBatchRule(
      [
        person('event', { name: 'e', id: ULID }),
        person('screen', { name: 'Home', id: ULID.toLowerCase().replace(/1$/, '2') }),
      ],
      [
        [person('event', { name: 'e', id: 'order-1' }), 'id'],
        [person('event', { name: 'e', id: 'U1HZX000000000000000000001' }), 'id'],
      ],
    );
  });

  it('event, page and screen need a name (person_event, person_page, person_screen)', async () => {
    await expectBatchRule(
      [person('page', { name: '/pricing', attributes: { ref: 'ad' } })],
      [
        [person('event'), 'name'],
        [person('screen', { name: 7 }), 'name'],
        [person('event', { name: 'e', attributes: [1] }), 'attributes'],
      ],
    );
  });

  it('a device has a token, platform ios or android, integer last_used, string attributes (person_add_device, device_object_common)', async () => {
    const device = {
      token: 't1',
      platform: 'ios',
      last_used: 1_700_000_000,
      attributes: { app_version: '2.0', push_enabled: 'true', build: '42' },
    };
    await expectBatchRule(
      [person('add_device', { device }), person('delete_device', { device: { token: 't1' } })],
      [
        [person('add_device', { device: { platform: 'ios' } }), 'device.token'],
        [person('add_device', { device: { ...device, platform: 'web' } }), 'device.platform'],
        [person('add_device', { device: { ...device, last_used: '2024-01-01' } }), 'device.last_used'],
        [person('add_device', { device: { ...device, attributes: { build: 42 } } }), 'device.attributes.build'],
        [
          person('add_device', { device: { ...device, attributes: { push_enabled: true } } }),
          'device.attributes.push_enabled',
        ],
        [
          person('add_device', { device: { ...device, attributes: { push_enabled: 'yes' } } }),
          'device.attributes.push_enabled',
        ],
        [person('delete_device', { device: {} }), 'device.token'],
      ],
    );
  });

  it('identify attributes: _update a boolean, subscription topics booleans, other values any JSON (identify_person.attributes)', async () => {
    await expectBatchRule(
      [
        person('identify', {
          attributes: {
            _update: false,
            plan: { tier: 'pro', seats: [1, 2] },
            cio_subscription_preferences: { topics: { topic_1: true } },
          },
        }),
      ],
      [
        [person('identify', { attributes: { _update: 'true' } }), 'attributes._update'],
        [
          person('identify', { attributes: { cio_subscription_preferences: { topics: { topic_1: 'yes' } } } }),
          'attributes.cio_subscription_preferences.topics.topic_1',
        ],
      ],
    );
  });

  it('a merge names exactly one of id, email, cio_id on each side, no phone (person_merge)', async () => {
    await call('PUT', '/api/v1/customers/keep', {});
    await expectBatchRule(
      [{ type: 'person', action: 'merge', primary: { id: 'keep' }, secondary: { email: 'b@x.io' } }],
      [
        [
          { type: 'person', action: 'merge', primary: { id: 'keep' }, secondary: { phone: '+14155552671' } },
          'secondary',
        ],
        [
          { type: 'person', action: 'merge', primary: { id: 'keep', email: 'a@x.io' }, secondary: { id: 'b' } },
          'primary',
        ],
      ],
    );
  });

  it('/api/v2/entity answers a refused operation 400 {errors:[{reason, field, message}]}', async () => {
    expect(await call('POST', '/api/v2/entity', person('event', { name: 'e' }))).toEqual({ status: 200, body: {} });
    expect(await call('POST', '/api/v2/entity', { ...person('event', { name: 'e' }), identifiers: { id: 1 } })).toEqual(
      {
        status: 400,
        body: { errors: [{ reason: 'invalid', field: 'identifiers.id', message: expect.any(String) }] },
      },
    );
  });
});
