import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CustomerIOClient,
  type CustomerIODirectClient,
  CustomerIOModule,
  type CustomerIOModuleOptions,
} from '../../lib/index.js';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { CustomerIOSandbox } from '../../lib/testing/index.js';

/** A Nest application whose CustomerIOModule sends to `sandbox`, and its clients. */
export interface ClientApp {
  app: INestApplication;
  /** The queue-first client. */
  client: CustomerIOClient;
  /** The awaitable path (`client.direct`). */
  direct: CustomerIODirectClient;
}

/** Boots a real Nest application with CustomerIOModule.forRoot pointed at the sandbox. */
export async function createClientApp(
  sandbox: CustomerIOSandbox,
  overrides: Partial<CustomerIOModuleOptions> = {},
): Promise<ClientApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [CustomerIOModule.forRoot({ ...sandbox.moduleOptions(), ...overrides })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const client = app.get(CustomerIOClient);
  return { app, client, direct: client.direct };
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** A strict sandbox and an app sending to it (retries off), started once for a describe block and reset after each test. */
export interface SandboxAppFixture {
  sandbox: CustomerIOSandbox;
  subject: ClientApp;
}

/** Registers the hooks of a {@link SandboxAppFixture}; its fields are set once `beforeAll` ran. */
export function useSandboxApp(): SandboxAppFixture {
  const fixture = {} as SandboxAppFixture;
  beforeAll(async () => {
    fixture.sandbox = await CustomerIOSandbox.start({ strict: true });
    fixture.subject = await createClientApp(fixture.sandbox, { retry: false });
  });
  afterEach(() => fixture.sandbox.reset());
  afterAll(async () => {
    await fixture.subject.app.close();
    await fixture.sandbox.close();
  });
  return fixture;
}
