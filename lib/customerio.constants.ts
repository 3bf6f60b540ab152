/** Customer.io's documented Track API limits, in UTF-8 bytes unless named otherwise. */
export const CUSTOMERIO_LIMITS = {
  personIdBytes: 150,
  eventNameBytes: 100,
  eventDataBytes: 100_000,
  attributeNameBytes: 150,
  attributeValueBytes: 1_000,
  attributeCount: 300,
} as const;

/** Track API hosts by region (the SDK appends nothing: these are origins). */
export const CUSTOMERIO_TRACK_ORIGINS = {
  us: 'https://track.customer.io',
  eu: 'https://track-eu.customer.io',
} as const;

/** App API hosts by region. */
export const CUSTOMERIO_APP_API_ORIGINS = {
  us: 'https://api.customer.io',
  eu: 'https://api-eu.customer.io',
} as const;

/** Default deadline of one HTTP request, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** DI token of the validated options (internal). */
export const CUSTOMERIO_RESOLVED_OPTIONS = Symbol('CUSTOMERIO_RESOLVED_OPTIONS');
