import type { CustomerIORegion } from '../interfaces/customerio-module-options.interface.js';
import type { RedactedSecret } from './redacted-secret.js';

/** Options after validation and defaulting; what the rest of the module reads. */
export interface ResolvedCustomerIOOptions {
  readonly siteId: string;
  readonly apiKey: RedactedSecret;
  readonly appApiKey?: RedactedSecret;
  readonly region: CustomerIORegion;
  /** Track API origin (and path prefix, if any), without a trailing slash. */
  readonly trackUrl: string;
  /** App API origin (and path prefix, if any), without a trailing slash. */
  readonly appApiUrl: string;
  readonly timeoutMs: number;
}
