import type { Observable } from 'rxjs';
import type { CustomerIOPersonId } from '../operations/person-identifier.js';
import type { CustomerIOEventMap, CustomerIOEventName } from '../interfaces/customerio-events.interface.js';
import { settleDecoratedCall } from './decorated-call.router.js';
import { wrapMethod } from './decorated-method.js';

/** A method whose arguments start with `A`, returning `R` directly, as a Promise or as an Observable. */
export type MethodReturning<A extends unknown[], R> = (...args: [...A, ...any[]]) => R | Promise<R> | Observable<R>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Who a decorated call is about: from the method's result and arguments. Return `undefined` to fall back
 * on the current request (`decorators.person`, then `decorators.anonymousId`). Its arguments are not
 * checked against the method's: the `data` / `attributes` mapper is where they are inferred from.
 */
export type PersonMapper<R> = (result: NoInfer<R>, ...args: any[]) => CustomerIOPersonId | null | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Options of {@link TrackEvent}; `data` is required when the declared event has a required field. */
export type TrackEventDecoratorOptions<N extends CustomerIOEventName, A extends unknown[], R> = {
  /** The person. @default the current request's user (`decorators.person`), else its anonymous id */
  person?: PersonMapper<R>;
  /**
   * Emit on failure too, with data `{ error: <the error's name> }`; the exception still reaches the caller.
   * @default false
   */
  onError?: boolean;
} &
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  ({} extends CustomerIOEventMap[N]
    ? {
        /** The event's data, from the result and arguments. */ data?: (result: R, ...args: A) => CustomerIOEventMap[N];
      }
    : {
        /** The event's data, from the result and arguments. */ data: (result: R, ...args: A) => CustomerIOEventMap[N];
      });

/** The options argument: optional when nothing in it is required. */
type TrackEventArgs<N extends CustomerIOEventName, A extends unknown[], R> =
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  {} extends CustomerIOEventMap[N]
    ? [options?: TrackEventDecoratorOptions<N, A, R>]
    : [options: TrackEventDecoratorOptions<N, A, R>];

/**
 * Sends event `name` each time the decorated method succeeds — on controllers (over HTTP), providers
 * (REQUEST-scoped too), `@Cron`/`@Interval` handlers, event and message handlers. The event goes through
 * the batching queue: the call never waits on the network, and tracking never changes its result or
 * exception. A sync method stays sync; Promises and Observables are followed to their end.
 *
 * The name is checked against the declared `CustomerIOEvents`, and the `data` mapper against that event's
 * data and, when its parameters are annotated, against the method's own arguments and result:
 *
 * ```ts
 * @Post('signup')
 * @TrackEvent('signed_up', { data: (user: User, dto: SignupDto) => ({ plan: dto.plan }), person: (user: User) => user.id })
 * signUp(@Body() dto: SignupDto): Promise<User> { … }
 * ```
 */
export function TrackEvent<N extends CustomerIOEventName, A extends unknown[] = any[], R = any>( // eslint-disable-line @typescript-eslint/no-explicit-any
  name: N,
  ...[options]: TrackEventArgs<N, A, R>
) {
  return <F extends MethodReturning<A, R>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void => {
    const spec = {
      kind: 'track' as const,
      label: `${target.constructor.name}.${String(key)}`,
      event: name,
      person: options?.person as ((result: unknown, ...args: unknown[]) => unknown) | undefined,
      map: options?.data as ((result: unknown, ...args: unknown[]) => unknown) | undefined,
      onError: options?.onError ?? false,
    };
    wrapMethod(descriptor, (self, args, outcome) => settleDecoratedCall(spec, self, args, outcome));
  };
}
