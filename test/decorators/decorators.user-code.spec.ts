/**
 * The user code a decorated call runs — the `person`, `data` and `attributes` mappers, and the module's
 * `decorators.person` / `decorators.anonymousId` options — may throw, reject or return a Promise: the call is
 * never changed, nothing is sent, the process sees no unhandled rejection (Jest fails a test that leaves one),
 * and each untracked call is counted (`stats.decoratorErrors`) and summed into one log line a flush interval.
 */
import { Controller, type DynamicModule, Get, Injectable, Module } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CustomerIODecoratorTracker } from '../../lib/decorators/customerio-decorator.tracker.js';
import { CustomerIOModule, type CustomerIOModuleOptions, Identify, TrackEvent } from '../../lib/index.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { LogCapture } from '../support/log-capture.js';

const logs = new LogCapture();

/** Mapper bodies that fail at once, or through the Promise they return. */
const exploding = (message: string) => (): never => {
  throw new Error(message);
};
const rejecting = (message: string) => async (): Promise<never> => {
  await Promise.resolve();
  throw new Error(message);
};

@Injectable()
class BrokenMappers {
  @TrackEvent('data_throws', { person: () => 'p-1', data: exploding('data mapper exploded') })
  dataThrows(): string {
    return 'data_throws';
  }

  // NOTE: the casts stand for JavaScript callers, or mappers typed `any`: an async mapper does not compile.
  @TrackEvent('data_rejects', { person: () => 'p-1', data: rejecting('async data mapper rejected') as never })
  dataRejects(): string {
    return 'data_rejects';
  }

  @TrackEvent('data_resolves', { person: () => 'p-1', data: (async () => ({ plan: 'pro' })) as never })
  dataResolves(): string {
    return 'data_resolves';
  }

  @TrackEvent('person_throws', { person: exploding('person mapper exploded') })
  async personThrows(): Promise<string> {
    return 'person_throws';
  }

  @TrackEvent('person_rejects', { person: rejecting('async person mapper rejected') as never })
  async personRejects(): Promise<string> {
    return 'person_rejects';
  }

  @Identify({ person: () => 'p-1', attributes: exploding('attributes mapper exploded') })
  attributesThrow(): string {
    return 'attributes_throw';
  }

  @Identify({ person: () => 'p-1', attributes: rejecting('async attributes mapper rejected') as never })
  attributesReject(): string {
    return 'attributes_reject';
  }
}

@Controller()
class TrackedRoutes {
  @Get('hit')
  @TrackEvent('route_hit')
  hit(): { ok: true } {
    return { ok: true };
  }
}

const appModule = (customerio: CustomerIOModuleOptions): DynamicModule => {
  @Module({ imports: [CustomerIOModule.forRoot(customerio)], providers: [BrokenMappers], controllers: [TrackedRoutes] })
  class UserCodeFixtureModule {}
  return { module: UserCodeFixtureModule };
};

const summaryLines = (): string[] =>
  logs.messages('warn', 'CustomerIO').filter((line) => line.includes('decorated call'));

describe('decorator user code that throws or rejects', () => {
  let sandbox: CustomerIOSandbox;
  let fx: TestApp | undefined;

  const start = async (customerio: Partial<CustomerIOModuleOptions> = {}): Promise<TestApp> =>
    (fx = await startTestApp({
      sandbox,
      module: appModule,
      http: true,
      flushWhenAsked: true,
      options: customerio,
      logger: logs,
    }));

  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
    logs.clear();
  });
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
    await sandbox.close();
  });

  it.each([
    [
      'dataThrows',
      "@TrackEvent('data_throws') on BrokenMappers.dataThrows was not tracked: the data mapper threw: data mapper exploded",
    ],
    [
      'dataRejects',
      "@TrackEvent('data_rejects') on BrokenMappers.dataRejects was not tracked: the data mapper returned a Promise",
    ],
    [
      'dataResolves',
      "@TrackEvent('data_resolves') on BrokenMappers.dataResolves was not tracked: the data mapper returned a Promise",
    ],
    [
      'personThrows',
      "@TrackEvent('person_throws') on BrokenMappers.personThrows was not tracked: the person mapper threw: person mapper exploded",
    ],
    [
      'personRejects',
      "@TrackEvent('person_rejects') on BrokenMappers.personRejects was not tracked: the person mapper returned a Promise",
    ],
    [
      'attributesThrow',
      '@Identify() on BrokenMappers.attributesThrow was not tracked: the attributes mapper threw: attributes mapper exploded',
    ],
    [
      'attributesReject',
      '@Identify() on BrokenMappers.attributesReject was not tracked: the attributes mapper returned a Promise',
    ],
  ] as const)(
    'a mapper of %s: the call returns as ever, nothing is sent, counted, and named in the summary line',
    async (method, reason) => {
      const app = await start();
      const mappers = app.app.get(BrokenMappers);

      const returned = await mappers[method]();
      await app.client.flush();

      expect(returned).toBe(method.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`));
      expect(sandbox.requests).toHaveLength(0);
      expect(app.client.stats.decoratorErrors).toBe(1);
      expect(app.app.get(CustomerIODecoratorTracker).errors).toBe(1);
      expect(summaryLines()).toEqual([
        `1 decorated call not tracked, last: ${reason}${reason.endsWith('Promise') ? ': mappers and decorators options must return their value synchronously' : ''}`,
      ]);
    },
  );

  it('many failing calls between two flushes make one line with their count; the calls that can be tracked still are', async () => {
    const app = await start();
    const mappers = app.app.get(BrokenMappers);

    for (let i = 0; i < 500; i++) mappers.dataRejects();
    for (let i = 0; i < 500; i++) await mappers.personThrows();
    expect((await app.request('/hit', { headers: { 'x-anonymous-id': 'visitor-1' } })).status).toBe(200);
    await app.client.flush();

    expect(sandbox.events.map((event) => [event.anonymousId, event.name])).toEqual([['visitor-1', 'route_hit']]);
    expect(app.client.stats.decoratorErrors).toBe(1_000);
    expect(summaryLines()).toEqual([
      expect.stringMatching(/^1000 decorated calls not tracked, last: @TrackEvent\('person_throws'\)/),
    ]);
  });

  describe.each(['sync', 'async'] as const)(
    'the module options decorators.person / decorators.anonymousId failing (%s)',
    (mode) => {
      const fail = mode === 'sync' ? exploding : rejecting;

      it('decorators.person: the route answers as ever, the call is not tracked, counted and summed', async () => {
        const app = await start({ decorators: { person: fail('session store down') as never } });

        const response = await app.request('/hit');
        await app.client.flush();

        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ ok: true });
        expect(sandbox.requests).toHaveLength(0);
        expect(app.client.stats.decoratorErrors).toBe(1);
        const what = mode === 'sync' ? 'threw: session store down' : 'returned a Promise';
        expect(summaryLines()).toEqual([
          expect.stringContaining(
            `@TrackEvent('route_hit') on TrackedRoutes.hit was not tracked: decorators.person ${what}`,
          ),
        ]);
      });

      it('decorators.anonymousId (no person): the same', async () => {
        const app = await start({
          decorators: { person: () => undefined, anonymousId: fail('cookie parser down') as never },
        });

        const response = await app.request('/hit');
        await app.client.flush();

        expect(response.status).toBe(200);
        expect(sandbox.requests).toHaveLength(0);
        expect(app.client.stats.decoratorErrors).toBe(1);
        const what = mode === 'sync' ? 'threw: cookie parser down' : 'returned a Promise';
        expect(summaryLines()).toEqual([expect.stringContaining(`was not tracked: decorators.anonymousId ${what}`)]);
      });
    },
  );
});
