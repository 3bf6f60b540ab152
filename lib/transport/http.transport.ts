import http from 'node:http';
import https from 'node:https';

/** A request as customerio-node builds it (`request.options(uri, method, data)` on both SDK majors). */
export interface SdkRequest {
  uri: string;
  method: string;
  headers: Record<string, string | number>;
  body?: string | Buffer | null;
}

/** An answer as it came back, whatever its status. */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends one request over `agent` and resolves with the answer, whatever its status: it never follows a
 * redirect and never retries. Rejects with the socket's error, or with `signal.reason` once `signal` has
 * aborted (the request and its socket are then destroyed).
 */
export function sendOnce(request: SdkRequest, agent: http.Agent, signal: AbortSignal): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => reject(signal.aborted ? (signal.reason as Error) : error);
    const send = new URL(request.uri).protocol === 'https:' ? https.request : http.request;
    const req = send(request.uri, { method: request.method, headers: request.headers, agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', fail);
    req.end(request.body ?? undefined);
  });
}
