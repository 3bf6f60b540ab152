import { AsyncLocalStorage } from 'node:async_hooks';

/** What a decorated call can learn about the HTTP request it runs in. */
export interface CustomerIORequestStore {
  readonly request: unknown;
  /** The tracker of the application serving the request. */
  readonly tracker: unknown;
}

/** The current request, set by `CustomerIORequestContextMiddleware` for every route. */
export const customerIORequestContext = new AsyncLocalStorage<CustomerIORequestStore>();
