import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { CustomerIOError, type CustomerIODeliveryHooks, type CustomerIODeliveryReport } from '../../../lib/index.js';
import { DeliveryReporter } from '../../../lib/observability/delivery.reporter.js';
import { resolveCustomerIOOptions } from '../../../lib/options/customerio-options.resolver.js';
import { LogCapture } from '../../support/log-capture.js';

/** A reporter whose hooks are `hooks`. */
const reporterWith = (hooks: CustomerIODeliveryHooks = {}) =>
  new DeliveryReporter(resolveCustomerIOOptions({ mode: 'disabled', hooks }));

describe('DeliveryReporter', () => {
  const logs = new LogCapture();
  beforeEach(() => Logger.overrideLogger(logs));
  afterEach(() => logs.clear());

  it('counts operations by outcome, and what the queue counts itself', () => {
    const reporter = reporterWith();
    reporter.outcome('delivered', ['a', 'b', 'c']);
    reporter.outcome('disabled', ['d']);
    reporter.outcome('invalid', ['e'], 'bad attribute');
    reporter.outcome('failed', ['f', 'g'], 'refused', new CustomerIOError('Customer.io answered 401'));
    reporter.outcome('undelivered', ['h'], 'shutdown');
    reporter.outcome('dropped', ['i'], 'queue full', undefined, 'dropped');
    reporter.outcome('rejected', ['j', 'k'], 'queue full', undefined, 'rejected');
    reporter.countEnqueued();
    reporter.countEnqueued();
    reporter.countRetried(7);
    expect(reporter.stats).toEqual({
      enqueued: 2,
      delivered: 3,
      disabled: 1,
      invalid: 1,
      failed: 2,
      rejected: 2,
      dropped: 1,
      undelivered: 1,
      retried: 7,
      hookErrors: 0,
      interceptorErrors: 0,
      decoratorErrors: 0,
      lastError: 'Customer.io answered 401',
    });
    reporter.recordError(new CustomerIOError('Customer.io answered 503'));
    expect(reporter.stats.lastError).toBe('Customer.io answered 503');
  });

  it('logs every outcome but delivered and disabled at once, with its ids and reason', () => {
    const reporter = reporterWith();
    reporter.outcome('delivered', ['a']);
    reporter.outcome('disabled', ['b']);
    reporter.outcome('invalid', ['c', 'd'], 'attributes: too many');
    reporter.outcome('undelivered', ['e']);
    expect(logs.messages('warn', 'CustomerIO')).toEqual([
      '2 operations invalid: attributes: too many [c, d]',
      '1 operation undelivered [e]',
    ]);
  });

  it('sums the outcomes of a summary kind into one line per kind, written by writeSummary', () => {
    const reporter = reporterWith();
    reporter.outcome('dropped', ['a'], 'queue full (first)', undefined, 'dropped');
    reporter.outcome('dropped', ['b', 'c'], 'queue full (last)', undefined, 'dropped');
    reporter.outcome('rejected', ['d'], 'queue closed', undefined, 'rejected');
    reporter.summarize('sharedOutcomes', 'Redis down');
    expect(logs.lines).toEqual([]);
    reporter.writeSummary();
    expect(logs.messages('warn')).toEqual([
      'dropped: 3 operations, last: queue full (last)',
      'rejected: 1 operation, last: queue closed',
      '1 store call sharing outcomes failed, last: Redis down',
    ]);
    logs.clear();
    reporter.writeSummary();
    expect(logs.lines).toEqual([]);
  });

  it('logs at once what comes after close, having written the last summary', () => {
    const reporter = reporterWith();
    reporter.summarize('dropped', 'queue full');
    reporter.close();
    expect(logs.messages('warn')).toEqual(['dropped: 1 operation, last: queue full']);
    reporter.userCodeFailed('hook', 'onFailed', new Error('late'));
    expect(logs.messages('warn')).toHaveLength(2);
    expect(logs.messages('warn')[1]).toMatch(/1 delivery hook call threw or rejected.*last: onFailed: late/);
  });

  it('calls the hook of each outcome with its report', () => {
    const calls: [string, CustomerIODeliveryReport][] = [];
    const reporter = reporterWith({
      onDelivered: (report) => void calls.push(['onDelivered', report]),
      onFailed: (report) => void calls.push(['onFailed', report]),
      onDropped: (report) => void calls.push(['onDropped', report]),
    });
    const error = new CustomerIOError('Customer.io answered 400');
    for (const outcome of ['delivered', 'disabled', 'invalid', 'failed', 'undelivered', 'dropped', 'rejected'] as const)
      reporter.outcome(outcome, [outcome], outcome === 'delivered' ? undefined : 'why', error);
    expect(calls.map(([hook, report]) => `${hook}:${report.outcome}`)).toEqual([
      'onDelivered:delivered',
      'onDelivered:disabled',
      'onFailed:invalid',
      'onFailed:failed',
      'onFailed:undelivered',
      'onDropped:dropped',
      'onDropped:rejected',
    ]);
    expect(calls[3][1]).toEqual({ outcome: 'failed', ids: ['failed'], reason: 'why', error });
  });

  it('counts hooks that throw or reject, sums them into one line, and keeps the outcome', async () => {
    const reporter = reporterWith({
      onDelivered: () => {
        throw new Error('metrics down');
      },
      onFailed: () => Promise.reject(new Error('async metrics down')),
    });
    reporter.outcome('delivered', ['a']);
    reporter.outcome('failed', ['b'], 'refused');
    expect(reporter.stats.hookErrors).toBe(1);
    await Promise.resolve();
    expect(reporter.stats).toMatchObject({ hookErrors: 2, delivered: 1, failed: 1 });
    reporter.writeSummary();
    expect(logs.messages('warn').at(-1)).toBe(
      '2 delivery hook calls threw or rejected (user code; ignored, the outcomes they reported stand), last: onFailed: async metrics down',
    );
  });

  it('counts failures of interceptors and decorators apart', () => {
    const reporter = reporterWith();
    reporter.userCodeFailed('interceptor', 'interceptors[0]', new Error('x'));
    reporter.userCodeFailed('decorator', "@TrackEvent('signup')", 'not an error');
    reporter.userCodeFailed('decorator', '@Identify() on Users.create', new Error('no person'));
    expect(reporter.stats).toMatchObject({ interceptorErrors: 1, decoratorErrors: 2, hookErrors: 0 });
    reporter.writeSummary();
    expect(logs.messages('warn')).toEqual([
      expect.stringMatching(/^1 interceptor call threw or rejected .*last: interceptors\[0\]: x$/),
      '2 decorated calls not tracked, last: @Identify() on Users.create: no person',
    ]);
  });
});
