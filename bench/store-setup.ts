import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { StoreKind, StoreSpec } from './protocol.js';

// What a durable store's way needs, made by run.ts so that it is deleted there too, even when the worker was killed.

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client of the Redis at `url` if it answers within a second, else undefined. */
export async function connectRedis(url: string): Promise<Redis | undefined> {
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
 * What every store way passes to its store's constructor beside the file or the prefix: change it here to bench
 * another setting (it is printed in the way's title).
 */
export const STORE_OPTIONS: { [K in StoreKind]: Extract<StoreSpec, { kind: K }>['options'] } = {
  sqlite: {},
  redis: {},
};

/** The Redis version when Redis answers at {@link REDIS_URL}, else undefined (the Redis ways are skipped). */
export async function redisVersion(): Promise<string | undefined> {
  const redis = await connectRedis(REDIS_URL);
  if (!redis) return undefined;
  try {
    return /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  } finally {
    redis.disconnect();
  }
}

/**
 * A fresh temporary directory for the SQLite files, or a prefix of its own on the Redis at `redisUrl`, and how to
 * delete it. Undefined: that Redis does not answer.
 */
export async function prepareStore(
  kind: StoreKind,
  redisUrl = REDIS_URL,
): Promise<{ spec: StoreSpec; cleanUp(): Promise<void> } | undefined> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'nestjs-customerio-bench-'));
    return {
      spec: { kind, dir, options: STORE_OPTIONS.sqlite },
      cleanUp: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const redis = await connectRedis(redisUrl);
  if (!redis) return undefined;
  const prefix = `nestjs-customerio-bench:${randomBytes(6).toString('hex')}`;
  return {
    spec: { kind, url: redisUrl, prefix, options: STORE_OPTIONS.redis },
    cleanUp: async () => {
      try {
        await deleteKeys(redis, prefix);
      } finally {
        await redis.quit().catch(() => redis.disconnect());
      }
    },
  };
}
