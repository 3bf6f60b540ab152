import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { BadRequestException, ConflictException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Identify, TrackEvent } from '../lib/index.js';
import { type Plan, PLANS } from './customerio-events.js';

const hash = promisify(scrypt) as (password: string, salt: Buffer, length: number) => Promise<Buffer>;

/** A customer of this (imaginary) SaaS. */
export interface User {
  id: string;
  email: string;
  name: string;
  plan: Plan;
  seats: number;
  createdAt: Date;
}

export interface SignUp {
  email: string;
  name: string;
  password: string;
  plan: Plan;
}

/** Sessions a customer keeps open (so that logging in again and again, as `npm run drive` does, holds no more memory). */
export const MAX_SESSIONS = 10;

/** Whether `plan` is `least` or above. */
export const planAtLeast = (plan: Plan, least: Plan): boolean => PLANS.indexOf(plan) >= PLANS.indexOf(least);

/**
 * Accounts and sessions, in memory. Customer.io hears of every change to a customer through `@Identify`
 * (the decorated method returns, and the person's attributes are queued for the next batch), and of
 * every log-in through `@TrackEvent` on a service method.
 */
@Injectable()
export class AccountsService {
  readonly #users = new Map<string, User>();
  readonly #idsByEmail = new Map<string, string>();
  readonly #passwords = new Map<string, { salt: Buffer; hash: Buffer }>();
  readonly #sessions = new Map<string, string>();
  readonly #tokensByUser = new Map<string, string[]>();

  @Identify({
    person: (user: User) => user.id,
    attributes: (user: User) => ({
      email: user.email,
      name: user.name,
      plan: user.plan,
      seats: user.seats,
      created_at: user.createdAt,
    }),
  })
  async signUp(input: SignUp): Promise<User> {
    const email = input.email.trim().toLowerCase();
    if (this.#idsByEmail.has(email)) throw new ConflictException(`${email} has an account already: log in`);
    const user: User = {
      id: `user-${this.#users.size + 1}`,
      email,
      name: input.name,
      plan: input.plan,
      seats: 1,
      createdAt: new Date(),
    };
    const salt = randomBytes(16);
    this.#passwords.set(user.id, { salt, hash: await hash(input.password, salt, 32) });
    this.#users.set(user.id, user);
    this.#idsByEmail.set(email, user.id);
    return { ...user };
  }

  /** Checks a password; returns the customer, or throws 401 (and then nothing is tracked). */
  @TrackEvent('logged_in', { person: (user: User) => user.id, data: () => ({ method: 'password' }) })
  async authenticate(email: string, password: string): Promise<User> {
    const id = this.#idsByEmail.get(email.trim().toLowerCase());
    const stored = id === undefined ? undefined : this.#passwords.get(id);
    const given = await hash(password, stored?.salt ?? randomBytes(16), 32);
    if (!id || !stored || !timingSafeEqual(given, stored.hash))
      throw new UnauthorizedException('wrong email or password');
    return { ...this.#users.get(id)! };
  }

  /** Opens a session; returns its bearer token. A customer keeps {@link MAX_SESSIONS} sessions: a new one ends the oldest. */
  openSession(user: User): string {
    const token = randomBytes(24).toString('base64url');
    this.#sessions.set(token, user.id);
    const tokens = this.#tokensByUser.get(user.id) ?? [];
    tokens.push(token);
    if (tokens.length > MAX_SESSIONS) this.#sessions.delete(tokens.shift()!);
    this.#tokensByUser.set(user.id, tokens);
    return token;
  }

  /** The customer a bearer token belongs to. */
  userForToken(token: string): User | undefined {
    const id = this.#sessions.get(token);
    const user = id === undefined ? undefined : this.#users.get(id);
    return user && { ...user };
  }

  @Identify({ person: (user: User) => user.id, attributes: (user: User) => ({ plan: user.plan, seats: user.seats }) })
  upgrade(userId: string, plan: Plan, seats: number): User {
    const user = this.#users.get(userId);
    if (!user) throw new UnauthorizedException();
    if (!planAtLeast(plan, user.plan) || (plan === user.plan && seats <= user.seats)) {
      throw new BadRequestException(
        `${plan} with ${seats} seat(s) is not an upgrade from ${user.plan} with ${user.seats}`,
      );
    }
    Object.assign(user, { plan, seats });
    return { ...user };
  }
}
