/** Which requests a scripted fault applies to; an empty match applies to every request. */
export interface FaultMatch {
  /**
   * URL pathname to match: a string matches that exact pathname or any pathname starting with it,
   * a RegExp is searched in the pathname.
   * @default every path
   */
  path?: string | RegExp;
  /**
   * HTTP method to match, case-insensitive.
   * @default every method
   */
  method?: string;
}

/** Options shared by every scripted fault. */
export interface SandboxFaultOptions extends FaultMatch {
  /**
   * How many matching requests the fault applies to before it is used up.
   * @default Infinity
   */
  times?: number;
}

/** Options of {@link CustomerIOSandbox.respondWith}. */
export interface SandboxStatusFaultOptions extends SandboxFaultOptions {
  /**
   * Value of the `Retry-After` header (seconds, or an HTTP date).
   * @default no header
   */
  retryAfter?: number | string;
  /**
   * Response body: an object is sent as JSON, a string as is (`text/plain`).
   * @default {"meta":{"error":"scripted <status>"}}
   */
  body?: unknown;
}

/** Options of {@link CustomerIOSandbox.resetConnection}. */
export interface SandboxResetFaultOptions extends SandboxFaultOptions {
  /**
   * Apply the request to the recorded state before destroying the socket
   * (the request arrived, but its reply was lost).
   * @default false
   */
  afterProcessing?: boolean;
}
