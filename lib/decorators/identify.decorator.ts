import type { CustomerIOAttributes } from '../interfaces/customerio-events.interface.js';
import { settleDecoratedCall } from './decorated-call.router.js';
import { wrapMethod } from './decorated-method.js';
import type { MethodReturning, PersonMapper } from './track-event.decorator.js';

/** Options of {@link Identify}. */
export interface IdentifyDecoratorOptions<A extends unknown[], R> {
  /** The person. @default the current request's user (`decorators.person`) */
  person?: PersonMapper<R>;
  /** The attributes to set, from the result and arguments. */
  attributes: (result: R, ...args: A) => CustomerIOAttributes;
}

/**
 * Creates or updates a person each time the decorated method succeeds, with attributes mapped from its
 * result and arguments; queued like {@link TrackEvent}, and as safe: tracking never changes the call.
 *
 * ```ts
 * @Identify({ person: (user: User) => user.id, attributes: (user: User) => ({ email: user.email, plan: user.plan }) })
 * async upgrade(userId: string): Promise<User> { … }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function Identify<A extends unknown[] = any[], R = any>(options: IdentifyDecoratorOptions<A, R>) {
  return <F extends MethodReturning<A, R>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void => {
    const spec = {
      kind: 'identify' as const,
      label: `${target.constructor.name}.${String(key)}`,
      person: options.person as ((result: unknown, ...args: unknown[]) => unknown) | undefined,
      map: options.attributes as (result: unknown, ...args: unknown[]) => unknown,
    };
    wrapMethod(descriptor, (self, args, outcome) => settleDecoratedCall(spec, self, args, outcome));
  };
}
