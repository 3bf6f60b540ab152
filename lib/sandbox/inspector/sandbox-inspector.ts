import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Reply, sendReply } from '../sandbox-reply.js';
import { InspectorApi, type InspectorParts } from './inspector-api.js';
import { INSPECTOR_CSS, INSPECTOR_HTML } from './inspector-page.js';
import { INSPECTOR_DOM_JS } from './inspector-dom.script.js';
import { INSPECTOR_MAIN_JS } from './inspector-main.script.js';
import { INSPECTOR_PANELS_JS } from './inspector-panels.script.js';

/** The Content-Security-Policy of everything the inspector serves: its own files only, nothing inline. */
export const INSPECTOR_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The page's files under `/_sandbox/`, with their content types. */
const ASSETS: Record<string, { type: string; text: string }> = {
  'inspector.css': { type: 'text/css', text: INSPECTOR_CSS },
  'inspector-dom.js': { type: 'text/javascript', text: INSPECTOR_DOM_JS },
  'inspector-panels.js': { type: 'text/javascript', text: INSPECTOR_PANELS_JS },
  'inspector.js': { type: 'text/javascript', text: INSPECTOR_MAIN_JS },
};

const SECURITY_HEADERS = {
  'Content-Security-Policy': INSPECTOR_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/**
 * The sandbox's own pages (internal): the live inspector at `/`, its files and JSON API under `/_sandbox/`, paths
 * Customer.io's APIs (`/api/v1`, `/api/v2`, `/v1`, `/unsubscribe`) never use. What it answers is neither recorded
 * nor subject to scripted faults.
 */
export class SandboxInspector {
  readonly #api: InspectorApi;

  constructor(private readonly parts: InspectorParts) {
    this.#api = new InspectorApi(parts);
  }

  /** Answers `req` and returns true when its path is the inspector's; otherwise returns false. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const [pathname, search = ''] = (req.url ?? '/').split('?', 2);
    const own = pathname === '/' || pathname === '/favicon.ico' || pathname.startsWith('/_sandbox/');
    if (!own) return false;
    this.#answer(req, res, pathname, new URLSearchParams(search)).then(
      (reply) => reply && this.#send(res, reply),
      (error: unknown) => this.#send(res, { status: 500, body: { error: String(error) } }),
    );
    return true;
  }

  /** Tells the live streams the sandbox was reset. */
  announceReset(): void {
    this.parts.feed.publish('reset', {});
  }

  /** Ends the live streams (the sandbox is closing). */
  close(): void {
    this.parts.feed.close();
  }

  async #answer(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    query: URLSearchParams,
  ): Promise<Reply | undefined> {
    const method = req.method ?? 'GET';
    if (pathname.startsWith('/_sandbox/api/'))
      return this.#api.answer(req, res, pathname.slice('/_sandbox/api/'.length).split('/'), query);
    req.resume();
    if (pathname === '/favicon.ico') return { status: 204 }; // NOTE: no icon, and no 404 in the browser's console
    const page = pathname === '/' ? { type: 'text/html', text: INSPECTOR_HTML } : undefined;
    const asset = page ?? ASSETS[pathname.slice('/_sandbox/'.length)];
    if (!asset) return { status: 404, body: { error: `no file ${pathname}` } };
    if (method !== 'GET' && method !== 'HEAD')
      return { status: 405, body: { error: `${method} not allowed` }, headers: { Allow: 'GET, HEAD' } };
    return { status: 200, body: asset.text, headers: { 'Content-Type': `${asset.type}; charset=utf-8` } };
  }

  #send(res: ServerResponse, reply: Reply): void {
    if (res.headersSent || res.destroyed) return;
    sendReply(res, { ...reply, headers: { ...SECURITY_HEADERS, ...reply.headers } });
  }
}
