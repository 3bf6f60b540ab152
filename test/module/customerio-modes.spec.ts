// The module's modes in real Nest applications: 'sandbox' starts a local sandbox and sends there with no
// credentials; 'disabled' validates every call as 'live' does and sends nothing, reporting the outcome 'disabled'.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Controller, type INestApplication, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CUSTOMERIO_SANDBOX,
  CustomerIOClient,
  type CustomerIODeliveryReport,
  CustomerIOModule,
  type CustomerIOModuleOptions,
  customerIOOptionsFromConfig,
  CustomerIOValidationError,
  TrackEvent,
} from '../../lib/index.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { rejectionOf } from '../support/test-app.js';
import { LogCapture } from '../support/log-capture.js';

@Controller()
class SignupController {
  @TrackEvent('signed_up', { person: (result: { id: string }) => result.id, data: () => ({ plan: 'free' }) })
  @Post('signup')
  signup(): { id: string } {
    return { id: 'user-1' };
  }
}

/** A Nest application of CustomerIOModule.forRoot(options) and SignupController, listening on 127.0.0.1. */
async function startApp(
  options: CustomerIOModuleOptions,
  logs: LogCapture,
): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [CustomerIOModule.forRoot(options)],
    controllers: [SignupController],
  })
    .setLogger(logs)
    .compile();
  const app = moduleRef.createNestApplication({ logger: logs });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

describe("mode 'sandbox'", () => {
  const logs = new LogCapture();
  let app: INestApplication;
  let url: string;
  let sandbox: CustomerIOSandbox;
  beforeAll(async () => {
    ({ app, url } = await startApp({ mode: 'sandbox', queue: { flushIntervalMs: 60_000 } }, logs));
    sandbox = app.get(CUSTOMERIO_SANDBOX);
  });
  afterAll(() => app.close());

  it('starts a sandbox on 127.0.0.1 with no credentials given, and logs its address', () => {
    expect(sandbox).toBeInstanceOf(CustomerIOSandbox);
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(logs.of('CustomerIO')).toContain(
      `Sandbox mode: started a local Customer.io sandbox at ${sandbox.url} and sends there; nothing leaves this machine`,
    );
    expect(logs.text).not.toContain(sandbox.apiKey);
  });

  it('sends decorated events, queued and direct calls there, App API included', async () => {
    expect((await fetch(`${url}/signup`, { method: 'POST' })).status).toBe(201);
    const client = app.get(CustomerIOClient);
    const delivered = client.identify('user-1', { plan: 'free' }).delivered;
    await client.flush();
    await delivered;
    await client.direct.sendEmail({
      to: 'ada@example.com',
      transactional_message_id: 1,
      identifiers: { id: 'user-1' },
    });
    expect(sandbox.events).toMatchObject([{ personId: 'user-1', name: 'signed_up', data: { plan: 'free' } }]);
    expect(sandbox.people.get('user-1')?.attributes).toEqual({ plan: 'free' });
    expect(sandbox.transactional).toHaveLength(1);
    expect(client.stats).toMatchObject({ delivered: 2, disabled: 0 });
  });

  it('is closed when the application closes, after the queue sent what it held', async () => {
    const own = await startApp({ mode: 'sandbox' }, new LogCapture());
    const ownSandbox = own.app.get<CustomerIOSandbox>(CUSTOMERIO_SANDBOX);
    own.app.get(CustomerIOClient).track('user-2', 'left_before_flush');
    await own.app.close();
    expect(ownSandbox.events.map((event) => event.name)).toEqual(['left_before_flush']);
    await expect(fetch(`${ownSandbox.url}/api/v1/customers/x`, { method: 'PUT' })).rejects.toThrow();
  });

  it('is read from CUSTOMERIO_MODE by customerIOOptionsFromConfig', async () => {
    const options = customerIOOptionsFromConfig({ get: (key) => (key === 'CUSTOMERIO_MODE' ? 'sandbox' : undefined) });
    const own = await startApp(options, new LogCapture());
    expect(own.app.get(CUSTOMERIO_SANDBOX)).toBeInstanceOf(CustomerIOSandbox);
    await own.app.close();
  });
});

describe("mode 'disabled'", () => {
  const logs = new LogCapture();
  const reports: CustomerIODeliveryReport[] = [];
  const intercepted: string[] = [];
  /** Stands in for Customer.io: the app is pointed at it, so anything sent would show here. */
  let customerio: CustomerIOSandbox;
  let app: INestApplication;
  let url: string;
  let client: CustomerIOClient;
  let sqlitePath: string;
  beforeAll(async () => {
    customerio = await CustomerIOSandbox.start();
    sqlitePath = join(mkdtempSync(join(tmpdir(), 'cio-disabled-')), 'queue.db');
    ({ app, url } = await startApp(
      {
        ...customerio.moduleOptions(),
        mode: 'disabled',
        queue: { flushIntervalMs: 60_000, store: 'sqlite', sqlite: { path: sqlitePath } },
        hooks: { onDelivered: (report) => void reports.push(report), onFailed: (report) => void reports.push(report) },
        interceptors: [{ intercept: (context, next) => (intercepted.push(context.operation), next()) }],
      },
      logs,
    ));
    client = app.get(CustomerIOClient);
  });
  afterAll(async () => {
    await app.close();
    await customerio.close();
  });

  it('says so at start-up, starts no sandbox and needs no credentials', async () => {
    expect(logs.of('CustomerIO')).toContain(
      'Disabled mode: calls are validated as in live mode and nothing is sent; queued operations end as "disabled"',
    );
    expect(app.get(CUSTOMERIO_SANDBOX)).toBeNull();
    const bare = await startApp({ mode: 'disabled' }, new LogCapture());
    await bare.app.get(CustomerIOClient).direct.identify('someone', {});
    await bare.app.close();
  });

  it("queued operations settle with the outcome 'disabled': counted, reported to onDelivered, receipts resolved", async () => {
    expect((await fetch(`${url}/signup`, { method: 'POST' })).status).toBe(201);
    const receipts = [client.identify('user-1', { plan: 'free' }), client.track('user-1', 'upgraded', { to: 'pro' })];
    const settled = Promise.all(receipts.map((receipt) => receipt.delivered));
    await client.flush();
    await settled;
    expect(client.stats).toMatchObject({ enqueued: 3, disabled: 3, delivered: 0, failed: 0, queued: 0 });
    expect(reports).toEqual([{ outcome: 'disabled', ids: expect.arrayContaining([receipts[0].id, receipts[1].id]) }]);
    expect(reports[0].ids).toHaveLength(3);
    expect(logs.messages('warn')).toEqual([]);
  });

  it('direct calls resolve without sending: to undefined, and {} for the App API', async () => {
    await expect(client.direct.identify('user-1', { plan: 'pro' })).resolves.toBeUndefined();
    await expect(client.direct.track('user-1', 'upgraded')).resolves.toBeUndefined();
    await expect(
      client.direct.sendEmail({ to: 'ada@example.com', transactional_message_id: 1, identifiers: { id: 'user-1' } }),
    ).resolves.toEqual({});
    await expect(client.direct.triggerBroadcast(7)).resolves.toEqual({});
    // the calls sent to /api/v2/entity, and the direct-only Track API calls
    await expect(client.direct.identify({ phone: '+14155552671' }, { plan: 'pro' })).resolves.toBeUndefined();
    await expect(client.direct.trackScreen('user-1', 'Home')).resolves.toBeUndefined();
    await expect(
      client.direct.identifyObject({ object_type_id: '1', object_id: 'acme' }, { name: 'Acme' }),
    ).resolves.toBeUndefined();
    await expect(
      client.direct.addRelationships('user-1', [{ object: { cio_object_id: 'o1' } }]),
    ).resolves.toBeUndefined();
    await expect(client.direct.addToSegment(3, ['user-1'])).resolves.toBeUndefined();
    await expect(client.direct.unsubscribe('dlv-1')).resolves.toBeUndefined();
    await expect(client.direct.submitForm('f1', { id: 'user-1' })).resolves.toBeUndefined();
    expect(customerio.requests).toEqual([]);
  });

  it('a bad call throws the same error as in live mode', async () => {
    const live = await startApp(customerio.moduleOptions(), new LogCapture());
    const liveClient = live.app.get(CustomerIOClient);
    const tooLong = 'x'.repeat(151);
    const calls: ((c: CustomerIOClient) => unknown)[] = [
      (c) => c.track(tooLong, 'e'),
      (c) => c.identify('u', { nested: { big: 1n } }),
      (c) => c.direct.identify(tooLong, {}),
      (c) => c.direct.trackMetric({ deliveryId: 'd', metric: 'read' as 'opened' }),
    ];
    for (const call of calls) {
      const [disabled, expected] = await Promise.all(
        [client, liveClient].map((c) => rejectionOf(Promise.resolve(c).then(call))),
      );
      expect(disabled).toBeInstanceOf(CustomerIOValidationError);
      expect({ ...disabled, message: disabled.message }).toEqual({ ...expected, message: expected.message });
    }
    await live.app.close();
  });

  it('sends nothing anywhere, calls no interceptor, and keeps its queue in memory whatever queue.store says', () => {
    expect(customerio.requests).toEqual([]);
    expect(intercepted).toEqual([]);
    expect(existsSync(sqlitePath)).toBe(false);
  });
});

describe("mode 'live'", () => {
  /** The files `entry` loads when imported: static imports and re-exports that are not type-only, followed. */
  function staticImportsOf(entry: string): Set<string> {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      const specifiers = [...source.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^;']*?\sfrom\s+)?'(\.[^']+)'/gm)].map(
        (m) => m[1],
      );
      for (const specifier of specifiers) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
    };
    visit(resolve(entry));
    return seen;
  }

  it('the main entry does not load the sandbox: mode sandbox imports it when it starts', () => {
    const loaded = [...staticImportsOf('lib/index.ts')].map((file) => relative(process.cwd(), file));
    expect(loaded).toContain('lib/customerio.module-target.ts');
    expect(loaded.filter((file) => file.startsWith('lib/testing/'))).toEqual([]);
    expect(staticImportsOf('lib/testing/index.ts').size).toBeGreaterThan(1);
  });
});
