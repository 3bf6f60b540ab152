// Compile-time tests of @TrackEvent / @Identify against the declared events (see track-events.ts for the
// declarations): each @ts-expect-error must be a real error, or `npm run typecheck` fails.
import { Identify, TrackEvent } from 'nestjs-customerio';
import { of, type Observable } from 'rxjs';

class SignupDto {
  plan!: 'free' | 'pro';
  email!: string;
}
class User {
  id!: string;
  plan!: 'free' | 'pro';
}

export class SignupService {
  @TrackEvent('signed_up', {
    data: (_user: User, dto: SignupDto) => ({ plan: dto.plan }),
    person: (user: User) => user.id,
  })
  async signUp(dto: SignupDto): Promise<User> {
    return { id: dto.email, plan: dto.plan };
  }

  @TrackEvent('signed_up', { data: (user: User) => ({ plan: user.plan }) })
  signUpSync(dto: SignupDto): User {
    return { id: dto.email, plan: dto.plan };
  }

  @TrackEvent('signed_up', { data: (user: User) => ({ plan: user.plan }) })
  signUpStream(dto: SignupDto): Observable<User> {
    return of({ id: dto.email, plan: dto.plan });
  }

  @TrackEvent('logged_in')
  logIn(): void {}

  @TrackEvent('logged_in', { data: () => ({ method: 'sso' }), onError: true })
  logInSso(): void {}

  @Identify({ person: (user: User) => user.id, attributes: (user: User) => ({ plan: user.plan }) })
  async upgrade(): Promise<User> {
    return { id: 'u', plan: 'pro' };
  }

  // @ts-expect-error an event the app did not declare
  @TrackEvent('signed_in', { data: () => ({ plan: 'pro' }) })
  unknownEvent(): void {}

  // @ts-expect-error a payload outside the declared type
  @TrackEvent('signed_up', { data: () => ({ plan: 'enterprise' }) })
  wrongPayload(): void {}

  // @ts-expect-error the declared event has a required field, so `data` is required
  @TrackEvent('signed_up')
  missingData(): void {}

  // @ts-expect-error the mapper's arguments do not match the method's (a number is not a SignupDto)
  @TrackEvent('signed_up', { data: (_user: User, dto: SignupDto) => ({ plan: dto.plan }) })
  wrongArguments(count: number): User {
    return { id: String(count), plan: 'free' };
  }

  // @ts-expect-error the mapper's result type does not match what the method returns
  @TrackEvent('signed_up', { data: (user: User) => ({ plan: user.plan }) })
  async wrongResult(): Promise<string> {
    return 'nope';
  }

  // @ts-expect-error attributes must be an object
  @Identify({ attributes: () => 'plan' })
  badAttributes(): void {}
}
