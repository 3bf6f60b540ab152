import { Injectable } from '@nestjs/common';
import { Identify, TrackEvent } from 'nestjs-customerio';
import './events.js';

export interface User {
  id: string;
  email: string;
  plan: 'free' | 'pro';
}

@Injectable()
export class AccountService {
  private readonly users = new Map<string, User>();

  @Identify({ person: (user: User) => user.id, attributes: (user: User) => ({ email: user.email, plan: user.plan }) })
  async upgrade(userId: string, email: string): Promise<User> {
    const user: User = { id: userId, email, plan: 'pro' };
    this.users.set(userId, user);
    return user;
  }

  @TrackEvent('upgraded', { person: (user: User) => user.id, data: (user: User) => ({ plan: user.plan }) })
  confirm(userId: string): User {
    return this.users.get(userId)!;
  }
}
