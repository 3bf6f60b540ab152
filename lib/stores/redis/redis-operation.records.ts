import type { QueuedOperation } from '../../interfaces/queue-store.interface.js';
import type { RedisLeasedOperation } from './redis-lease.keeper.js';
import type { RedisReply } from './redis-script.loader.js';

// How the Redis queue store's operations travel: each is kept in Redis as its id and a record,
// `<bytes>:<attempts>:<key's UTF-8 bytes>:<key><json>` (one hash field, whose bytes and key the scripts read without
// the JSON); APPEND takes them as one msgpack array of ids and records, and LEASE answers id, key and record.

/** Fields of an operation in a script's reply: id, key, record. */
export const FIELDS = 3;

/** msgpack's headers of an array, and of a string, of up to 2^32 - 1 items or bytes (then the count, 4 bytes). */
const ARRAY_32 = 0xdd;
const STRING_32 = 0xdb;

/**
 * The operations as APPEND reads them: a msgpack array of each one's id and record, written straight into one
 * Buffer (a string per operation, or per command argument, would be garbage for the collector, and slower to send).
 */
export function appendPayload(operations: readonly QueuedOperation[]): Buffer {
  const heads: string[] = [];
  let size = 5;
  for (const { id, key, json, bytes, attempts } of operations) {
    const head = `${bytes}:${attempts}:${Buffer.byteLength(key)}:`;
    heads.push(head);
    size += 10 + Buffer.byteLength(id) + head.length + Buffer.byteLength(key) + Buffer.byteLength(json);
  }
  const payload = Buffer.allocUnsafe(size);
  payload[0] = ARRAY_32;
  payload.writeUInt32BE(operations.length * 2, 1);
  let at = 5;
  operations.forEach(({ id, key, json }, i) => {
    at = writeString(payload, at, id);
    const record = at;
    at += 5;
    at += payload.write(heads[i], at, 'latin1');
    at += payload.write(key, at);
    at += payload.write(json, at);
    payload[record] = STRING_32;
    payload.writeUInt32BE(at - record - 5, record + 1);
  });
  return payload;
}

function writeString(payload: Buffer, at: number, text: string): number {
  const length = payload.write(text, at + 5);
  payload[at] = STRING_32;
  payload.writeUInt32BE(length, at + 1);
  return at + 5 + length;
}

/** The operation whose {@link FIELDS} fields start at `i` in a LEASE or DROP_OLDEST reply. */
export function operationAt(reply: RedisReply, i: number): QueuedOperation;
/** The operation whose {@link FIELDS} fields start at `i` in a LEASE reply, leased under `lease`. */
export function operationAt(reply: RedisReply, i: number, lease: string): RedisLeasedOperation;
export function operationAt(reply: RedisReply, i: number, lease?: string): QueuedOperation | RedisLeasedOperation {
  const key = String(reply[i + 1]);
  const record = String(reply[i + 2]);
  const afterBytes = record.indexOf(':');
  const afterAttempts = record.indexOf(':', afterBytes + 1);
  const keyStart = record.indexOf(':', afterAttempts + 1) + 1;
  const id = String(reply[i]);
  const json = record.slice(keyStart + key.length);
  const bytes = Number(record.slice(0, afterBytes));
  const attempts = Number(record.slice(afterBytes + 1, afterAttempts));
  return lease === undefined ? { id, key, json, bytes, attempts } : { id, key, json, bytes, attempts, lease };
}
