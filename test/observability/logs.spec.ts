import { ConsoleLogger } from '@nestjs/common';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import {
  CustomerIOConfigError,
  CustomerIOModule,
  type CustomerIOModuleOptions,
  customerIOOptionsFromConfig,
} from '../../lib/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** A JSON line of `ConsoleLogger({ json: true })`. */
interface JsonLine {
  level: string;
  context?: string;
  message: string;
  params?: Record<string, unknown>;
}

/** Records what is written to stdout and stderr (where ConsoleLogger prints) until `restore()`. */
function captureOutput(): { lines: () => JsonLine[]; restore: () => void } {
  const written: string[] = [];
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
  }
  return {
    lines: () =>
      written
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as JsonLine),
    restore: () => {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}

/** Queues 4 operations in a queue of 2 (2 dropped), then answers the batch with a 207 naming both invalid. */
async function scriptedRun(subject: TestApp): Promise<void> {
  const { client, sandbox } = subject;
  for (let i = 0; i < 4; i++) client.track(`u-${i}`, 'logged', { i });
  sandbox.respondWith(207, {
    path: '/api/v2/batch',
    times: 1,
    body: {
      errors: [
        { batch_index: 0, reason: 'invalid' },
        { batch_index: 1, reason: 'invalid' },
      ],
    },
  });
  await client.flush();
}

const QUEUE = { maxQueueSize: 2, overflow: 'drop-oldest' } as const;

describe('log lines (context CustomerIO, structured fields, logLevel)', () => {
  let subject: TestApp | undefined;
  let output: ReturnType<typeof captureOutput> | undefined;
  afterEach(async () => {
    output?.restore();
    await subject?.close();
  });

  it('writes JSON lines that keep the fields: event, outcome, count, ids, kind', async () => {
    output = captureOutput();
    try {
      subject = await startTestApp({
        flushWhenAsked: true,
        logger: new ConsoleLogger({ json: true }),
        options: { queue: QUEUE },
      });
      await scriptedRun(subject);
      await subject.close();
    } finally {
      output.restore();
    }
    const ours = output.lines().filter((line) => line.context === 'CustomerIO');
    const invalid = ours.filter((line) => line.params?.event === 'customerio.outcome');
    expect(invalid).toHaveLength(2); // a 207 names each item with its own reason: one line each
    for (const line of invalid) {
      expect(line).toMatchObject({ level: 'warn', params: { outcome: 'invalid', count: 1 } });
      const ids = line.params?.ids as string[];
      expect(ids).toHaveLength(1);
      expect(line.message).toContain(`1 operation invalid`);
      expect(line.message).toContain(ids[0]);
    }
    expect(invalid.flatMap((line) => line.params?.ids).sort()).toEqual(subject.log.ids('invalid').sort());
    const summary = ours.find((line) => line.params?.event === 'customerio.summary');
    expect(summary).toMatchObject({ level: 'warn', params: { kind: 'dropped', count: 2 } });
    expect(subject.client.stats).toMatchObject({ dropped: 2, invalid: 2 });
  });

  it("with logLevel 'error', writes no warn line while stats still count everything", async () => {
    output = captureOutput();
    try {
      subject = await startTestApp({
        flushWhenAsked: true,
        logger: new ConsoleLogger({ json: true }),
        options: { queue: QUEUE, logLevel: 'error' },
      });
      await scriptedRun(subject);
      await subject.close();
    } finally {
      output.restore();
    }
    const ours = output.lines().filter((line) => line.context === 'CustomerIO');
    expect(ours.filter((line) => line.level === 'warn' || line.level === 'log')).toEqual([]);
    expect(subject.client.stats).toMatchObject({ dropped: 2, invalid: 2, enqueued: 4 });
    expect(subject.log.ids('dropped')).toHaveLength(2);
    expect(subject.log.ids('invalid')).toHaveLength(2);
  });

  it('rejects an unknown logLevel with a CustomerIOConfigError naming the option and the levels', async () => {
    const error = await Test.createTestingModule({
      imports: [
        CustomerIOModule.forRoot({ siteId: 's', apiKey: 'k', logLevel: 'debug' } as unknown as CustomerIOModuleOptions),
      ],
    })
      .compile()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(CustomerIOConfigError);
    expect((error as CustomerIOConfigError).option).toBe('logLevel');
    expect((error as CustomerIOConfigError).message).toBe(
      'CustomerIOModule: option "logLevel" must be "log", "warn", "error" or "off", got "debug"',
    );
  });

  it('reads CUSTOMERIO_LOG_LEVEL, and names the variable when its value is not a level', async () => {
    const env: Record<string, string> = {
      CUSTOMERIO_SITE_ID: 's',
      CUSTOMERIO_API_KEY: 'k',
      CUSTOMERIO_LOG_LEVEL: 'off',
    };
    expect(customerIOOptionsFromConfig({ get: (key) => env[key] }).logLevel).toBe('off');
    env.CUSTOMERIO_LOG_LEVEL = 'quiet';
    const error = await Test.createTestingModule({
      imports: [CustomerIOModule.forRoot(customerIOOptionsFromConfig({ get: (key) => env[key] }))],
    })
      .compile()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(CustomerIOConfigError);
    expect((error as CustomerIOConfigError).message).toContain('"logLevel" (from CUSTOMERIO_LOG_LEVEL)');
    expect((error as CustomerIOConfigError).message).toContain('got "quiet"');
  });
});
