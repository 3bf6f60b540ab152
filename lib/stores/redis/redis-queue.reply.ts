import type { QueuedOperation } from '../../interfaces/queue-store.interface.js';
import type { RedisReply } from './redis-script.loader.js';

/** Fields of an operation in a script's reply: id, key, json, bytes, attempts. */
export const FIELDS = 5;

/** The operation whose {@link FIELDS} fields start at `i` in a script's reply. */
export function operationAt(reply: RedisReply, i: number): QueuedOperation {
  return {
    id: String(reply[i]),
    key: String(reply[i + 1]),
    json: String(reply[i + 2]),
    bytes: Number(reply[i + 3]),
    attempts: Number(reply[i + 4]),
  };
}
