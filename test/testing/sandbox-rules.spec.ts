import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomerIOSandbox } from '../../lib/sandbox/customerio-sandbox.js';

// Each rule of the strict sandbox, from Customer.io's published Track API document (the schema named in each
// test), over real HTTP: what the spec accepts is accepted, what it refuses is refused with Customer.io's shape.

interface Answer {
  status: number;
  body: unknown;
}

let sandbox: CustomerIOSandbox;

beforeAll(async () => {
  sandbox = await CustomerIOSandbox.start();
});

afterAll(async () => {
  await sandbox.close();
});

async function call(method: string, path: string, body: unknown, target = sandbox): Promise<Answer> {
  const authorization = path.startsWith('/api/')
    ? `Basic ${Buffer.from(`${target.siteId}:${target.apiKey}`).toString('base64')}`
    : `Bearer ${target.appApiKey}`;
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

const ULID = '01HZX000000000000000000001';
const person = (action: string, fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'person',
  identifiers: { id: 'u1' },
  action,
  ...fields,
});

const object = (action: string, fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'object',
  identifiers: { object_type_id: '1', object_id: 'o' },
  action,
  ...fields,
});

/**
 * Sends `valid` then `invalid` operations in one batch: every valid one is accepted, and each invalid one is
 * answered 207 with `{batch_index, reason: 'invalid', field, message}` blaming the field given beside it.
 */
async function expectBatchRule(valid: unknown[], invalid: Array<[op: unknown, field: string]>): Promise<void> {
  const answer = await call('POST', '/api/v2/batch', { batch: [...valid, ...invalid.map(([op]) => op)] });
  expect(answer).toEqual({
    status: 207,
    body: {
      errors: invalid.map(([, field], index) => ({
        batch_index: valid.length + index,
        reason: 'invalid',
        field,
        message: expect.any(String),
      })),
    },
  });
}

/** Sends each body: the valid ones answered 200 (`{}` on the Track API), the invalid ones 400 `{"meta":{"errors":[message]}}` naming `field`. */
async function expectV1Rule(
  method: string,
  path: string,
  valid: unknown[],
  invalid: Array<[body: unknown, field: string]>,
): Promise<void> {
  for (const body of valid)
    expect({ body, answer: await call(method, path, body) }).toMatchObject({ body, answer: { status: 200 } });
  for (const [body, field] of invalid) {
    const answer = await call(method, path, body);
    expect({ body, answer }).toEqual({
      body,
      answer: { status: 400, body: { meta: { errors: [expect.stringContaining(field)] } } },
    });
  }
}

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

describe('strict sandbox: Track API v1', () => {
  it('identify: _timestamp and created_at unix seconds, _update a boolean, nested attribute values taken (PUT /api/v1/customers/{identifier})', async () => {
    await expectV1Rule(
      'PUT',
      '/api/v1/customers/u1',
      [
        {
          _timestamp: 1_700_000_000,
          created_at: 1_600_000_000,
          _update: false,
          address: { city: 'Lyon' },
          tags: ['a'],
        },
      ],
      [
        [{ _timestamp: '1700000000' }, '_timestamp'],
        [{ created_at: 1_700_000_000_000 }, 'created_at'],
        [{ _update: 1 }, '_update'],
        [{ cio_relationships: { action: 'link', relationships: [] } }, 'cio_relationships.action'],
      ],
    );
  });

  it('events: type event, page or screen; integer timestamp; ULID id; a name (eventsRequest, anonymousEventsRequest)', async () => {
    const valid = [
      { name: 'paid', type: 'event', timestamp: 1_700_000_000, id: ULID },
      { name: '/p', type: 'page' },
      { name: 'Home', type: 'screen' },
    ];
    const invalid: Array<[unknown, string]> = [
      [{ name: 'paid', type: 'purchase' }, 'type'],
      [{ name: 'paid', timestamp: 1.5 }, 'timestamp'],
      [{ name: 'paid', id: 'evt-1' }, 'id'],
      [{ data: {} }, 'name'],
    ];
    await expectV1Rule('POST', '/api/v1/customers/u1/events', valid, invalid);
    await expectV1Rule(
      'POST',
      '/api/v1/events',
      valid.map((body) => ({ ...body, anonymous_id: 'a1' })),
      [...invalid, [{ name: 'x', anonymous_id: 5 }, 'anonymous_id']],
    );
  });

  it('devices: id, platform ios or android, integer last_used, string attributes (device_object)', async () => {
    await expectV1Rule(
      'PUT',
      '/api/v1/customers/u1/devices',
      [{ device: { id: 'tok', platform: 'android', last_used: 1_700_000_000, attributes: { push_enabled: 'false' } } }],
      [
        [{ device: { platform: 'android' } }, 'device.id'],
        [{ device: { id: 'tok', platform: 'Android' } }, 'device.platform'],
        [
          { device: { id: 'tok', platform: 'ios', attributes: { push_enabled: false } } },
          'device.attributes.push_enabled',
        ],
      ],
    );
  });

  it('merge: 400 {"meta":{"error"}} when a side is not exactly one of id, email, cio_id (POST /api/v1/merge_customers)', async () => {
    await call('PUT', '/api/v1/customers/keep', {});
    expect(
      await call('POST', '/api/v1/merge_customers', { primary: { id: 'keep' }, secondary: { cio_id: 'c9' } }),
    ).toEqual({ status: 200, body: {} });
    expect(await call('POST', '/api/v1/merge_customers', { primary: { id: 'keep' }, secondary: { id: 7 } })).toEqual({
      status: 400,
      body: { meta: { error: expect.stringContaining('secondary.id') } },
    });
  });

  it('metrics: a delivery_id and a metric some channel has, deferred included, failed and sent not (POST /api/v1/metrics)', async () => {
    const metrics = ['bounced', 'clicked', 'converted', 'deferred', 'delivered', 'dropped', 'opened', 'spammed'];
    await expectV1Rule(
      'POST',
      '/api/v1/metrics',
      metrics.map((metric) => ({ delivery_id: 'd1', metric, timestamp: 1_700_000_000 })),
      [
        [{ delivery_id: 'd1', metric: 'failed' }, 'metric'],
        [{ delivery_id: 'd1', metric: 'sent' }, 'metric'],
        [{ metric: 'opened' }, 'delivery_id'],
        [{ delivery_id: 'd1' }, 'metric'],
        [{ delivery_id: 'd1', metric: 'opened', timestamp: '2024' }, 'timestamp'],
      ],
    );
  });

  it('push metrics: event opened, converted or delivered (POST /api/v1/push/events)', async () => {
    await expectV1Rule(
      'POST',
      '/api/v1/push/events',
      [{ delivery_id: 'd1', event: 'opened', device_id: 'tok', timestamp: 1_700_000_000 }],
      [
        [{ delivery_id: 'd1', event: 'bounced' }, 'event'],
        [{ delivery_id: 1, event: 'opened' }, 'delivery_id'],
      ],
    );
  });
});

describe('strict sandbox: manual segments, forms, unsubscribes, region', () => {
  it('segments: an int32 segment id, id_type id, email or cio_id, 1 to 1000 string ids (POST /api/v1/segments/{segment_id}/add_customers)', async () => {
    const refused = { status: 400, body: { meta: { errors: [expect.any(String)] } } };
    expect(await call('POST', '/api/v1/segments/3/add_customers', { ids: ['u1', 'u2'] })).toEqual({
      status: 200,
      body: {},
    });
    expect(await call('POST', '/api/v1/segments/3/add_customers?id_type=cio_id', { ids: ['c1'] })).toEqual({
      status: 200,
      body: {},
    });
    expect(await call('POST', '/api/v1/segments/3/remove_customers?id_type=id', { ids: ['u2'] })).toEqual({
      status: 200,
      body: {},
    });
    expect([...(sandbox.segments.get(3) ?? [])]).toEqual(['u1', 'cio_c1']);
    expect(await call('POST', '/api/v1/segments/x/add_customers', { ids: ['u1'] })).toEqual(refused);
    expect(await call('POST', '/api/v1/segments/3/add_customers?id_type=phone', { ids: ['+14155552671'] })).toEqual(
      refused,
    );
    expect(await call('POST', '/api/v1/segments/3/add_customers', { ids: [] })).toEqual(refused);
    expect(await call('POST', '/api/v1/segments/3/add_customers', { ids: Array(1001).fill('u') })).toEqual(refused);
    expect(await call('POST', '/api/v1/segments/3/add_customers', { ids: [42] })).toEqual(refused);
  });

  it('forms: data names the person by exactly one of email or id, every value a string; answered 204 (POST /api/v1/forms/{form_id}/submit)', async () => {
    const refused = { status: 400, body: { meta: { errors: [expect.any(String)] } } };
    expect(await call('POST', '/api/v1/forms/f1/submit', { data: { email: 'a@example.com', name: 'A' } })).toEqual({
      status: 204,
      body: undefined,
    });
    expect(await call('POST', '/api/v1/forms/f1/submit', { data: { name: 'A' } })).toEqual(refused);
    expect(await call('POST', '/api/v1/forms/f1/submit', { data: { id: 'u1', email: 'a@example.com' } })).toEqual(
      refused,
    );
    expect(await call('POST', '/api/v1/forms/f1/submit', { data: { id: 'u1', age: 3 } })).toEqual(refused);
    expect(await call('POST', '/api/v1/forms/f1/submit', {})).toEqual(refused);
  });

  it('unsubscribe: no credentials needed, unsubscribe a boolean (POST /unsubscribe/{delivery_id})', async () => {
    const anonymous = async (body: unknown): Promise<number> =>
      (
        await fetch(`${sandbox.url}/unsubscribe/d1`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status;
    expect(await anonymous({ unsubscribe: true })).toBe(200);
    expect(await anonymous({ unsubscribe: 'yes' })).toBe(400);
    expect(sandbox.unsubscribes.at(-1)).toEqual({ deliveryId: 'd1', unsubscribe: true });
  });

  it('region: GET /api/v1/accounts/region answers the region the sandbox plays and its Track API host (getRegion)', async () => {
    const eu = await CustomerIOSandbox.start({ region: 'eu' });
    try {
      const answer = await fetch(`${eu.url}/api/v1/accounts/region`, {
        headers: { authorization: `Basic ${Buffer.from(`${eu.siteId}:${eu.apiKey}`).toString('base64')}` },
      });
      expect(await answer.json()).toEqual({ url: 'https://track-eu.customer.io', region: 'eu', environment_id: 1 });
      expect((await fetch(`${eu.url}/api/v1/accounts/region`)).status).toBe(401);
    } finally {
      await eu.close();
    }
  });
});

describe('strict sandbox: App API', () => {
  it('email: to required, identifiers one of id, email, cio_id, attachments base64 strings, headers an object or a JSON string (sendemail)', async () => {
    await expectV1Rule(
      'POST',
      '/v1/send/email',
      [
        {
          transactional_message_id: 3,
          to: 'a@x.io',
          identifiers: { id: 'u1' },
          message_data: { n: 1 },
          attachments: { 'a.txt': 'aGk=' },
        },
        { to: 'a@x.io', identifiers: { email: 'a@x.io' }, headers: { 'X-Tag': 'a' } },
        { to: 'a@x.io', identifiers: { cio_id: 'c1' }, headers: '{"X-Tag":"a"}' },
      ],
      [
        [{ transactional_message_id: 3, identifiers: { id: 'u1' } }, 'to'],
        [{ to: 'a@x.io', identifiers: { phone: '+14155552671' } }, 'identifiers'],
        [{ to: 'a@x.io', identifiers: { id: 'u1' }, attachments: { 'a.txt': 12 } }, 'attachments.a.txt'],
        [{ to: 'a@x.io', identifiers: { id: 'u1' }, send_at: 'tomorrow' }, 'send_at'],
        [{ to: 'a@x.io', identifiers: { id: 'u1' }, headers: 5 }, 'headers'],
      ],
    );
  });

  it('push: transactional_message_id and identifiers required, custom_device a device, sound default or none (sendpush)', async () => {
    await expectV1Rule(
      'POST',
      '/v1/send/push',
      [
        {
          transactional_message_id: 'welcome',
          identifiers: { cio_id: 'c1' },
          custom_device: { token: 't', platform: 'ios', attributes: { push_enabled: 'true' } },
          sound: 'none',
        },
      ],
      [
        [{ identifiers: { id: 'u1' } }, 'transactional_message_id'],
        [
          {
            transactional_message_id: 4,
            identifiers: { id: 'u1' },
            custom_device: { token: 't', platform: 'ios', attributes: { push_enabled: true } },
          },
          'custom_device.attributes.push_enabled',
        ],
        [{ transactional_message_id: 4, identifiers: { id: 'u1' }, sound: 'loud' }, 'sound'],
      ],
    );
  });

  it('sms: transactional_message_id, identifiers and to required (sendsms)', async () => {
    await expectV1Rule(
      'POST',
      '/v1/send/sms',
      [{ transactional_message_id: 5, identifiers: { email: 'a@x.io' }, to: '+14155552671' }],
      [
        [{ transactional_message_id: 5, identifiers: { email: 'a@x.io' } }, 'to'],
        [{ transactional_message_id: 5, to: '+14155552671' }, 'identifiers'],
      ],
    );
  });

  it('broadcasts: an integer broadcast id and object data (campaign_id)', async () => {
    await expectV1Rule(
      'POST',
      '/v1/campaigns/12/triggers',
      [{ data: { a: 1 }, ids: ['u1'] }],
      [
        [{ data: 'x' }, 'data'],
        [{ ids: 'u1' }, 'ids'],
      ],
    );
    await expectV1Rule('POST', '/v1/campaigns/welcome/triggers', [], [[{}, 'broadcast id']]);
  });
});

describe('sandbox with strict: false', () => {
  it('checks only limits and what it records: bare anonymous_id, numeric ids and attributes, any metric', async () => {
    const lenient = await CustomerIOSandbox.start({ strict: false });
    try {
      expect(lenient.strict).toBe(false);
      expect(sandbox.strict).toBe(true);
      const answer = await call(
        'POST',
        '/api/v2/batch',
        {
          batch: [
            { type: 'person', anonymous_id: 'a1', action: 'event', name: 'visited' },
            {
              ...person('add_device'),
              identifiers: { id: 42 },
              device: { token: 't', platform: 'web', attributes: { build: 42 } },
            },
            person('event', { name: 'e', id: 'order-1' }),
          ],
        },
        lenient,
      );
      expect(answer).toEqual({ status: 200, body: {} });
      expect(await call('POST', '/api/v1/metrics', { delivery_id: 'd', metric: 'failed' }, lenient)).toEqual({
        status: 200,
        body: {},
      });
      expect(await call('POST', '/v1/send/sms', { transactional_message_id: 5 }, lenient)).toMatchObject({
        status: 200,
      });
      expect(lenient.events.map((event) => event.anonymousId ?? event.personId)).toEqual(['a1', 'u1']);
    } finally {
      await lenient.close();
    }
  });
});
