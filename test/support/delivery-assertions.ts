import { expect } from '@jest/globals';
import type { CustomerIODeliveryReport } from '../../lib/index.js';
import type { CustomerIOSandbox } from '../../lib/testing/index.js';

/** Collects what the queue reports through its hooks. */
export class ReportLog {
  readonly reports: CustomerIODeliveryReport[] = [];
  readonly hooks = {
    onDelivered: (report: CustomerIODeliveryReport) => void this.reports.push(report),
    onFailed: (report: CustomerIODeliveryReport) => void this.reports.push(report),
    onDropped: (report: CustomerIODeliveryReport) => void this.reports.push(report),
  };

  /** Ids reported with `outcome`. */
  ids(outcome: CustomerIODeliveryReport['outcome']): string[] {
    return this.reports.filter((report) => report.outcome === outcome).flatMap((report) => report.ids);
  }
}

/**
 * Every accepted event reached the sandbox exactly once, or was reported as not delivered — never both,
 * never neither.
 */
export function expectEachOnceOrReported(
  sandbox: CustomerIOSandbox,
  accepted: readonly string[],
  log: ReportLog,
): void {
  const received = new Map<string, number>();
  for (const event of sandbox.events) if (event.id) received.set(event.id, (received.get(event.id) ?? 0) + 1);
  const notDelivered = new Set(['invalid', 'failed', 'dropped', 'undelivered'].flatMap((o) => log.ids(o as 'failed')));
  const delivered = new Set(log.ids('delivered'));
  for (const id of accepted) {
    if (notDelivered.has(id)) {
      expect({ id, received: received.get(id) ?? 0, delivered: delivered.has(id) }).toEqual({
        id,
        received: 0,
        delivered: false,
      });
    } else {
      expect({ id, received: received.get(id) ?? 0, delivered: delivered.has(id) }).toEqual({
        id,
        received: 1,
        delivered: true,
      });
    }
  }
  expect(received.size).toBe(accepted.length - [...notDelivered].filter((id) => accepted.includes(id)).length);
}
