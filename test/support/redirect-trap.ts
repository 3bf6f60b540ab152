import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a loopback server of the trap received. */
export interface TrappedRequest {
  method: string;
  path: string;
  authorization?: string;
}

/**
 * Two loopback servers: one answers every request with a redirect to the other, a different host, which
 * records whatever reaches it (and would accept it with a 200).
 */
export interface RedirectTrap {
  /** Base URL of the redirecting server, to use as `trackUrl` / `appApiUrl`. */
  readonly url: string;
  /** `host:port` the redirects point to. */
  readonly otherHost: string;
  /** The query string every Location carries: it stands for a secret the error must not repeat. */
  readonly locationQuery: string;
  /** Requests the redirecting server answered. */
  readonly redirected: TrappedRequest[];
  /** Requests that reached the other host. */
  readonly elsewhere: TrappedRequest[];
  close(): Promise<void>;
}

const LOCATION_QUERY = 'X-Amz-Signature=location-secret';

/**
 * Starts a {@link RedirectTrap} answering `status`. The other host is 127.0.0.2 on the same port as the
 * redirecting server: customerio-node 4.4 keeps the port of its base URL when it follows a Location, so
 * only a server there would receive what 4.4 sends on. Both are loopback addresses.
 */
export async function startRedirectTrap(status: number): Promise<RedirectTrap> {
  const redirected: TrappedRequest[] = [];
  const elsewhere: TrappedRequest[] = [];
  let otherHost = '';
  const redirector = createServer((req, res) => {
    record(req, redirected);
    drain(req, () => res.writeHead(status, { Location: `http://${otherHost}${req.url}?${LOCATION_QUERY}` }).end());
  });
  const other = createServer((req, res) => {
    record(req, elsewhere);
    drain(req, () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
  });
  for (let attempt = 1; ; attempt++) {
    const port = await listen(redirector, '127.0.0.1', 0);
    try {
      await listen(other, '127.0.0.2', port);
      otherHost = `127.0.0.2:${port}`;
      break;
    } catch (error) {
      await close(redirector);
      if (attempt === 5) throw error;
    }
  }
  const { port } = redirector.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    otherHost,
    locationQuery: LOCATION_QUERY,
    redirected,
    elsewhere,
    close: async () => {
      await Promise.all([close(redirector), close(other)]);
    },
  };
}

function record(req: IncomingMessage, into: TrappedRequest[]): void {
  into.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
}

function drain(req: IncomingMessage, then: () => ServerResponse): void {
  req.resume().on('end', then);
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  server.listen(port, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error as Error)),
  ]);
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}
