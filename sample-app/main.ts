import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { CUSTOMERIO_SANDBOX } from '../lib/index.js';
import type { CustomerIOSandbox } from '../lib/testing/index.js';
import { AppModule } from './app.module.js';

const app = await NestFactory.create(AppModule);
// SIGTERM / SIGINT close the app: the queue sends what it holds before the process exits.
app.enableShutdownHooks();
const config = app.get(ConfigService);
await app.listen(Number(config.get<string>('PORT') ?? 3000), config.get<string>('HOST') ?? '127.0.0.1');

const url = (await app.getUrl()).replace('[::1]', 'localhost');
const logger = new Logger('SampleApp');
logger.log(`Listening on ${url}`);
const sandbox = app.get<CustomerIOSandbox | null>(CUSTOMERIO_SANDBOX);
if (sandbox) {
  logger.log(`The sandbox's live inspector (every request, person and event): ${sandbox.url}/`);
  logger.log(
    `What reached the sandbox: ${url}/customerio (queue counters: ${url}/customerio/stats, health: ${url}/health, metrics: ${url}/metrics)`,
  );
  logger.log(
    'Send a few requests with: npm run drive' + (url === 'http://127.0.0.1:3000' ? '' : ` (with BASE_URL=${url})`),
  );
}
