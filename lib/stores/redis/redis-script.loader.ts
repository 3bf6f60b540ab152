import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { KEY_COUNT } from './redis-queue-layout.lua.js';

/** What a script of the Redis queue store answers: a flat list (the counts first, for most of them). */
export type RedisReply = (string | number | null)[];

/** SHA-1 of each script run so far: the scripts are constants, so this holds a dozen entries at most. */
const shas = new Map<string, string>();

/**
 * Runs a script on `keys` (the store's {@link KEY_COUNT} keys) by its SHA, loading it when Redis does not know it
 * (first use, or after a restart).
 */
export async function runScript(
  redis: Redis,
  script: string,
  keys: readonly string[],
  args: readonly (string | number | Buffer)[],
): Promise<RedisReply> {
  let sha = shas.get(script);
  if (!sha) shas.set(script, (sha = createHash('sha1').update(script).digest('hex')));
  try {
    return (await redis.evalsha(sha, KEY_COUNT, ...keys, ...args)) as RedisReply;
  } catch (error) {
    if (!String(error).includes('NOSCRIPT')) throw error;
    return (await redis.eval(script, KEY_COUNT, ...keys, ...args)) as RedisReply;
  }
}
