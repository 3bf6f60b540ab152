import { describe } from '@jest/globals';

/**
 * `describe`, or `describe.skip` when jest.config.js found `binary` missing from PATH (it printed which tests
 * that skips and how to run them; see test/support/needed-services.mjs).
 */
export function describeNeeding(binary: string): typeof describe.skip {
  const missing = (globalThis as { MISSING_BINARIES?: string[] }).MISSING_BINARIES ?? [];
  return missing.includes(binary) ? describe.skip : describe;
}
