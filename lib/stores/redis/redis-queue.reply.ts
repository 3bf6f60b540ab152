import type { QueuedOperation } from '../../interfaces/queue-store.interface.js';
import type { RedisReply } from './redis-script.loader.js';

/** Fields of an operation in a script's reply: id, key, record (see {@link operationRecord}). */
export const FIELDS = 3;

/**
 * How the store keeps an operation in Redis (besides its id): `<bytes>:<attempts>:<key's UTF-8 bytes>:<key><json>`,
 * one hash field the scripts read the bytes and key of without the JSON.
 */
export function operationRecord({ key, json, bytes, attempts }: QueuedOperation): string {
  return `${bytes}:${attempts}:${Buffer.byteLength(key)}:${key}${json}`;
}

/** The operation whose {@link FIELDS} fields start at `i` in a script's reply. */
export function operationAt(reply: RedisReply, i: number): QueuedOperation {
  const key = String(reply[i + 1]);
  const record = String(reply[i + 2]);
  const afterBytes = record.indexOf(':');
  const afterAttempts = record.indexOf(':', afterBytes + 1);
  const keyStart = record.indexOf(':', afterAttempts + 1) + 1;
  return {
    id: String(reply[i]),
    key,
    json: record.slice(keyStart + key.length),
    bytes: Number(record.slice(0, afterBytes)),
    attempts: Number(record.slice(afterBytes + 1, afterAttempts)),
  };
}
