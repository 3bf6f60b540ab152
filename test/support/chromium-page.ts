import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * The Chromium the browser tests drive: `CHROMIUM_PATH`, else `chromium` on PATH as jest.config.js found it (without
 * either, jest.config.js left test/browser/ out of the run).
 */
export function chromiumPath(): string {
  const found = (globalThis as { BINARY_PATHS?: Record<string, string> }).BINARY_PATHS?.chromium;
  const path = process.env.CHROMIUM_PATH || found;
  if (!path) throw new Error('no Chromium: set CHROMIUM_PATH or put chromium on PATH');
  return path;
}

/** Launches a headless Chromium (never a downloaded one: see {@link chromiumPath}). */
export function launchChromium(): Promise<Browser> {
  // NOTE: --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
}

/**
 * What went wrong in a page: console errors, uncaught exceptions, and Content Security Policy violations (each also
 * reported through the `securitypolicyviolation` event, which a script the page's policy cannot block listens to).
 */
export class PageProblems {
  /** One line per problem, in order. */
  readonly lines: string[] = [];

  constructor(page: Page) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.lines.push(`console.error: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.lines.push(`uncaught: ${error.message}`));
    void page.addInitScript({
      content: `addEventListener('securitypolicyviolation', (e) =>
        console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));`,
    });
  }
}

/** Saves numbered screenshots of a page under `test-artifacts/<folder>/` (`01-<step>.png`, `02-<step>.png`…). */
export class StepShots {
  private readonly folder: string;
  private taken = 0;

  constructor(folder: string) {
    this.folder = join(process.cwd(), 'test-artifacts', folder);
    mkdirSync(this.folder, { recursive: true });
  }

  /**
   * Saves the page as it is now, named after `step`; returns the file's path.
   * @param options.fullPage The whole page, else the viewport only. @default true
   */
  async take(page: Page, step: string, { fullPage = true } = {}): Promise<string> {
    const path = join(this.folder, `${String(++this.taken).padStart(2, '0')}-${step}.png`);
    await page.screenshot({ path, fullPage });
    return path;
  }
}
