import { afterEach, describe, expect, it } from '@jest/globals';
import type { CustomerIOClient, CustomerIODirectClient } from '../../lib/index.js';
import { useTestApp } from '../support/test-app.js';
import { expectRefusedOnBothPaths, type PersonCalls } from '../support/validation-assertions.js';

declare const SDK_MAJOR: 4 | 5;

/** Either client: the queued one, or `client.direct`. */
type AnyClient = CustomerIOClient | CustomerIODirectClient;

const ACME = { object_type_id: '1', object_id: 'acme' };

describe(`screens, objects and relationships over customerio-node ${SDK_MAJOR}.x against the strict sandbox`, () => {
  const fixture = useTestApp({ scope: 'all', started: true, sandbox: { strict: true }, options: { retry: false } });
  afterEach(() => fixture.sandbox.reset());

  /** Runs `call` on `path`; a queued receipt is flushed and must be delivered. */
  async function run(path: 'queued' | 'direct', call: (client: AnyClient) => unknown): Promise<void> {
    if (path === 'direct') {
      await call(fixture.subject.direct);
      return;
    }
    const { delivered } = call(fixture.subject.client) as { delivered: Promise<void> };
    await fixture.subject.client.flush();
    await delivered;
  }

  describe.each(['queued', 'direct'] as const)('%s', (path) => {
    it('trackScreen records a screen view with its data', async () => {
      await run(path, (c) => c.trackScreen('u-1', 'Checkout', { step: 2 }, { timestamp: 1_700_000_000 }));
      expect(fixture.sandbox.events).toMatchObject([
        { personId: 'u-1', name: 'Checkout', type: 'screen', data: { step: 2 }, timestamp: 1_700_000_000, api: 'v2' },
      ]);
    });

    it('trackScreen of a person given by phone reaches that person', async () => {
      await run(path, (c) => c.trackScreen({ phone: '+14155552671' }, 'Home'));
      expect(fixture.sandbox.events).toMatchObject([
        { personId: '+14155552671', name: 'Home', type: 'screen', api: 'v2' },
      ]);
    });

    it('identifyObject creates an object with its attributes and people related to it', async () => {
      await run(path, (c) =>
        c.identifyObject(
          ACME,
          { name: 'Acme', founded: new Date(1_600_000_000_000) },
          { relationships: [{ person: 'u-1', attributes: { role: 'admin' } }] },
        ),
      );
      expect(fixture.sandbox.objects.get('1:acme')).toEqual({
        key: '1:acme',
        attributes: { name: 'Acme', founded: 1_600_000_000 },
        relationships: { 'u-1': { role: 'admin' } },
      });
    });

    it('an object given by cio_object_id is stored under it, and deleteObject deletes it', async () => {
      await run(path, (c) => c.identifyObject({ cio_object_id: 'obj_9' }, { plan: 'team' }));
      expect(fixture.sandbox.objects.get('obj_9')?.attributes).toEqual({ plan: 'team' });
      await run(path, (c) => c.deleteObject({ cio_object_id: 'obj_9' }));
      expect(fixture.sandbox.objects.has('obj_9')).toBe(false);
    });

    it('addObjectRelationships and deleteObjectRelationships relate people to an object and remove them', async () => {
      await run(path, (c) =>
        c.addObjectRelationships(ACME, [
          { person: { email: 'jane@example.com' } },
          { person: { cio_id: 'c1' }, attributes: { seat: 3 } },
        ]),
      );
      expect(fixture.sandbox.objects.get('1:acme')?.relationships).toEqual({
        'jane@example.com': {},
        cio_c1: { seat: 3 },
      });
      await run(path, (c) => c.deleteObjectRelationships(ACME, [{ person: 'jane@example.com' }]));
      expect(fixture.sandbox.objects.get('1:acme')?.relationships).toEqual({ cio_c1: { seat: 3 } });
    });

    it('addRelationships and deleteRelationships relate a person to objects and remove them', async () => {
      await run(path, (c) =>
        c.addRelationships('u-2', [
          { object: ACME, attributes: { role: 'owner' } },
          { object: { object_type_id: 2, object_id: 7 } },
        ]),
      );
      expect(fixture.sandbox.objects.get('1:acme')?.relationships).toEqual({ 'u-2': { role: 'owner' } });
      expect(fixture.sandbox.objects.get('2:7')?.relationships).toEqual({ 'u-2': {} });
      await run(path, (c) => c.deleteRelationships('u-2', [{ object: ACME }]));
      expect(fixture.sandbox.objects.get('1:acme')?.relationships).toEqual({});
      expect(fixture.sandbox.requests.every(({ status }) => status === 200)).toBe(true);
    });
  });

  describe('bad input is refused at the call site on both paths', () => {
    const cases: Array<[string, (c: PersonCalls) => unknown, string, string | RegExp]> = [
      [
        'an object without object_id',
        (c) => c.identifyObject({ object_type_id: '1' } as never),
        'object',
        /object_type_id, object_id/,
      ],
      [
        'a blank object_id',
        (c) => c.deleteObject({ object_type_id: '1', object_id: ' ' }),
        'object.object_id',
        'non-blank',
      ],
      ['no relationships', (c) => c.addRelationships('u-1', []), 'relationships', 'at least 1'],
      [
        'a relationship to a malformed object',
        (c) => c.deleteRelationships('u-1', [{ object: { cio_object_id: '' } }]),
        'relationships[0].object.cio_object_id',
        'non-blank',
      ],
      [
        'a relationship to a person by phone',
        (c) => c.addObjectRelationships(ACME, [{ person: { phone: '+14155552671' } as never }]),
        'relationships[0].person identifier',
        /"id", "email", "cio_id"/,
      ],
      ['a screen without a name', (c) => c.trackScreen('u-1', ''), 'name', 'non-blank'],
      ['object attributes that are not an object', (c) => c.identifyObject(ACME, 'x' as never), 'attributes', 'object'],
    ];
    it.each(cases)('%s', async (_name, call, field, limit) => {
      await expectRefusedOnBothPaths(fixture.subject, call, {
        field,
        limit,
        message: new RegExp(field.replace(/[[\].]/g, '\\$&')),
      });
      expect(fixture.sandbox.requests).toEqual([]);
    });
  });
});
