import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CustomerIOClient } from '../client/customerio.client.js';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import {
  DECORATOR_FAILED,
  DECORATOR_NO_PERSON,
  USER_CODE_RETURNED_PROMISE,
  USER_CODE_THREW,
} from '../errors/customerio.messages.js';
import { DeliveryReporter, isThenable } from '../observability/delivery.reporter.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import type { CallOutcome, DecoratedCallSpec, DecoratedCallTracker } from './decorated-call.interface.js';
import { DecoratedInstanceExplorer } from './decorated-instance.explorer.js';
import { decoratorOwners } from './decorator-owners.registry.js';
import { incomingRequestStorage } from './incoming-request.context.js';

/** The client's queued methods, with the compile-time event checks already done by the decorator. */
interface UncheckedClient {
  identify(personId: unknown, attributes: unknown): unknown;
  track(personId: unknown, name: unknown, data?: unknown): unknown;
  trackAnonymous(anonymousId: unknown, name: unknown, data?: unknown): unknown;
}

/**
 * Sends what `@TrackEvent` and `@Identify` ask for once a decorated method has settled, through the
 * queue (a decorated call never waits on the network). A call that cannot be tracked — a mapper or a
 * `decorators` option threw, rejected or returned a Promise; no person; invalid input; queue full — is
 * counted in `errors` and summed into one log line a flush interval — never thrown into the caller.
 */
@Injectable()
export class CustomerIODecoratorTracker implements DecoratedCallTracker, OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly client: CustomerIOClient,
    private readonly explorer: DecoratedInstanceExplorer,
    @Inject(CUSTOMERIO_RESOLVED_OPTIONS) private readonly options: ResolvedCustomerIOOptions,
    private readonly reporter: DeliveryReporter,
  ) {
    decoratorOwners.start(this);
  }

  /** Decorated calls that could not be tracked (the queue's `stats.decoratorErrors`). */
  get errors(): number {
    return this.reporter.stats.decoratorErrors;
  }

  /** Records this application's instances with decorated methods, so calls outside requests find it. */
  onModuleInit(): void {
    this.claimInstances();
    decoratorOwners.forgetUnowned();
  }

  /** Stops counting this application as running; its instances stay its own. */
  onApplicationShutdown(): void {
    decoratorOwners.stop(this);
  }

  /**
   * Records as this application's every provider and controller instance that has a decorated method (see
   * {@link DecoratedInstanceExplorer.instances}); REQUEST-scoped ones are found through the request instead.
   */
  claimInstances(): void {
    for (const instance of this.explorer.instances()) decoratorOwners.claim(instance, this);
  }

  /** Tracks one settled call. */
  settle(spec: DecoratedCallSpec, args: unknown[], outcome: CallOutcome): void {
    if ('error' in outcome && !spec.onError) return;
    try {
      const result = 'result' in outcome ? outcome.result : undefined;
      const payload =
        'error' in outcome
          ? { error: errorName(outcome.error) }
          : spec.map && userValue(MAPPER[spec.kind], spec.map, result, args);
      const person = spec.person ? userValue('the person mapper', spec.person, result, args) : undefined;
      // NOTE: the incoming request is read only when the mapper gave no person (a lookup on every call otherwise).
      const request = person === undefined || person === null ? incomingRequestStorage.getStore()?.request : undefined;
      const personId =
        person ??
        (request === undefined ? undefined : userValue('decorators.person', this.options.decorators.person, request));
      // NOTE: the decorator checked the event name and data against the declared events at compile time.
      const client = this.client as unknown as UncheckedClient;
      if (spec.kind === 'identify') {
        if (personId === undefined || personId === null) throw new Error(DECORATOR_NO_PERSON(request !== undefined));
        client.identify(personId, payload ?? {});
      } else if (personId !== undefined && personId !== null) {
        client.track(personId, spec.event, payload);
      } else {
        const anonymousId =
          request === undefined
            ? undefined
            : userValue('decorators.anonymousId', this.options.decorators.anonymousId, request);
        if (anonymousId === undefined || anonymousId === null)
          throw new Error(DECORATOR_NO_PERSON(request !== undefined));
        client.trackAnonymous(anonymousId, spec.event, payload);
      }
    } catch (error) {
      this.reporter.userCodeFailed('decorator', DECORATOR_FAILED(spec), error);
    }
  }
}

const MAPPER = { track: 'the data mapper', identify: 'the attributes mapper' } as const;

/**
 * What user code (`what`) returns when called with `first` and `rest`; throws naming it when it throws or returns a
 * Promise (whose rejection is then handled here, so that it never reaches the process).
 */
function userValue<T>(
  what: string,
  code: (first: T, ...rest: unknown[]) => unknown,
  first: T,
  rest: unknown[] = [],
): unknown {
  let value: unknown;
  try {
    value = code(first, ...rest);
  } catch (error) {
    throw new Error(USER_CODE_THREW(what, error), { cause: error });
  }
  if (isThenable(value)) {
    value.then(undefined, () => undefined);
    throw new Error(USER_CODE_RETURNED_PROMISE(what));
  }
  return value;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
