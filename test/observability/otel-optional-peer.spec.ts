import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { context, metrics, trace } from '@opentelemetry/api';
import { buildLibraryForChildren, removeBuild } from '../support/crash-child.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerMeterProvider } from './support/otel-sdk.js';

const fixtures = resolve(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');
const run = promisify(execFile);

/** The declaration files reachable from `entries` (relative to `dir`) through relative imports. */
function reachableDeclarations(dir: string, entries: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (file: string) => {
    if (found.has(file) || !existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    found.set(file, text);
    for (const [, specifier] of text.matchAll(/(?:from |import\()'(\.{1,2}\/[^']+)\.js'/g)) {
      visit(resolve(dirname(file), `${specifier}.d.ts`));
    }
  };
  for (const entry of entries) visit(join(dir, entry));
  return found;
}

describe('@opentelemetry/api stays an optional peer', () => {
  let buildDir: string | undefined;
  beforeAll(() => {
    buildDir = buildLibraryForChildren(['index.js', 'testing/index.js', 'observability/otel.loader.js']);
  }, 180_000);
  afterAll(() => removeBuild(buildDir));

  it('runs an app that cannot resolve @opentelemetry/api: it delivers, retries and calls directly', async () => {
    const register = pathToFileURL(join(fixtures, 'no-otel.register.mjs')).href;
    const { stdout } = await run(process.execPath, ['--import', register, join(fixtures, 'tiny-app.mjs'), buildDir!], {
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      apiLoads: false,
      libraryHasApi: false,
      delivered: 2,
      retried: 2,
      failed: 0,
      events: ['first', 'second'],
    });
  }, 60_000);

  it('keeps @opentelemetry/api out of the declarations the public entries reach (an app without it type-checks)', () => {
    const reached = reachableDeclarations(buildDir!, ['index.d.ts', 'stores/index.d.ts', 'testing/index.d.ts']);
    expect(reached.has(join(buildDir!, 'observability/customerio.telemetry.d.ts'))).toBe(true);
    const naming = [...reached].filter(([, text]) => /(?:from |import\()'@opentelemetry\//.test(text));
    expect(naming.map(([file]) => file)).toEqual([]);
  });

  it('runs the same app with the API resolvable (the control: the hook is what hid it)', async () => {
    const { stdout } = await run(process.execPath, [join(fixtures, 'tiny-app.mjs'), buildDir!], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toMatchObject({ apiLoads: true, libraryHasApi: true, delivered: 2, retried: 2 });
  }, 60_000);
});

describe('@opentelemetry/api with no SDK registered', () => {
  let subject: TestApp | undefined;
  afterEach(() => subject?.close());

  it('records nothing and breaks nothing: the app delivers, retries and calls directly on the no-op meter', async () => {
    metrics.disable();
    trace.disable();
    context.disable();
    subject = await startTestApp({ flushWhenAsked: true, quickRetries: true });
    const { client, direct, sandbox } = subject;
    client.track('u-1', 'first');
    trace.getTracer('test').startActiveSpan('request', (span) => {
      client.track('u-2', 'second');
      span.end();
    });
    sandbox.respondWith(503, { path: '/api/v2/batch', times: 1 });
    await client.flush();
    await direct.identify('u-3', { plan: 'pro' });
    expect(client.stats).toMatchObject({ delivered: 2, retried: 2, failed: 0 });
    expect(sandbox.events.map((event) => event.name)).toEqual(['first', 'second']);

    // An SDK registered once the app runs gets nothing from it: its instruments are the no-op meter's.
    const otel = await registerMeterProvider();
    client.track('u-4', 'third');
    await client.flush();
    expect((await otel.collect()).size).toBe(0);
  });
});
