import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { AccountsService, type User } from './accounts.service.js';

/** What this app reads of an HTTP request. */
export interface AppRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The logged-in customer, set by {@link AuthGuard}. */
  user?: User;
}

/**
 * Lets a request through with `Authorization: Bearer <token>` from `POST /login` or `POST /signup`, and sets
 * `request.user`: `@TrackEvent` and `@Identify` then know who a call is about without being told
 * (the module's default `decorators.person` is `request.user?.id`).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly accounts: AccountsService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AppRequest>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header)?.[1] : undefined;
    const user = token === undefined ? undefined : this.accounts.userForToken(token);
    if (!user) throw new UnauthorizedException('log in first: send Authorization: Bearer <token>');
    request.user = user;
    return true;
  }
}

/** The logged-in customer (behind {@link AuthGuard}). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): User => {
  return context.switchToHttp().getRequest<AppRequest>().user!;
});
