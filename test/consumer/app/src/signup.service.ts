import { Injectable } from '@nestjs/common';
import { CustomerIOClient } from 'nestjs-customerio';
import './events.js';

@Injectable()
export class SignupService {
  constructor(private readonly customerio: CustomerIOClient) {}

  signUp(user: { id: string; email: string }): void {
    this.customerio.identify(user.id, { email: user.email, created_at: new Date() });
    this.customerio.track(user.id, 'signed_up', { plan: 'free' });
  }

  /** Never called: what the declared events forbid. */
  mistakes(userId: string): void {
    // @ts-expect-error an event the app did not declare
    this.customerio.track(userId, 'signed_in', {});
    // @ts-expect-error a payload outside the declared type
    this.customerio.track(userId, 'signed_up', { plan: 'gold' });
  }
}
