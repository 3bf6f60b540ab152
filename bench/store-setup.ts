import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { StoreSpec } from './protocol.js';

// What a durable store's way needs, made by run.ts so that it is deleted there too, even when the worker was killed.

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client of the Redis at `url` if it answers within a second, else undefined. */
async function connectRedis(url: string): Promise<Redis | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    return undefined;
  }
}

/** Deletes the keys of every store prefix starting with `prefix` (the worker's warm-up and measured queues). */
async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/**
 * A fresh temporary directory for the SQLite files, or a prefix of its own on Redis, and how to delete it.
 * Undefined: skip the way (no Redis answers).
 */
export async function prepareStore(
  way: 'queue-sqlite' | 'queue-redis',
): Promise<{ spec: StoreSpec; cleanUp(): Promise<void> } | undefined> {
  if (way === 'queue-sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'nestjs-customerio-bench-'));
    return { spec: { kind: 'sqlite', way, dir }, cleanUp: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const redis = await connectRedis(REDIS_URL);
  if (!redis) {
    console.log(`${way}: skipped (no Redis at ${REDIS_URL})`);
    return undefined;
  }
  const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  console.log(`redis: ${REDIS_URL} (Redis ${version}, separate process)`);
  const prefix = `nestjs-customerio-bench:${randomBytes(6).toString('hex')}`;
  return {
    spec: { kind: 'redis', way, url: REDIS_URL, prefix },
    cleanUp: async () => {
      try {
        await deleteKeys(redis, prefix);
      } finally {
        await redis.quit().catch(() => redis.disconnect());
      }
    },
  };
}
