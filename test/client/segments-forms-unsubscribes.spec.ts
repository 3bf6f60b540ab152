import { afterEach, describe, expect, it } from '@jest/globals';
import { type CustomerIOClient, type CustomerIODirectClient, CustomerIOValidationError } from '../../lib/index.js';
import { rejectionOf, useTestApp } from '../support/test-app.js';

declare const SDK_MAJOR: 4 | 5;

/** Either client: `CustomerIOClient` (these calls are direct on it too) or `client.direct`. */
type AnyClient = CustomerIOClient | CustomerIODirectClient;

describe(`manual segments, unsubscribes and forms over customerio-node ${SDK_MAJOR}.x against the strict sandbox`, () => {
  const fixture = useTestApp({ scope: 'all', started: true, sandbox: { strict: true }, options: { retry: false } });
  afterEach(() => fixture.sandbox.reset());

  describe.each(['client', 'client.direct'] as const)('%s', (name) => {
    const api = (): AnyClient => (name === 'client' ? fixture.subject.client : fixture.subject.direct);

    it('addToSegment and removeFromSegment change a manual segment, the id_type from the people given', async () => {
      await api().addToSegment(7, ['u-1', 'u-2', 42]);
      await api().addToSegment(7, [{ email: 'jane@example.com' }, 'joe@example.com']);
      await api().addToSegment(7, [{ cio_id: 'c1' }]);
      await api().removeFromSegment(7, ['u-2']);
      expect([...(fixture.sandbox.segments.get(7) ?? [])]).toEqual([
        'u-1',
        '42',
        'jane@example.com',
        'joe@example.com',
        'cio_c1',
      ]);
      expect(fixture.sandbox.requests.map(({ path, status }) => `${status} ${path}`)).toEqual([
        '200 /api/v1/segments/7/add_customers',
        '200 /api/v1/segments/7/add_customers',
        '200 /api/v1/segments/7/add_customers',
        '200 /api/v1/segments/7/remove_customers',
      ]);
    });

    it('unsubscribe posts to /unsubscribe/{delivery_id}; false resubscribes', async () => {
      await api().unsubscribe('dlv/1');
      await api().unsubscribe('dlv-2', false);
      expect(fixture.sandbox.unsubscribes).toEqual([
        { deliveryId: 'dlv/1', unsubscribe: true },
        { deliveryId: 'dlv-2', unsubscribe: false },
      ]);
      expect(fixture.sandbox.requests.map(({ path }) => path)).toEqual(['/unsubscribe/dlv%2F1', '/unsubscribe/dlv-2']);
    });

    it('submitForm submits the form fields, naming the person by email or id', async () => {
      await api().submitForm('newsletter', { email: 'jane@example.com', first_name: 'Jane' });
      await api().submitForm('contact', { id: 'u-1', topic: 'billing' });
      expect(fixture.sandbox.forms).toEqual([
        { formId: 'newsletter', data: { email: 'jane@example.com', first_name: 'Jane' } },
        { formId: 'contact', data: { id: 'u-1', topic: 'billing' } },
      ]);
      expect(fixture.sandbox.requests.map(({ status }) => status)).toEqual([204, 204]);
    });
  });

  describe('bad input is refused with a typed error before anything is sent', () => {
    const people = (count: number): string[] => Array.from({ length: count }, (_, index) => `u-${index}`);
    const cases: Array<[string, (c: AnyClient) => Promise<unknown>, string, string | RegExp]> = [
      [
        'a segment id that is not an integer',
        (c) => c.addToSegment(1.5, ['u-1']),
        'segmentId',
        /integer from 1 to 2147483647/,
      ],
      ['no people', (c) => c.addToSegment(7, []), 'people', '1 to 1000 people'],
      ['more than 1,000 people', (c) => c.removeFromSegment(7, people(1001)), 'people', '1 to 1000 people'],
      [
        'people of two identifier types',
        (c) => c.addToSegment(7, ['u-1', { email: 'jane@example.com' }]),
        'people[1]',
        /one identifier type/,
      ],
      [
        'a person by phone',
        (c) => c.addToSegment(7, [{ phone: '+14155552671' } as never]),
        'people[0] identifier',
        /"id", "email", "cio_id"/,
      ],
      ['a blank delivery id', (c) => c.unsubscribe(' '), 'deliveryId', 'non-blank'],
      ['an unsubscribe that is not a boolean', (c) => c.unsubscribe('dlv-1', 'yes' as never), 'unsubscribe', 'boolean'],
      [
        'a form without email or id',
        (c) => c.submitForm('f', { name: 'Jane' } as never),
        'data',
        'exactly one of email, id',
      ],
      [
        'a form with both email and id',
        (c) => c.submitForm('f', { email: 'a@example.com', id: 'u-1' } as never),
        'data',
        'exactly one of email, id',
      ],
      [
        'a form field that is not a string',
        (c) => c.submitForm('f', { id: 'u-1', age: 30 } as never),
        'data.age',
        'string',
      ],
      ['a blank form id', (c) => c.submitForm('', { id: 'u-1' }), 'formId', 'non-blank'],
    ];
    it.each(cases)('%s', async (_name, call, field, limit) => {
      for (const client of [fixture.subject.client, fixture.subject.direct]) {
        const error = await rejectionOf((async () => call(client))());
        expect(error).toBeInstanceOf(CustomerIOValidationError);
        expect((error as CustomerIOValidationError).field).toBe(field);
        expect((error as CustomerIOValidationError).limit).toMatch(limit);
      }
      expect(fixture.sandbox.requests).toEqual([]);
    });
  });
});
