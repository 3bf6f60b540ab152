import { AsyncLocalStorage } from 'node:async_hooks';
import type { DecoratedCallTracker } from './decorated-call.interface.js';

/**
 * The application's incoming HTTP request a decorated call runs in (not to be confused with
 * `CustomerIOOutboundRequest`, the outgoing request to Customer.io that interceptors see).
 */
export interface IncomingRequestContext {
  /** The request object of the HTTP adapter (Express or Fastify), as `decorators.person` receives it. */
  readonly request: unknown;
  /** The tracker of the application serving the request. */
  readonly tracker: DecoratedCallTracker;
}

/** The current incoming request, set by `IncomingRequestMiddleware` for every route. */
export const incomingRequestStorage = new AsyncLocalStorage<IncomingRequestContext>();
