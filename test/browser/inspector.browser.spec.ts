import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Locator, Page } from 'playwright-core';
import { CustomerIOHttpError } from '../../lib/index.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { launchChromium, PageProblems, StepShots } from '../support/chromium-page.js';
import { rejectionOf, startTestApp, type TestApp } from '../support/test-app.js';

// The sandbox's inspector (`/`) in a real Chromium, fed by the module in a Nest app. The steps build on each other,
// in order; each leaves a screenshot in test-artifacts/inspector/ (01-opened.png…). docs/inspector.png (the README's) is a
// copy of 07-failed-retries-viewport.png (1200×800).

/** Reads `read` until `done` holds of what it returns (or 5 s pass), and returns the last reading. */
async function settled<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Each element `locator` matches, in page order, read at once: its `text`, and its `attributes` by name. */
function rowsOf(locator: Locator, ...attributes: string[]): Promise<Record<string, string>[]> {
  return locator.evaluateAll(
    (rows, names) =>
      rows.map((row) =>
        Object.fromEntries([
          ['text', row.textContent ?? ''],
          ...names.map((name) => [name, row.getAttribute(name) ?? '']),
        ]),
      ),
    attributes,
  );
}

jest.setTimeout(20_000);

describe('the sandbox inspector in Chromium', () => {
  let sandbox: CustomerIOSandbox;
  let subject: TestApp;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let loads = 0;
  const shots = new StepShots('inspector');

  /** The events the page lists, newest first, as `[person, name]`. */
  const events = async () =>
    (await rowsOf(page.getByTestId('event-row'), 'data-person-id', 'data-event-name')).map((row) => [
      row['data-person-id'],
      row['data-event-name'],
    ]);
  /** The requests the page lists, newest first, as `[status, text]`. */
  const requests = async () =>
    (await rowsOf(page.getByTestId('request-row'), 'data-status')).map((row) => [row['data-status'], row.text]);

  beforeAll(async () => {
    sandbox = await CustomerIOSandbox.start();
    subject = await startTestApp({
      sandbox,
      quickRetries: true,
      options: { retry: { maxAttempts: 3, circuitBreaker: false } },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(5_000);
    problems = new PageProblems(page);
    page.on('load', () => void (loads += 1));
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await subject?.close();
    await sandbox?.close();
  });

  it('opens live and empty', async () => {
    await page.goto(sandbox.url);
    await page.locator('[data-testid="stream-status"][data-state="live"]').waitFor();
    expect(await page.getByTestId('events-list').innerText()).toBe('No events match.');
    expect(await page.getByTestId('requests-list').innerText()).toBe('No requests yet.');
    await shots.take(page, 'opened');
  });

  it('shows the events the module sends as they arrive, without reloading', async () => {
    await subject.direct.identify('ada', { plan: 'pro' });
    await subject.direct.track('ada', 'signed_up', { plan: 'pro' });
    await subject.direct.identify('grace', { plan: 'free' });
    await subject.direct.track('grace', 'signed_up', {});
    await subject.direct.track('ada', 'upgraded', { to: 'team' });
    expect(await settled(events, (rows) => rows.length === 3)).toEqual([
      ['ada', 'upgraded'],
      ['grace', 'signed_up'],
      ['ada', 'signed_up'],
    ]);
    expect(await settled(requests, (rows) => rows.length === 5)).toHaveLength(5);
    expect(await page.getByTestId('person-key').allInnerTexts()).toEqual(expect.arrayContaining(['ada', 'grace']));
    expect(loads).toBe(1);
    await shots.take(page, 'events-arrived');
  });

  it('filters the events by person and by event name', async () => {
    await page.getByTestId('filter-person').fill('grace');
    expect(await settled(events, (rows) => rows.length === 1)).toEqual([['grace', 'signed_up']]);
    await shots.take(page, 'filtered-by-person');

    await page.getByTestId('filter-person').fill('');
    await page.getByTestId('filter-name').fill('signed');
    expect(await settled(events, (rows) => rows.length === 2)).toEqual([
      ['grace', 'signed_up'],
      ['ada', 'signed_up'],
    ]);
    await page.getByTestId('filter-person').fill('ADA');
    expect(await settled(events, (rows) => rows.length === 1)).toEqual([['ada', 'signed_up']]);
    await shots.take(page, 'filtered-by-person-and-name');

    await page.getByTestId('filter-person').fill('');
    await page.getByTestId('filter-name').fill('');
    expect(await settled(events, (rows) => rows.length === 3)).toHaveLength(3);
  });

  it("shows a 503 fault switched on from the page's form failing the module's requests and its retries", async () => {
    await page.getByTestId('fault-kind').selectOption('503');
    await page.getByTestId('fault-apply').click();
    const fault = page.getByTestId('fault-row');
    await fault.waitFor();
    expect(await fault.getAttribute('data-kind')).toBe('status');
    expect(await fault.innerText()).toBe('503 · any method every path · until cleared');
    await shots.take(page, 'fault-on');

    const error = await rejectionOf(subject.direct.track('ada', 'checkout', { total: 42 }));
    expect(error).toBeInstanceOf(CustomerIOHttpError);
    expect(error).toMatchObject({ status: 503 });
    const rows = await settled(requests, (listed) => listed.length === 8);
    expect(rows.slice(0, 3)).toEqual(
      Array.from({ length: 3 }, () => ['503', expect.stringContaining('POST /api/v1/customers/ada/events')]),
    );
    expect(await events()).toHaveLength(3);
    await shots.take(page, 'failed-retries');
    await shots.take(page, 'failed-retries-viewport', { fullPage: false });
  });

  it('clears the fault from the page, and the next send succeeds', async () => {
    await page.getByTestId('fault-clear').click();
    await page.getByTestId('fault-row').waitFor({ state: 'detached' });
    expect(await page.getByTestId('faults-list').innerText()).toBe('No faults: every request is answered normally.');

    await subject.direct.track('ada', 'checkout', { total: 42 });
    expect((await settled(events, (rows) => rows.length === 4))[0]).toEqual(['ada', 'checkout']);
    expect((await settled(requests, (rows) => rows.length === 9))[0]).toEqual([
      '200',
      expect.stringContaining('POST /api/v1/customers/ada/events'),
    ]);
    await shots.take(page, 'fault-cleared');
  });

  it("opens a request's detail with its Authorization masked and no API key anywhere", async () => {
    const answer = page.waitForResponse((response) => /\/_sandbox\/api\/requests\/\d+$/.test(response.url()));
    await page.getByTestId('request-row').first().click();
    const detail = page.getByTestId('request-detail');
    await detail.waitFor();
    expect(await page.getByTestId('request-detail-summary').innerText()).toMatch(
      /^POST \/api\/v1\/customers\/ada\/events → 200 in [\d.]+ ms$/,
    );
    const headers = await page.getByTestId('request-detail-request-headers').innerText();
    expect(headers).toMatch(/^authorization: Basic \*\*\*\*$/m);
    expect(JSON.parse(await page.getByTestId('request-detail-request-body').innerText())).toMatchObject({
      name: 'checkout',
      data: { total: 42 },
    });

    const credentials = Buffer.from(`${sandbox.siteId}:${sandbox.apiKey}`).toString('base64');
    for (const text of [await (await answer).text(), await page.content(), await detail.innerText()]) {
      expect(text).not.toContain(sandbox.apiKey);
      expect(text).not.toContain(credentials);
    }
    await shots.take(page, 'request-detail');
  });

  it('logged no console error, uncaught exception or CSP violation, and would have', async () => {
    expect(problems.lines).toEqual([]);
    expect(loads).toBe(1);
    // The listeners see a violation: an inline script, which the inspector's policy refuses.
    await page.addScriptTag({ content: 'document.title = "inline"' }).catch(() => undefined);
    expect(
      await settled(
        async () => problems.lines,
        (lines) => lines.some((line) => line.includes('CSP violation')),
      ),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^console\.error: CSP violation: script-src(-elem)? blocked inline$/),
      ]),
    );
    expect(await page.title()).toBe('Customer.io sandbox');
  });
});
