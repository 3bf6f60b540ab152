import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { acceptedOnBothPaths, expectRefusedOnBothPaths } from '../support/validation-assertions.js';

declare const SDK_MAJOR: 4 | 5;

/** An object `levels` deep (`{}` is 1 level, `{ a: {} }` 2); reading `a` on a level past `trippedFrom` counts a touch. */
function nested(levels: number, touches: { count: number }, trippedFrom = Infinity): Record<string, unknown> {
  let node: Record<string, unknown> = {};
  for (let level = levels - 1; level >= 1; level--) {
    const child = node;
    node =
      level >= trippedFrom
        ? {
            get a() {
              touches.count++;
              return child;
            },
          }
        : { a: child };
  }
  return node;
}

describe(`values are checked as JSON at the call site, on the queued and the direct path (customerio-node ${SDK_MAJOR}.x)`, () => {
  let sandbox: CustomerIOSandbox;
  let subject: TestApp;

  beforeAll(async () => {
    sandbox = await CustomerIOSandbox.start();
    subject = await startTestApp({ sandbox });
  });
  beforeEach(() => sandbox.reset());
  afterAll(async () => {
    await subject.app.close();
    await sandbox.close();
  });

  describe('refused before any request', () => {
    // Every refused call must have been stopped before the network.
    afterEach(() => expect(sandbox.requests).toHaveLength(0));

    it('text that is not well-formed Unicode (a lone surrogate) is refused, naming the field', async () => {
      const limit = 'well-formed Unicode';
      const refused = (field: string, at: number, unit: string) => ({
        field,
        limit,
        message: new RegExp(
          `^${field.replace(/[.[\]\\]/g, '\\$&')} is not well-formed Unicode: a lone surrogate \\\\u${unit} at index ${at} has no UTF-8 form$`,
        ),
      });
      await expectRefusedOnBothPaths(subject, (api) => api.identify('a\uD800b', {}), refused('personId', 1, 'D800'));
      await expectRefusedOnBothPaths(subject, (api) => api.track('u', 'sign\uDC00up'), refused('name', 4, 'DC00'));
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.trackAnonymous('anon\uD800', 'x'),
        refused('anonymousId', 4, 'D800'),
      );
      await expectRefusedOnBothPaths(subject, (api) => api.trackPageView('u', '/p\uDBFF'), refused('path', 2, 'DBFF'));
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.track('u', 'x', {}, { id: 'E\uD800' }),
        refused('id', 1, 'D800'),
      );
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.addDevice('u', 'tok\uDFFF', 'ios'),
        refused('deviceId', 3, 'DFFF'),
      );
      const items = [{ name: 'a' }, { name: 'b' }, { name: 'c\uD83D' }];
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.track('u', 'x', { items }),
        refused('data.items[2].name', 1, 'D83D'),
      );
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.track('u', 'x', { ['k\uDFFF']: 1 }),
        refused('data.k\\udfff', 1, 'DFFF'),
      );
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.identify('u', { nick: 'x\uDFFF' }),
        refused('attributes.nick', 1, 'DFFF'),
      );
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.identify('u', { ['n\uD800']: 1 }),
        refused('attributes name', 1, 'D800'),
      );
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.identify('u', { profile: { tags: ['ok', '\uDC00'] } }),
        refused('attributes.profile.tags[1]', 0, 'DC00'),
      );
    });

    it('an attribute named __proto__ is refused, never silently dropped', async () => {
      const refused = {
        field: 'attributes.__proto__',
        limit: 'not "__proto__"',
        message: /^attributes.__proto__: "__proto__" cannot be an attribute name/,
      };
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.identify('u', JSON.parse('{"plan":"pro","__proto__":"x"}') as Record<string, unknown>),
        refused,
      );
      await expectRefusedOnBothPaths(subject, (api) => api.identify('u', { ['__proto__']: { a: 1 } }), refused);
      await expectRefusedOnBothPaths(
        subject,
        (api) =>
          api.addDevice('u', 'tok', 'ios', { attributes: JSON.parse('{"__proto__":"x"}') as Record<string, string> }),
        refused,
      );
    });

    it('a toJSON() that returns undefined or throws is refused, naming the field', async () => {
      const undefinedJson = { toJSON: () => undefined };
      const dropped = (field: string) => ({
        field,
        limit: 'JSON-serializable',
        message: new RegExp(`^${field} cannot be sent as JSON: its toJSON\\(\\) returned undefined`),
      });
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.identify('u', { when: undefinedJson }),
        dropped('attributes.when'),
      );
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.track('u', 'x', { when: undefinedJson }),
        dropped('data.when'),
      );
      await expectRefusedOnBothPaths(subject, (api) => api.track('u', 'x', undefinedJson), dropped('data'));
      const throwing = {
        toJSON() {
          throw new Error('no currency');
        },
      };
      await expectRefusedOnBothPaths(subject, (api) => api.track('u', 'x', { price: [throwing] }), {
        field: 'data.price[0]',
        limit: 'JSON-serializable',
        message: /^data.price\[0\] cannot be sent as JSON: its toJSON\(\) threw: no currency$/,
      });
    });

    it('a circular reference is named where it loops back, and to what', async () => {
      const circular: Record<string, unknown> = { a: 1 };
      circular.self = circular;
      await expectRefusedOnBothPaths(subject, (api) => api.track('u', 'x', circular), {
        field: 'data.self',
        limit: 'JSON-serializable',
        message: /^data.self cannot be sent as JSON: it is a circular reference \(to data\)$/,
      });
      const list: unknown[] = [];
      list.push({ parent: list });
      await expectRefusedOnBothPaths(subject, (api) => api.identify('u', { tree: { list } }), {
        field: 'attributes.tree.list[0].parent',
        limit: 'JSON-serializable',
        message: /it is a circular reference \(to attributes.tree.list\)$/,
      });
    });

    it('nesting deeper than 100 levels is refused without reading past level 100', async () => {
      const touches = { count: 0 };
      const tooDeep = (field: string) => ({
        field,
        limit: '100 levels',
        message: new RegExp(`^${field} nests objects and arrays more than 100 levels deep, over the limit of 100$`),
      });
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.track('u', 'x', nested(5_000, touches, 101)),
        tooDeep('data'),
      );
      await expectRefusedOnBothPaths(subject, (api) => api.track('u', 'x', nested(101, touches, 101)), tooDeep('data'));
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.identify('u', { tree: nested(101, touches, 101) }),
        tooDeep('attributes.tree'),
      );
      expect(touches.count).toBe(0);
    });

    it('a value over its size limit is refused as too large, after reading no more of it than the limit allows', async () => {
      const touches = { count: 0 };
      const tripwire = {
        get n() {
          touches.count++;
          return 1;
        },
      };
      const overData = {
        field: 'data',
        limit: '100000 bytes',
        message: /^data is more than 100000 bytes serialized, over Customer.io's limit of 100000 bytes/,
      };
      // 3,000,000 elements: refused on their count, before any element is read.
      const huge = new Array<unknown>(3_000_000).fill(tripwire);
      await expectRefusedOnBothPaths(subject, (api) => api.track('u', 'x', { items: huge }), overData);
      await expectRefusedOnBothPaths(subject, (api) => api.identify('u', { tags: huge }), {
        field: 'attributes.tags',
        limit: '1000 bytes',
        message: /^attributes.tags is more than 1000 bytes serialized, over Customer.io's limit of 1000 bytes/,
      });
      // 2,000 strings of 100 characters: counting stops about halfway, before the tripwires.
      const strings = [
        ...Array.from({ length: 1_500 }, () => 'x'.repeat(100)),
        ...new Array<unknown>(500).fill(tripwire),
      ];
      await expectRefusedOnBothPaths(subject, (api) => api.track('u', 'x', { strings }), overData);
      // A toJSON() after the limit is never called.
      const later = {
        toJSON() {
          touches.count++;
          return 1;
        },
      };
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.track('u', 'x', { blob: 'x'.repeat(100_000), later }),
        overData,
      );
      // 600 MB of JSON that could not even be built as one string.
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.track('u', 'x', { pages: new Array<string>(600).fill('x'.repeat(1_000_000)) }),
        overData,
      );
      // What a toJSON() returns is what is measured.
      await expectRefusedOnBothPaths(
        subject,
        (api) => api.track('u', 'x', { big: { toJSON: () => 'x'.repeat(200_000) } }),
        overData,
      );
      expect(touches.count).toBe(0);
    });
  });

  describe('accepted and sent as JSON would send them', () => {
    it('well-formed text outside the BMP (surrogate pairs), in names and values', async () => {
      await acceptedOnBothPaths(subject, (api) => api.track('u-😀', 'cheered 🎉', { emoji: '👍', ['k😀']: ['𝄞'] }));
      await acceptedOnBothPaths(subject, (api) => api.identify('u-😀', { nick: '😀', ['n😀']: 1 }));
      const event = { personId: 'u-😀', name: 'cheered 🎉', data: { emoji: '👍', ['k😀']: ['𝄞'] } };
      expect(sandbox.events).toEqual([expect.objectContaining(event), expect.objectContaining(event)]);
      expect(sandbox.people.get('u-😀')?.attributes).toEqual({ nick: '😀', ['n😀']: 1 });
    });

    it('toJSON() results, Dates, shared (not circular) references, inherited properties and exactly 100 levels of nesting', async () => {
      const shared = { n: 1 };
      // JSON sends own properties only: an inherited method or value is not sent, so it is not refused.
      const instance = Object.assign(Object.create({ method() {}, kind: 'proto' }) as object, { own: 1 });
      const data = {
        money: { toJSON: () => ({ amount: 5, currency: 'EUR' }) },
        at: new Date(0),
        a: shared,
        b: [shared],
        instance,
        deep: nested(99, { count: 0 }),
      };
      await acceptedOnBothPaths(subject, (api) => api.track('u', 'x', data));
      const sent = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
      expect(sent).toMatchObject({ money: { amount: 5, currency: 'EUR' }, instance: { own: 1 } });
      expect(sandbox.events.map((event) => event.data)).toEqual([sent, sent]);
    });

    it('a BigInt whose toJSON() is polyfilled, as JSON.stringify sends it', async () => {
      const prototype = BigInt.prototype as { toJSON?: () => string };
      prototype.toJSON = function (this: bigint) {
        return this.toString();
      };
      try {
        await acceptedOnBothPaths(subject, (api) => api.track('u', 'paid', { cents: 12_345_678_901_234_567_890n }));
      } finally {
        delete prototype.toJSON;
      }
      expect(sandbox.events.map((event) => event.data)).toEqual([
        { cents: '12345678901234567890' },
        { cents: '12345678901234567890' },
      ]);
    });
  });
});
