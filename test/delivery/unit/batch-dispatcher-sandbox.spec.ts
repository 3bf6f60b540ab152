import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { CustomerIOSandbox } from '../../../lib/testing/index.js';
import { BatchDispatcher } from '../../../lib/delivery/batch.dispatcher.js';
import { BatchSender } from '../../../lib/delivery/batch.sender.js';
import { MemoryQueueStore } from '../../../lib/stores/memory-queue.store.js';
import { CustomerIORetryInterceptor } from '../../../lib/transport/customerio-retry.interceptor.js';
import { CustomerIOSdkAdapter } from '../../../lib/transport/customerio-sdk.adapter.js';
import { OutboundPipeline } from '../../../lib/transport/outbound-pipeline.service.js';
import { LogCapture } from '../../support/log-capture.js';
import { eventOperation, partsFixture } from './queue-parts.js';

describe('BatchDispatcher with the real BatchSender, against the sandbox', () => {
  beforeAll(() => Logger.overrideLogger(new LogCapture()));

  let sandbox: CustomerIOSandbox;
  let sdk: CustomerIOSdkAdapter | undefined;
  beforeEach(async () => {
    sandbox = await CustomerIOSandbox.start();
  });
  afterEach(async () => {
    sdk?.onApplicationShutdown();
    await sandbox.close();
  });

  /** A dispatcher sending through the module's own sender, pipeline and SDK adapter (no retries). */
  function realDispatcher(count: number) {
    const store = new MemoryQueueStore();
    const parts = partsFixture({ maxBatchOperations: 2 }, store, {
      ...sandbox.moduleOptions(),
      mode: 'live',
      retry: false,
    });
    const { options, delivery } = parts;
    sdk = new CustomerIOSdkAdapter(options);
    const pipeline = new OutboundPipeline(options, new CustomerIORetryInterceptor(options), delivery);
    const dispatcher = new BatchDispatcher(
      store,
      new BatchSender(pipeline, sdk, options),
      parts.reporter,
      options.queue,
    );
    const operations = Array.from({ length: count }, (_, i) => eventOperation(`u-${i}`, 'real'));
    for (const operation of operations) store.append(operation);
    return { ...parts, dispatcher, ids: operations.map((operation) => operation.id) };
  }

  it('delivers every operation in v2 batches', async () => {
    const { dispatcher, store, delivery, ids } = realDispatcher(3);
    await dispatcher.drain();
    expect(sandbox.events.map((event) => event.id)).toEqual(ids);
    expect(sandbox.batches.map((batch) => batch.operations)).toEqual([2, 1]);
    expect(store.size).toBe(0);
    expect(delivery.stats.delivered).toBe(3);
  });

  it('holds and keeps the batch when Customer.io answers 503', async () => {
    const { dispatcher, store, delivery } = realDispatcher(2);
    sandbox.respondWith(503, { times: 1 });
    await dispatcher.drain();
    expect(dispatcher.gate).toBe('holding');
    expect(store.size).toBe(2);
    expect(delivery.stats.lastError).toMatch(/503/);
    dispatcher.resume();
    await dispatcher.drain();
    expect(sandbox.events).toHaveLength(2);
    expect(store.size).toBe(0);
  });
});
