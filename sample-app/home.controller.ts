import { Controller, Get } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { CustomerIOMode } from '../lib/index.js';
import { sampleMode } from './customerio-options.js';

/** `GET /`: what this app serves. */
@Controller()
export class HomeController {
  readonly #mode: CustomerIOMode;

  constructor(config: ConfigService) {
    this.#mode = sampleMode(config);
  }

  @Get()
  index(): { sendsTo: string; routes: string[] } {
    const mode = this.#mode;
    return {
      sendsTo: {
        live: 'Customer.io',
        sandbox: 'the local Customer.io sandbox: see /customerio',
        disabled: 'nowhere (mode disabled)',
      }[mode],
      routes: [
        'POST /signup {email, name, password, plan?}',
        'POST /login {email, password}',
        'POST /account/plan {plan, seats?} (Authorization: Bearer <token>)',
        'POST /features/:feature/use (Authorization: Bearer <token>)',
        'GET /pricing (X-Anonymous-Id: <visitor id>)',
        'GET /metrics (Prometheus text)',
        ...(mode === 'sandbox' ? ['GET /customerio', 'GET /customerio/stats'] : []),
      ],
    };
  }
}
