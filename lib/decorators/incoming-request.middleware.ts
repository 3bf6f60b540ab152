import { Injectable, type NestMiddleware } from '@nestjs/common';
import { CustomerIODecoratorTracker } from './customerio-decorator.tracker.js';
import { incomingRequestStorage } from './incoming-request.context.js';

/**
 * Makes the current incoming request (and this application's tracker) known to decorated methods called while
 * serving it, including in REQUEST-scoped providers. Mounted for every route by `CustomerIOModule`.
 */
@Injectable()
export class IncomingRequestMiddleware implements NestMiddleware {
  constructor(private readonly tracker: CustomerIODecoratorTracker) {}

  use(request: unknown, _response: unknown, next: () => void): void {
    incomingRequestStorage.run({ request, tracker: this.tracker }, next);
  }
}
