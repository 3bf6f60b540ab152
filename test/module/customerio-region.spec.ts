import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CustomerIOConfigError, CustomerIOModule, type CustomerIOModuleOptions } from '../../lib/index.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { rejectionOf } from '../support/test-app.js';
import { LogCapture } from '../support/log-capture.js';

// The region check at start-up (mode 'live'): GET /api/v1/accounts/region names the account's region; another
// region than the configured one fails start-up with a clear message; no answer only warns.

const logs = new LogCapture();
let app: INestApplication | undefined;

async function start(options: CustomerIOModuleOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [CustomerIOModule.forRoot(options)] }).compile();
  app = moduleRef.createNestApplication({ logger: logs });
  await app.init();
  return app;
}

describe('region check at start-up', () => {
  let eu: CustomerIOSandbox;
  let us: CustomerIOSandbox;

  beforeAll(async () => {
    eu = await CustomerIOSandbox.start({ region: 'eu' });
    us = await CustomerIOSandbox.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    logs.lines.length = 0;
    eu.reset();
    us.reset();
  });
  afterAll(async () => {
    await eu.close();
    await us.close();
  });

  it('credentials of an EU account with region "us" fail start-up with a CustomerIOConfigError naming both regions', async () => {
    const error = await rejectionOf(start({ ...eu.moduleOptions(), region: 'us', checkRegion: true }));
    expect(error).toBeInstanceOf(CustomerIOConfigError);
    expect((error as CustomerIOConfigError).option).toBe('region');
    expect(error.message).toMatch(
      /option "region" is "us", but these Track API credentials belong to a Customer\.io account in region "eu"/,
    );
    expect(error.message).toMatch(/set "region" to "eu" \(CUSTOMERIO_REGION=eu\)/);
    expect(error.message).not.toContain(eu.apiKey);
    expect(eu.requests.map(({ method, path }) => `${method} ${path}`)).toEqual(['GET /api/v1/accounts/region']);
  });

  it('credentials of a US account with region "eu" fail start-up the same way', async () => {
    const error = await rejectionOf(start({ ...us.moduleOptions(), region: 'eu', checkRegion: true }));
    expect(error.message).toMatch(/option "region" is "eu", .* in region "us"/);
  });

  it('a matching region starts, warning nothing', async () => {
    await start({ ...eu.moduleOptions(), region: 'eu', checkRegion: true });
    expect(eu.requests.map(({ path }) => path)).toEqual(['/api/v1/accounts/region']);
    expect(logs.messages('warn')).toEqual([]);
  });

  it('an unreachable region endpoint warns and starts', async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    await start({ ...us.moduleOptions(), trackUrl: `http://127.0.0.1:${port}`, checkRegion: true });
    expect(logs.messages('warn', 'CustomerIO')).toEqual([
      expect.stringMatching(/could not check the account's region at start-up .*starting anyway/),
    ]);
  });

  it('an error status from the region endpoint warns and starts', async () => {
    us.respondWith(503, { path: '/api/v1/accounts/region' });
    await start({ ...us.moduleOptions(), checkRegion: true });
    expect(logs.messages('warn', 'CustomerIO')).toEqual([
      expect.stringMatching(/could not check the account's region/),
    ]);
  });

  it('is off by default when trackUrl is set (a proxy or a sandbox), and in modes other than live', async () => {
    await start(eu.moduleOptions());
    await app!.close();
    await start({ ...eu.moduleOptions(), mode: 'disabled', checkRegion: true });
    expect(eu.requests).toEqual([]);
  });

  it('checkRegion must be a boolean', async () => {
    const error = await rejectionOf(start({ ...us.moduleOptions(), checkRegion: 'yes' as never }));
    expect(error).toBeInstanceOf(CustomerIOConfigError);
    expect((error as CustomerIOConfigError).option).toBe('checkRegion');
  });
});
