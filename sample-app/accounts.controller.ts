import { setTimeout as sleep } from 'node:timers/promises';
import { Body, Controller, HttpCode, Logger, Post, UseGuards } from '@nestjs/common';
import { CustomerIOClient, TrackEvent } from '../lib/index.js';
import { AccountsService, type User } from './accounts.service.js';
import { AuthGuard, CurrentUser } from './auth.guard.js';
import { PLANS } from './customerio-events.js';
import { choiceField, countField, textField } from './request-body.js';

/** A customer and a session token. */
export interface Session {
  user: User;
  token: string;
}

/** How long an upgrade waits for Customer.io to confirm it before answering anyway. */
const CONFIRMATION_TIMEOUT_MS = 5_000;

@Controller()
export class AccountsController {
  readonly #logger = new Logger(AccountsController.name);

  constructor(
    private readonly accounts: AccountsService,
    private readonly customerio: CustomerIOClient,
  ) {}

  /** Creates an account: `@Identify` on the service creates the person, then `signed_up` follows. */
  @Post('signup')
  @TrackEvent('signed_up', {
    person: (session: Session) => session.user.id,
    data: (session: Session) => ({ plan: session.user.plan }),
  })
  async signUp(@Body() body: unknown): Promise<Session> {
    const user = await this.accounts.signUp({
      email: textField(body, 'email'),
      name: textField(body, 'name'),
      password: textField(body, 'password'),
      plan: choiceField(body, 'plan', PLANS, 'free'),
    });
    return { user, token: this.accounts.openSession(user) };
  }

  /** Logs in (`logged_in` is tracked by the service). */
  @Post('login')
  @HttpCode(200)
  async logIn(@Body() body: unknown): Promise<Session> {
    const user = await this.accounts.authenticate(textField(body, 'email'), textField(body, 'password'));
    return { user, token: this.accounts.openSession(user) };
  }

  /**
   * Upgrades the logged-in customer's plan. The new plan reaches Customer.io through `@Identify` on the
   * service; `plan_upgraded` is the one call this app waits on, so that the answer can say whether
   * Customer.io has it (say, before a "welcome to Pro" campaign is due). It still goes through the queue,
   * behind the person's earlier operations, and waits at most a few seconds.
   */
  @Post('account/plan')
  @HttpCode(200)
  @UseGuards(AuthGuard)
  async upgrade(
    @CurrentUser() user: User,
    @Body() body: unknown,
  ): Promise<{ user: User; customerio: 'confirmed' | 'failed' | 'pending' }> {
    const plan = choiceField(body, 'plan', PLANS, 'pro');
    const upgraded = this.accounts.upgrade(user.id, plan, countField(body, 'seats', user.seats));
    const receipt = this.customerio.track(user.id, 'plan_upgraded', {
      from: user.plan,
      to: upgraded.plan,
      seats: upgraded.seats,
    });
    const customerio = await this.#confirmation(receipt.delivered, user.id);
    return { user: upgraded, customerio };
  }

  /** Whether Customer.io accepted the event within {@link CONFIRMATION_TIMEOUT_MS}. */
  async #confirmation(delivered: Promise<void>, userId: string): Promise<'confirmed' | 'failed' | 'pending'> {
    const timer = new AbortController();
    const timeout = sleep(CONFIRMATION_TIMEOUT_MS, 'pending' as const, { signal: timer.signal }).catch(
      () => 'pending' as const,
    );
    try {
      return await Promise.race([
        delivered.then(
          () => 'confirmed' as const,
          (error: Error) => {
            this.#logger.warn(`plan_upgraded of ${userId} did not reach Customer.io: ${error.message}`);
            return 'failed' as const;
          },
        ),
        timeout,
      ]);
    } finally {
      timer.abort();
    }
  }
}
