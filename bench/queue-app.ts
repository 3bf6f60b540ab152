import 'reflect-metadata';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { join } from 'node:path';
import { CustomerIOClient, CustomerIOModule, type CustomerIOModuleOptions } from '../lib/index.js';
import type { CustomerIOQueueStore } from '../lib/stores/index.js';
import { EVENT_NAME, eventData, personIdOf, type StoreSpec } from './protocol.js';

// What the workers that run this module's queue share (queue.ts, scale-out-instance.ts): the Nest application
// around CustomerIOModule, the store a StoreSpec names, and the warm-up.

const WARM_UP_EVENTS = 20_000;

@Module({})
class BenchAppModule {
  static register(options: CustomerIOModuleOptions): DynamicModule {
    return { module: BenchAppModule, imports: [CustomerIOModule.forRoot(options)] };
  }
}

/** A Nest application context whose only module is CustomerIOModule with `options`. */
export function createQueueApp(
  options: CustomerIOModuleOptions,
  logger: false | ('error' | 'warn')[] = ['error', 'warn'],
): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(BenchAppModule.register(options), { logger });
}

/**
 * A store of the spec's kind with the spec's options; `name` names its file (SQLite) or the end of its prefix (Redis),
 * so that a warm-up's keeps apart from the measured run's (and the instances that share a queue name the same).
 */
export async function openStore(spec: StoreSpec, name: string): Promise<CustomerIOQueueStore> {
  if (spec.kind === 'sqlite') {
    const { SqliteQueueStore } = await import('../lib/stores/index.js');
    return new SqliteQueueStore({ ...spec.options, path: join(spec.dir, `${name}.sqlite`) });
  }
  const { RedisQueueStore } = await import('../lib/redis/index.js');
  const store = new RedisQueueStore({ ...spec.options, redis: spec.url, prefix: `${spec.prefix}:${name}` });
  await store.ready();
  return store;
}

/**
 * Warms the enqueue path up: 20,000 `client.track` calls in an application of its own whose queue sends nothing
 * (its URL refuses connections, and it is closed with a zero shutdown deadline), so that the measured run starts
 * with the JIT warm, as a running server would be. On a store of the spec's kind, named `name` (a durable store
 * keeps what the warm-up left, until the coordinator deletes it).
 */
export async function warmUp(spec: StoreSpec | undefined, name: string, pipelines: boolean): Promise<void> {
  const store = spec ? await openStore(spec, name) : undefined;
  const app = await createQueueApp(
    {
      ...(pipelines
        ? { api: 'pipelines' as const, pipelinesKey: 'warm-up', pipelinesUrl: 'http://127.0.0.1:9' }
        : { siteId: 'warm-up', apiKey: 'warm-up', trackUrl: 'http://127.0.0.1:9' }),
      retry: false,
      queue: {
        flushIntervalMs: 3_600_000,
        maxBatchOperations: 1_000_000,
        maxQueueBytes: 256 * 1024 * 1024,
        shutdownTimeoutMs: 0,
        ...(store && { store }),
      },
    },
    false,
  );
  const client = app.get(CustomerIOClient);
  for (let i = 0; i < WARM_UP_EVENTS; i++) client.track(personIdOf(i), EVENT_NAME, eventData(i));
  await app.close();
  await store?.close?.();
}
