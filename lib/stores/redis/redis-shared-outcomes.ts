import type { CustomerIODeliveryOutcome } from '../../interfaces/delivery-outcome.interface.js';
import type { SharedOutcome, SharedOutcomes } from '../../interfaces/queue-store.interface.js';
import { COLLECT, REPORT, WATCH } from './redis-queue-outcomes.lua.js';
import type { RedisReply } from './redis-script.loader.js';

/**
 * How long a watched operation may be gone from the store with no outcome recorded before its watcher's collect
 * answers that the outcome cannot be known (or half of `outcomeTtlMs`, if shorter): the instance that settled it
 * reports right after it acknowledges.
 */
export const OUTCOME_GRACE_MS = 1_000;

/**
 * The outcomes carried between the instances sharing a Redis queue store's prefix (see
 * `RedisQueueStore.sharedOutcomes`): watches and recorded outcomes live in Redis, each checked and changed by one
 * script call, and are forgotten after `outcomeTtlMs`.
 * @param run runs a script of the store (see `RedisQueueConnection.run`)
 * @param instance the token telling this instance apart from the others sharing the prefix
 */
export function redisSharedOutcomes(
  run: (script: string, args: (string | number)[]) => Promise<RedisReply>,
  instance: string,
  outcomeTtlMs: number,
): SharedOutcomes {
  return {
    watch: async (ids) => {
      await run(WATCH, [instance, outcomeTtlMs, ...ids]);
    },
    report: async (outcome, ids, reason = '') => {
      await run(REPORT, [instance, outcomeTtlMs, outcome, reason, ...ids]);
    },
    collect: async (ids) => {
      // NOTE: a mark of an operation gone ages out with `outcomeTtlMs`: the grace must end well before.
      const grace = Math.min(OUTCOME_GRACE_MS, Math.floor(outcomeTtlMs / 2));
      return collected(await run(COLLECT, [instance, outcomeTtlMs, grace, ...ids]));
    },
  };
}

/** COLLECT's reply (id, then the outcome, a newline and its reason, for each id) as outcomes. */
function collected(reply: RedisReply): SharedOutcome[] {
  const outcomes: SharedOutcome[] = [];
  for (let i = 0; i < reply.length; i += 2) {
    const recorded = String(reply[i + 1]);
    const newline = recorded.indexOf('\n');
    const outcome = recorded.slice(0, newline) as CustomerIODeliveryOutcome | '';
    const reason = recorded.slice(newline + 1);
    outcomes.push({ id: String(reply[i]), ...(outcome && { outcome }), ...(reason && { reason }) });
  }
  return outcomes;
}
