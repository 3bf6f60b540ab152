import { Controller, Get } from '@nestjs/common';
import { CustomerIOTarget } from './customerio-target.js';

/** `GET /`: what this app serves. */
@Controller()
export class HomeController {
  constructor(private readonly target: CustomerIOTarget) {}

  @Get()
  index(): { sendsTo: string; routes: string[] } {
    return {
      sendsTo: this.target.sandbox ? `the local Customer.io sandbox: see /customerio` : 'Customer.io',
      routes: [
        'POST /signup {email, name, password, plan?}',
        'POST /login {email, password}',
        'POST /account/plan {plan, seats?} (Authorization: Bearer <token>)',
        'POST /features/:feature/use (Authorization: Bearer <token>)',
        'GET /pricing (X-Anonymous-Id: <visitor id>)',
        ...(this.target.sandbox ? ['GET /customerio', 'GET /customerio/stats'] : []),
      ],
    };
  }
}
