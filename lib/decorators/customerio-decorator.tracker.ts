import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { CustomerIOClient } from '../client/customerio.client.js';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import {
  DECORATOR_FAILED,
  DECORATOR_NO_PERSON,
  DECORATOR_WITHOUT_APP,
  USER_CODE_RETURNED_PROMISE,
  USER_CODE_THREW,
} from '../errors/customerio.messages.js';
import { DeliveryReporter, isThenable } from '../observability/delivery.reporter.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import { type CallOutcome, DECORATED_METHOD } from './decorated-method.js';
import { customerIORequestContext } from './customerio-request-context.js';

/** What a decorator asks for, fixed at decoration time. */
export interface DecoratedCallSpec {
  readonly kind: 'track' | 'identify';
  /** `Class.method`, for log lines. */
  readonly label: string;
  /** The event name (`track`). */
  readonly event?: string;
  readonly person?: (result: unknown, ...args: unknown[]) => unknown;
  /** Event data (`track`) or attributes (`identify`). */
  readonly map?: (result: unknown, ...args: unknown[]) => unknown;
  readonly onError?: boolean;
}

/** The client's queued methods, with the compile-time event checks already done by the decorator. */
interface UncheckedClient {
  identify(personId: unknown, attributes: unknown): unknown;
  track(personId: unknown, name: unknown, data?: unknown): unknown;
  trackAnonymous(anonymousId: unknown, name: unknown, data?: unknown): unknown;
}

/** Which application's tracker serves an instance (kept here, not on the user's object, which may be frozen). */
const owners = new WeakMap<object, CustomerIODecoratorTracker>();
/** Trackers of the applications in this process, from their construction (before any onModuleInit) to shutdown. */
const running = new Set<CustomerIODecoratorTracker>();

/**
 * Sends what `@TrackEvent` and `@Identify` ask for once a decorated method has settled, through the
 * queue (a decorated call never waits on the network). A call that cannot be tracked — a mapper or a
 * `decorators` option threw, rejected or returned a Promise; no person; invalid input; queue full — is
 * counted in `errors` and summed into one log line a flush interval — never thrown into the caller.
 */
@Injectable()
export class CustomerIODecoratorTracker implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly client: CustomerIOClient,
    private readonly discovery: DiscoveryService,
    @Inject(CUSTOMERIO_RESOLVED_OPTIONS) private readonly options: ResolvedCustomerIOOptions,
    private readonly reporter: DeliveryReporter,
  ) {
    running.add(this);
  }

  /** Decorated calls that could not be tracked (the queue's `stats.decoratorErrors`). */
  get errors(): number {
    return this.reporter.stats.decoratorErrors;
  }

  /** Records this application's instances with decorated methods, so calls outside requests find it. */
  onModuleInit(): void {
    this.claimInstances();
    unowned = new WeakSet();
  }

  onApplicationShutdown(): void {
    running.delete(this);
  }

  /**
   * Records as this application's every provider and controller instance (singletons, and the static
   * instances of TRANSIENT providers) that has a decorated method; REQUEST-scoped ones are found through
   * the request instead.
   */
  claimInstances(): void {
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instances = wrapper.isTransient
        ? wrapper.getStaticTransientInstances().map((perContext) => perContext?.instance)
        : [wrapper.isDependencyTreeStatic() ? wrapper.instance : undefined];
      for (const instance of instances) {
        if (instance && typeof instance === 'object' && hasDecoratedMethod(Object.getPrototypeOf(instance))) {
          owners.set(instance, this);
        }
      }
    }
  }

  /** Tracks one settled call. */
  settle(spec: DecoratedCallSpec, args: unknown[], outcome: CallOutcome): void {
    if ('error' in outcome && !spec.onError) return;
    try {
      const result = 'result' in outcome ? outcome.result : undefined;
      const payload =
        'error' in outcome
          ? { error: errorName(outcome.error) }
          : spec.map && userValue(MAPPER[spec.kind], () => spec.map!(result, ...args));
      const request = customerIORequestContext.getStore()?.request;
      const person = spec.person ? userValue('the person mapper', () => spec.person!(result, ...args)) : undefined;
      const personId =
        person ??
        (request === undefined
          ? undefined
          : userValue('decorators.person', () => this.options.decorators.person(request)));
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
            : userValue('decorators.anonymousId', () => this.options.decorators.anonymousId(request));
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
 * What user code (`what`) returns; throws naming it when it throws or returns a Promise (whose rejection is
 * then handled here, so that it never reaches the process).
 */
function userValue(what: string, call: () => unknown): unknown {
  let value: unknown;
  try {
    value = call();
  } catch (error) {
    throw new Error(USER_CODE_THREW(what, error), { cause: error });
  }
  if (isThenable(value)) {
    value.then(undefined, () => undefined);
    throw new Error(USER_CODE_RETURNED_PROMISE(what));
  }
  return value;
}

/** Finds the tracker for a call on `instance` and hands it the outcome. */
export function settleDecoratedCall(
  spec: DecoratedCallSpec,
  instance: unknown,
  args: unknown[],
  outcome: CallOutcome,
): void {
  const tracker =
    (isObject(instance) ? owners.get(instance) : undefined) ??
    (customerIORequestContext.getStore()?.tracker as CustomerIODecoratorTracker | undefined) ??
    lookUpOwner(instance);
  if (tracker) tracker.settle(spec, args, outcome);
  else warnOnce(spec);
}

/** Instances looked up and found in no application (until an application claims more). */
let unowned = new WeakSet<object>();

/** The application of an instance first called before its application's onModuleInit, or of none. */
function lookUpOwner(instance: unknown): CustomerIODecoratorTracker | undefined {
  if (!isObject(instance) || unowned.has(instance)) return undefined;
  for (const tracker of running) tracker.claimInstances();
  const owner = owners.get(instance);
  if (!owner) unowned.add(instance);
  return owner;
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

const warned = new Set<string>();
function warnOnce(spec: DecoratedCallSpec): void {
  if (warned.has(spec.label)) return;
  warned.add(spec.label);
  new Logger('CustomerIO').warn(DECORATOR_WITHOUT_APP(spec.label, running.size));
}

function hasDecoratedMethod(prototype: object | null): boolean {
  for (let proto = prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, key)?.value as Record<symbol, unknown> | undefined;
      if (typeof value === 'function' && value[DECORATED_METHOD]) return true;
    }
  }
  return false;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
