/** How an operation's delivery ended; `'disabled'`: not sent, as mode `'disabled'` wants. */
export type CustomerIODeliveryOutcome =
  'delivered' | 'disabled' | 'invalid' | 'dropped' | 'rejected' | 'failed' | 'undelivered';
