import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that went through the proxy: what the module sent, and the status the server answered. */
export interface CapturedRequest {
  method: string;
  /** Path and query, still percent-encoded. */
  path: string;
  /** The body, parsed as JSON (`undefined` when empty). */
  body: unknown;
  status: number;
}

/** A loopback HTTP proxy in front of one server (the sandbox) that records every request body it forwards. */
export interface CaptureProxy {
  /** Origin of the proxy, `http://127.0.0.1:PORT`. */
  url: string;
  /** Requests answered so far, in the order they were answered. */
  requests: CapturedRequest[];
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port that forwards every request to `target` (an origin) as it came. */
export async function startCaptureProxy(target: string): Promise<CaptureProxy> {
  const requests: CapturedRequest[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const upstream = http.request(
        `${target}${req.url}`,
        { method: req.method, headers: req.headers, agent },
        (answer) => {
          const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined;
          requests.push({ method: req.method!, path: req.url!, body, status: answer.statusCode ?? 0 });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
