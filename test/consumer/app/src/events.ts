// The events this app sends, declared as the README's "Typed events" says.
declare module 'nestjs-customerio' {
  interface CustomerIOEvents {
    signed_up: { plan: 'free' | 'pro' };
    upgraded: { plan: 'free' | 'pro' };
    logged_in: { method?: 'password' | 'sso' };
  }
}

export {};
