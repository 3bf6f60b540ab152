// What a queued operation's JSON may be besides a Track API v2 batch operation (see `QueuedOperation.json`).

/**
 * How a queued operation bound for `POST /api/v1/events` begins: `{"v1":"events","body":` then the body, then `}`.
 * Anonymous events take this form: the v2 batch has none for them (its `identifiers` are one of id, email, phone,
 * cio_id), so the batch sender sends each to `/api/v1/events` on its own.
 */
export const V1_EVENTS_ENVELOPE = '{"v1":"events","body":';

/** The `/api/v1/events` body of a queued operation, or `undefined` for a v2 operation. */
export function v1EventsBody(json: string): string | undefined {
  return json.startsWith(V1_EVENTS_ENVELOPE) ? json.slice(V1_EVENTS_ENVELOPE.length, -1) : undefined;
}

/**
 * How a Pipelines call of a batch's kind begins: its `type`, first (see `pipelinesJson`); a v2 operation's is
 * `person` or `object`. NOTE: the Pipelines document's `/batch` takes identify, track, page, screen and group calls.
 */
const PIPELINES_HEAD = /^\{"type":"(?:identify|track|page|screen|group)"/;
const ALIAS_HEAD = /^\{"type":"alias"/;

/** Where a queued operation goes: in a v2 batch, alone to `/api/v1/events`, in a Pipelines batch, or alone to `/v1/alias`. */
export type QueuedRoute = 'track' | 'events' | 'pipelines' | 'alias';

/** The route of a queued operation's JSON. */
export function queuedRoute(json: string): QueuedRoute {
  // NOTE: this runs for every operation of every batch: an anchored regular expression tries the heads in ~15 ns, where
  // a startsWith each took ~25 ns.
  if (json.startsWith(V1_EVENTS_ENVELOPE)) return 'events';
  if (ALIAS_HEAD.test(json)) return 'alias';
  return PIPELINES_HEAD.test(json) ? 'pipelines' : 'track';
}
