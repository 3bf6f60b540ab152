/**
 * The events an application sends, by name, with the shape of each event's data.
 * Empty here: an application declares its events once by declaration merging,
 *
 * ```ts
 * declare module 'nestjs-customerio' {
 *   interface CustomerIOEvents {
 *     signed_up: { plan: 'free' | 'pro' };
 *   }
 * }
 * ```
 *
 * after which an unknown event name or a wrong payload is a compile error.
 * An application that declares nothing may send any name with any data.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CustomerIOEvents {}

/** Data of an event: a JSON object. */
export type CustomerIOEventData = Record<string, unknown>;

/** The declared events, or any name with any data when none are declared. */
export type CustomerIOEventMap = keyof CustomerIOEvents extends never
  ? Record<string, CustomerIOEventData>
  : CustomerIOEvents;

/** A name of an event the application may send. */
export type CustomerIOEventName = keyof CustomerIOEventMap & string;

/** A person's attributes. */
export type CustomerIOAttributes = Record<string, unknown>;

/** When something happened: a `Date`, or unix seconds. */
export type CustomerIOTimestamp = Date | number;

/** Options of one tracked event. */
export interface TrackEventOptions {
  /**
   * When the event happened. Queued or direct, an event is sent with a timestamp, so a late batch or a retry
   * keeps it.
   * @default the time of the call (unix seconds)
   */
  timestamp?: CustomerIOTimestamp;
  /**
   * Your own id for the event (a ULID), sent as its `id`: Customer.io ignores a second event with the same id.
   * On the queue, calls that repeat an id are each queued, sent and reported on their own (each receipt's `id` is
   * the queue's own), and Customer.io keeps one event.
   * @default on the queue, the operation's id (`receipt.id`); on `client.direct`, none
   */
  id?: string;
}

/**
 * The arguments after an event's name: its data (required when the declared type has a
 * required field), then options.
 */
export type CustomerIOEventArgs<N extends CustomerIOEventName> =
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  {} extends CustomerIOEventMap[N]
    ? [data?: CustomerIOEventMap[N], options?: TrackEventOptions]
    : [data: CustomerIOEventMap[N], options?: TrackEventOptions];
