import { Injectable, type NestMiddleware } from '@nestjs/common';
import { CustomerIODecoratorTracker } from './customerio-decorator.tracker.js';
import { customerIORequestContext } from './customerio-request-context.js';

/**
 * Makes the current request (and this application's tracker) known to decorated methods called while
 * serving it, including in REQUEST-scoped providers. Mounted for every route by `CustomerIOModule`.
 */
@Injectable()
export class CustomerIORequestContextMiddleware implements NestMiddleware {
  constructor(private readonly tracker: CustomerIODecoratorTracker) {}

  use(request: unknown, _response: unknown, next: () => void): void {
    customerIORequestContext.run({ request, tracker: this.tracker }, next);
  }
}
