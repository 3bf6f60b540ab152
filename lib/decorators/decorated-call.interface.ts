/** How a decorated call ended: with a result, or with an error. */
export type CallOutcome = { readonly result: unknown } | { readonly error: unknown };

/** What a decorator asks for, fixed at decoration time. */
export interface DecoratedCallSpec {
  /** `track` for `@TrackEvent`, `identify` for `@Identify`. */
  readonly kind: 'track' | 'identify';
  /** `Class.method`, for log lines. */
  readonly label: string;
  /** The event name (`track`). */
  readonly event?: string;
  /** The person, from the result and arguments. @default the incoming request's (`decorators.person`) */
  readonly person?: (result: unknown, ...args: unknown[]) => unknown;
  /** Event data (`track`) or attributes (`identify`). */
  readonly map?: (result: unknown, ...args: unknown[]) => unknown;
  /** Track a failed call too (`track`). @default false */
  readonly onError?: boolean;
}

/**
 * What tracks the decorated calls of one application (`CustomerIODecoratorTracker`), as the owners registry and
 * the incoming request see it.
 */
export interface DecoratedCallTracker {
  /** Records as this application's every instance of it that has a decorated method. */
  claimInstances(): void;
  /** Tracks one settled call. */
  settle(spec: DecoratedCallSpec, args: unknown[], outcome: CallOutcome): void;
}
