// The `nestjs-customerio-sandbox` command as a real process: the library compiled once (as dist/ ships it), the
// command started with `node`, sent to by the module (customerio-node) configured from the environment it prints,
// stopped with a signal.
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { CustomerIOClient, CustomerIOModule, customerIOOptionsFromConfig } from '../../lib/index.js';
import { buildLibraryForChildren, type Child, killAll, removeBuild, startChild } from '../support/crash-child.js';

/** Whether `port` of 127.0.0.1 can be listened on again. */
const portIsFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** The HTTP status `promise` rejected with, or 200. */
const status = (promise: Promise<unknown>): Promise<number> =>
  promise.then(
    () => 200,
    (error: { status?: number }) => error.status ?? Promise.reject(error),
  );

/** The `NAME=value` pairs of the banner's lines that set CUSTOMERIO_ variables, plus `extra`. */
const printedEnv = (lines: string[], extra: Record<string, string> = {}): Record<string, string> => ({
  ...Object.fromEntries(
    lines.flatMap((line) => [...line.matchAll(/\b(CUSTOMERIO_[A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]])),
  ),
  ...extra,
});

/** A raw v1 identify of `u-1` with `_update: 'yes'` (not a boolean), with Track API `credentials` (`site:key`). */
const identifyUpdating = (url: string, credentials = 'sandbox-site:sandbox-api-key'): Promise<Response> =>
  fetch(`${url}/api/v1/customers/u-1`, {
    method: 'PUT',
    headers: {
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ _update: 'yes' }),
  });

/** A Nest app whose module reads `env` as `customerIOOptionsFromConfig` reads `process.env`; returns its client. */
async function clientFrom(env: Record<string, string>): Promise<{ client: CustomerIOClient; close(): Promise<void> }> {
  const moduleRef = await Test.createTestingModule({
    imports: [CustomerIOModule.forRoot(customerIOOptionsFromConfig({ get: (key) => env[key] }))],
  }).compile();
  const app = await moduleRef.createNestApplication({ logger: false }).init();
  return { client: app.get(CustomerIOClient), close: () => app.close() };
}

describe('nestjs-customerio-sandbox, the command', () => {
  let build: string | undefined;
  let command: string;
  const children: Child[] = [];

  beforeAll(() => {
    build = buildLibraryForChildren(['bin/sandbox.cli.js']);
    command = join(build, 'bin/sandbox.cli.js');
  }, 120_000);
  afterEach(() => killAll(children));
  afterAll(() => removeBuild(build));

  /** Starts the command with `args` and waits for its banner; returns it and the origin it printed. */
  async function start(args: string[]): Promise<{ child: Child; url: string; port: number }> {
    const child = startChild(command, args);
    children.push(child);
    await child.waitForLine((line) => line === 'Ctrl-C stops it.');
    const url = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(child.lines[0]!)![1]!;
    return { child, url, port: new URL(url).port === '' ? 80 : Number(new URL(url).port) };
  }

  it('serves the Track API with the credentials it prints, and stops on SIGINT with exit code 0', async () => {
    const { child, url, port } = await start(['--port', '0', '--site-id', 'dev-site', '--api-key', 'dev-key']);
    const banner = child.lines.join('\n');
    expect(banner).toContain(`Inspector:      ${url}/`);
    expect(banner).toContain(`Track API:      ${url}/api/v1 and ${url}/api/v2   site id dev-site, API key dev-key`);
    expect(banner).toContain(`App API:        ${url}/v1   key sandbox-app-api-key`);
    expect(banner).toContain(`Pipelines API:  ${url}/v1   key sandbox-pipelines-key`);
    expect(banner).toContain(`CUSTOMERIO_TRACK_URL=${url} CUSTOMERIO_SITE_ID=dev-site CUSTOMERIO_API_KEY=dev-key`);

    const env = printedEnv(child.lines);
    expect(Object.keys(env)).toHaveLength(7);
    const app = await clientFrom(env);
    const wrong = await clientFrom({ ...env, CUSTOMERIO_API_KEY: 'sandbox-api-key' });
    try {
      expect(await status(app.client.direct.identify('u-1', { email: 'u1@example.com' }))).toBe(200);
      expect(await status(app.client.direct.track('u-1', 'signed_up', { plan: 'pro' }))).toBe(200);
      expect(
        await status(
          app.client.direct.sendEmail({
            transactional_message_id: 1,
            to: 'u1@example.com',
            identifiers: { id: 'u-1' },
          }),
        ),
      ).toBe(200);
      expect(await status(wrong.client.direct.identify('u-1', { email: 'u1@example.com' }))).toBe(401);
      // the same origin answers the Pipelines API with the key it printed (the module needs customerio-node 5 for it)
      const pipelines = await fetch(`${env.CUSTOMERIO_PIPELINES_URL}/v1/track`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${env.CUSTOMERIO_PIPELINES_KEY}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ userId: 'u-1', event: 'signed_up', properties: { plan: 'pro' } }),
      });
      expect(pipelines.status).toBe(200);
    } finally {
      await app.close();
      await wrong.close();
    }

    // what it recorded, read back over its JSON API; its inspector page at the URL printed
    const people = await (await fetch(`${url}/_sandbox/api/people`)).json();
    expect(people).toMatchObject({ count: 1, people: [{ id: 'u-1', attributes: { email: 'u1@example.com' } }] });
    const { events } = (await (await fetch(`${url}/_sandbox/api/events?person=u-1`)).json()) as { events: unknown[] };
    expect(events).toEqual([
      expect.objectContaining({ name: 'signed_up', api: 'pipelines', data: { plan: 'pro' } }),
      expect.objectContaining({ name: 'signed_up', api: 'v1', data: { plan: 'pro' } }),
    ]);
    const inspector = await fetch(`${url}/`);
    expect(inspector.status).toBe(200);
    expect(inspector.headers.get('content-type')).toMatch(/^text\/html/);

    // strict by default: an `_update` that is not a boolean is refused, as Customer.io's spec says
    expect((await identifyUpdating(url, 'dev-site:dev-key')).status).toBe(400);

    const stopped = performance.now();
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(0);
    expect(performance.now() - stopped).toBeLessThan(2000);
    expect(child.lines.at(-1)).toBe('Customer.io sandbox stopped.');
    expect(await portIsFree(port)).toBe(true);
    expect(child.stderr.join('')).toBe('');
  }, 30_000);

  it('plays the region and strictness given, and stops on SIGTERM with an idle client connection open', async () => {
    const { child, url, port } = await start(['--port=0', '--region', 'eu', '--no-strict', '--max-records', '3']);
    expect(child.lines[0]).toBe(
      `Customer.io sandbox listening on ${url} (region eu; only Customer.io's limits checked; the last 3 of each record kept)`,
    );
    const region = await fetch(`${url}/api/v1/accounts/region`, {
      headers: { authorization: `Basic ${Buffer.from('sandbox-site:sandbox-api-key').toString('base64')}` },
    });
    expect(await region.json()).toMatchObject({ region: 'eu' });
    // the module, set for the EU, checks the region at start-up
    const app = await clientFrom(printedEnv(child.lines, { CUSTOMERIO_REGION: 'eu' }));
    expect(await status(app.client.direct.identify('u-1', { email: 'u1@example.com' }))).toBe(200);
    await app.close();
    expect((await identifyUpdating(url)).status).toBe(200);

    const idle = connect(port, '127.0.0.1');
    await once(idle, 'connect');
    const idleClosed = once(idle, 'close');
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    await idleClosed;
  }, 30_000);

  it('exits 2 naming a bad option and what it takes, without listening', async () => {
    const child = startChild(command, ['--port', '99999']);
    children.push(child);
    expect(await child.exited).toBe(2);
    expect(child.stderr.join('')).toBe(
      'nestjs-customerio-sandbox: --port takes a port number from 0 to 65535 (0: a free port)\n',
    );
    expect(child.lines).toEqual([]);
  }, 30_000);

  it('exits 1 naming the address when the port is taken', async () => {
    const { port } = await start(['--port', '0']);
    const second = startChild(command, ['--port', String(port)]);
    children.push(second);
    expect(await second.exited).toBe(1);
    expect(second.stderr.join('')).toContain(`nestjs-customerio-sandbox: cannot listen on 127.0.0.1:${port}: `);
    expect(second.stderr.join('')).toContain('EADDRINUSE');
  }, 30_000);

  it('prints its help on --help and exits 0', async () => {
    const child = startChild(command, ['--help']);
    children.push(child);
    expect(await child.exited).toBe(0);
    expect(child.lines[0]).toBe('Usage: nestjs-customerio-sandbox [options]');
    expect(child.lines.some((line) => line.startsWith('  --no-strict'))).toBe(true);
  }, 30_000);
});
