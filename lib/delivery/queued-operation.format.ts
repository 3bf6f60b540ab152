// What a queued operation's JSON may be besides a v2 batch operation (see `QueuedOperation.json`).

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
