import type { IncomingMessage } from 'node:http';

/** A request body as read: `body` when it fit the limit; `bytes` read either way. */
export interface BodyRead {
  /** The whole body; `undefined` when it was over the limit (reading stopped there). */
  body?: Buffer;
  /** Bytes read. */
  bytes: number;
}

/**
 * Reads the body of `req` while it is at most `limit` bytes. Refuses at once a `Content-Length` over
 * it, reading nothing; otherwise calls `proceed` (to answer `Expect: 100-continue`), reads, and stops at
 * the chunk that passes the limit, pausing the request (the rest stays unread, never buffered). Rejects
 * when the request ends early (the client went away).
 */
export function readBody(req: IncomingMessage, limit: number, proceed: () => void = () => {}): Promise<BodyRead> {
  if (Number(req.headers['content-length']) > limit) return Promise.resolve({ bytes: 0 });
  proceed();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const settle = (outcome: () => void): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
      else
        settle(() => {
          req.pause();
          resolve({ bytes });
        });
    };
    const onEnd = (): void => settle(() => resolve({ body: Buffer.concat(chunks, bytes), bytes }));
    const onError = (error: Error): void => settle(() => reject(error));
    const onClose = (): void => settle(() => reject(new Error('the request closed before its body ended')));
    req.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  });
}
