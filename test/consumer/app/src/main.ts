// Runs the app against the package's sandbox and checks that what it sent arrived; exits 1 otherwise.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { CustomerIOClient } from 'nestjs-customerio';
import { MemoryQueueStore } from 'nestjs-customerio/stores';
import { CustomerIOSandbox, queueStoreContract } from 'nestjs-customerio/testing';

// The store contract of the testing entry, run as a store author would, here on the stores entry's memory store.
const checks = queueStoreContract(() => new MemoryQueueStore());
for (const check of checks) await check.run();
console.log(`the store contract: ${checks.length} checks passed on MemoryQueueStore`);

const sandbox = await CustomerIOSandbox.start();
const queueFile = join(mkdtempSync(join(tmpdir(), 'consumer-queue-')), 'queue.sqlite');
Object.assign(process.env, {
  CUSTOMERIO_SITE_ID: sandbox.siteId,
  CUSTOMERIO_API_KEY: sandbox.apiKey,
  CUSTOMERIO_TRACK_URL: sandbox.url,
  CUSTOMERIO_QUEUE_FILE: queueFile,
});
// NOTE: imported after the environment is set: forRoot reads it when the module is declared.
const { AppModule } = await import('./app.module.js');
const { SignupService } = await import('./signup.service.js');
const { AccountService } = await import('./account.service.js');

const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
app.get(SignupService).signUp({ id: 'u-1', email: 'a@example.com' });
const accounts = app.get(AccountService);
await accounts.upgrade('u-1', 'a@example.com');
accounts.confirm('u-1');
await app.get(CustomerIOClient).flush();
await sandbox.waitFor(() => sandbox.events.length === 2 && sandbox.people.get('u-1')?.attributes.plan === 'pro');

const received = {
  events: sandbox.events.map(({ personId, name, data }) => ({ personId, name, data })),
  person: sandbox.people.get('u-1')?.attributes,
  queueFileBytes: statSync(queueFile).size,
};
await app.close();
await sandbox.close();
console.log(`the sandbox received: ${JSON.stringify(received)}`);
const names = received.events.map((event) => event.name).join(', ');
if (names !== 'signed_up, upgraded' || received.person?.email !== 'a@example.com' || received.queueFileBytes === 0) {
  throw new Error(`expected signed_up, upgraded for u-1 <a@example.com> through a SQLite queue file, got ${names}`);
}
