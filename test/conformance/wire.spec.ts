import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CustomerIOValidationError,
  type CustomerIOClient,
  type CustomerIODirectClient,
  type CustomerIOMetric,
} from '../../lib/index.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Every client operation, on the queued path (CustomerIOClient) and the direct path (client.direct), through a
// strict sandbox: what the module sends must be what Customer.io's published API accepts. A refusal anywhere (a
// 207 item, a 4xx, an operation reported invalid) fails the case. Runs on both SDK majors (jest projects).

declare const SDK_MAJOR: 4 | 5;

/** Either client: the queued one, or `client.direct`. */
type AnyClient = CustomerIOClient | CustomerIODirectClient;

/** An operation called the same way on both paths. */
interface WireCase {
  name: string;
  /** The call: a receipt on the queued client (or a promise, for calls direct on both paths), a promise on `direct`. */
  call: (client: AnyClient) => unknown;
}

const ULID = '01HZX000000000000000000001';
const at = 1_700_000_000;
const SPEC_METRICS = [
  'bounced',
  'clicked',
  'converted',
  'deferred',
  'delivered',
  'dropped',
  'opened',
  'spammed',
] as const;

const both = (name: string, call: WireCase['call']): WireCase => ({ name, call });

const CASES: WireCase[] = [
  both('identify', (c) => c.identify('u-1', { email: 'u1@example.com', plan: 'pro', created_at: new Date(at * 1000) })),
  both('identify (updateOnly, timestamp, nested attributes)', (c) =>
    c.identify('u-1', { address: { city: 'Lyon' }, tags: ['a'] }, { updateOnly: true, timestamp: at }),
  ),
  both('identify with a numeric person id', (c) => c.identify(42, { plan: 'free' })),
  both('track (data, timestamp, a ULID id)', (c) =>
    c.track('u-1', 'purchased', { total: 3 }, { timestamp: at, id: ULID }),
  ),
  both('track without data', (c) => c.track('u-1', 'logged_in')),
  both('trackAnonymous', (c) => c.trackAnonymous('anon-7f3a9c', 'visited', { page: '/' })),
  both('trackPageView', (c) => c.trackPageView('u-1', '/pricing', { ref: 'ad' }, { timestamp: at })),
  both('trackScreen', (c) => c.trackScreen('u-1', 'Checkout', { step: 2 }, { timestamp: at })),
  both('trackScreen by phone', (c) => c.trackScreen({ phone: '+14155552671' }, 'Home')),
  both('identifyObject (attributes, relationships)', (c) =>
    c.identifyObject(
      { object_type_id: '1', object_id: 'acme' },
      { name: 'Acme' },
      { relationships: [{ person: 'u-1', attributes: { role: 'admin' } }] },
    ),
  ),
  both('identifyObject by cio_object_id', (c) => c.identifyObject({ cio_object_id: 'obj_9' }, { plan: 'team' })),
  both('deleteObject', (c) => c.deleteObject({ object_type_id: 1, object_id: 'acme' })),
  both('addObjectRelationships', (c) =>
    c.addObjectRelationships({ object_type_id: '1', object_id: 'acme' }, [{ person: { email: 'u1@example.com' } }]),
  ),
  both('deleteObjectRelationships', (c) =>
    c.deleteObjectRelationships({ object_type_id: '1', object_id: 'acme' }, [{ person: { cio_id: 'a1b2c3' } }]),
  ),
  both('addRelationships', (c) =>
    c.addRelationships('u-1', [{ object: { object_type_id: '1', object_id: 'acme' }, attributes: { role: 'owner' } }]),
  ),
  both('deleteRelationships', (c) =>
    c.deleteRelationships({ phone: '+14155552671' }, [{ object: { cio_object_id: 'obj_9' } }]),
  ),
  both('addDevice (string attributes)', (c) =>
    c.addDevice('u-1', 'tok-1', 'ios', { lastUsed: at, attributes: { app_version: '2.0', push_enabled: 'true' } }),
  ),
  both('deleteDevice', (c) => c.deleteDevice('u-1', 'tok-1')),
  both('suppress', (c) => c.suppress('u-2')),
  both('unsuppress', (c) => c.unsuppress('u-2')),
  both('mergeCustomers by id', (c) => c.mergeCustomers({ id: 'u-1' }, { id: 'u-3' })),
  both('mergeCustomers by email', (c) => c.mergeCustomers({ id: 'u-1' }, { email: 'old@example.com' })),
  both('mergeCustomers by cio_id', (c) => c.mergeCustomers({ id: 'u-1' }, { cio_id: 'a1b2c3' })),
  both('destroy', (c) => c.destroy('u-4')),
  both('addToSegment by id', (c) => c.addToSegment(7, ['u-1', 42])),
  both('addToSegment by email', (c) => c.addToSegment(7, [{ email: 'u1@example.com' }])),
  both('removeFromSegment by cio_id', (c) => c.removeFromSegment(7, [{ cio_id: 'a1b2c3' }])),
  both('unsubscribe', (c) => c.unsubscribe('dlv-1')),
  both('unsubscribe false (resubscribe)', (c) => c.unsubscribe('dlv-1', false)),
  both('submitForm by email', (c) => c.submitForm('newsletter', { email: 'u1@example.com', first_name: 'U' })),
  both('submitForm by id', (c) => c.submitForm('contact', { id: 'u-1', topic: 'billing' })),
  both('trackPush', (c) => c.trackPush({ deliveryId: 'dlv-1', event: 'opened', deviceId: 'tok-1', timestamp: at })),
  both('sendEmail', (c) =>
    c.sendEmail({
      to: 'u1@example.com',
      identifiers: { id: 'u-1' },
      transactional_message_id: 3,
      message_data: { n: 1 },
    }),
  ),
  both('sendPush', (c) =>
    c.sendPush({ identifiers: { id: 'u-1' }, transactional_message_id: 4, title: 'Hi', message: 'There' }),
  ),
  both('sendSMS', (c) => c.sendSMS({ to: '+14155552671', identifiers: { id: 'u-1' }, transactional_message_id: 5 })),
  both('triggerBroadcast', (c) => c.triggerBroadcast(12, { data: { promo: 'x' }, recipients: { ids: ['u-1'] } })),
  ...SPEC_METRICS.map((metric) =>
    both(`trackMetric '${metric}'`, (c) =>
      c.trackMetric({
        deliveryId: 'dlv-1',
        metric: metric as CustomerIOMetric['metric'],
        recipient: 'u1@example.com',
        timestamp: at,
      }),
    ),
  ),
];

/**
 * Cases where the call site may refuse with a typed error instead of sending (the choice): passes when the
 * call throws a CustomerIOValidationError, or when what arrives is what was given.
 */
const CALL_SITE_CASES: Array<WireCase & { arrived: (sandbox: CustomerIOSandbox) => unknown; expected: unknown }> = [
  {
    ...both('addDevice (boolean and number attributes)', (c) =>
      c.addDevice('u-1', 'tok-2', 'android', { attributes: { push_enabled: true, build: 42 } }),
    ),
    arrived: (sandbox) => sandbox.people.get('u-1')?.devices['tok-2']?.attributes,
    expected: { push_enabled: 'true', build: '42' },
  },
  {
    ...both('sendPush with custom_device', (c) =>
      c.sendPush({
        identifiers: { id: 'u-1' },
        transactional_message_id: 4,
        custom_device: { token: 'tok-3', platform: 'ios' },
      } as never),
    ),
    arrived: (sandbox) => sandbox.transactional.at(-1)?.body.custom_device,
    expected: { token: 'tok-3', platform: 'ios' },
  },
  {
    ...both('sendEmail with attachments', (c) =>
      c.sendEmail({
        to: 'u1@example.com',
        identifiers: { id: 'u-1' },
        transactional_message_id: 3,
        attachments: { 'a.txt': 'aGk=' },
      } as never),
    ),
    arrived: (sandbox) => sandbox.transactional.at(-1)?.body.attachments,
    expected: { 'a.txt': 'aGk=' },
  },
];

describe(`wire conformance over customerio-node ${SDK_MAJOR}.x: every operation passes the strict sandbox`, () => {
  let sandbox: CustomerIOSandbox;
  let subject: TestApp;

  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start({ strict: true });
    subject = await startTestApp({ sandbox, options: { retry: false } });
    // the people the operations act on (merge needs its primary)
    await subject.direct.identify('u-1', { email: 'u1@example.com' });
  });

  afterEach(async () => {
    await subject.app.close();
    await sandbox.close();
  });

  /** Every request the sandbox did not answer 200 (or 204), and every operation reported invalid or failed. */
  const refusals = (): string[] => [
    ...sandbox.requests
      .filter(({ status }) => status !== 200 && status !== 204)
      .map(({ method, path, status }) => `${status} ${method} ${path}`),
    ...sandbox.batches.filter(({ status }) => status !== 200).map(({ status }) => `${status} batch`),
    ...(['invalid', 'failed', 'rejected', 'dropped'] as const)
      .filter((outcome) => subject.client.stats[outcome] > 0)
      .map((outcome) => `${outcome} operations`),
  ];

  /** Calls the operation on `path`; a queued receipt is flushed and must be delivered. */
  async function run(path: 'queued' | 'direct', call: WireCase['call']): Promise<void> {
    const result = call(path === 'direct' ? subject.direct : subject.client);
    if (result instanceof Promise || !(typeof result === 'object' && result !== null && 'delivered' in result)) {
      await result;
      return;
    }
    const { delivered } = result as { delivered: Promise<void> }; // NOTE: a receipt's outcome is kept only when asked for before it settles
    await subject.client.flush();
    await delivered;
  }

  for (const path of ['queued', 'direct'] as const) {
    describe(path === 'queued' ? 'queued (CustomerIOClient)' : 'direct (client.direct)', () => {
      for (const wire of CASES) {
        it(`${wire.name} is accepted`, async () => {
          await run(path, wire.call);
          expect(refusals()).toEqual([]);
        });
      }

      for (const wire of CALL_SITE_CASES) {
        it(`${wire.name}: refused at the call site with a typed error, or accepted as Customer.io types it`, async () => {
          try {
            await run(path, wire.call);
          } catch (error) {
            expect(error).toBeInstanceOf(CustomerIOValidationError);
            expect(refusals()).toEqual([]);
            return;
          }
          expect(refusals()).toEqual([]);
          expect(wire.arrived(sandbox)).toEqual(wire.expected);
        });
      }
    });
  }
});
