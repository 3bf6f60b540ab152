import { once } from 'node:events';
import { connect } from 'node:net';
import { setImmediate } from 'node:timers/promises';

/** What a {@link rawUpload} saw. */
export interface RawUploadResult {
  /** The response's status line and headers, as received (empty when none came). */
  head: string;
  /** Status of the response (0 when none came). */
  status: number;
  /** Body bytes written to the socket when the first byte of the response arrived (or when it closed). */
  sentWhenAnswered: number;
  /** Body bytes the upload meant to send. */
  total: number;
}

/**
 * Sends `POST path` with a body of `total` bytes over a plain socket, 64 KiB at a time (with
 * `Content-Length`, or chunked when `chunked`), and stops sending as soon as a response starts to
 * arrive or the server closes the connection. Unlike fetch, it can tell when the server answered.
 */
export async function rawUpload(
  port: number,
  path: string,
  { total, headers = {}, chunked = false }: { total: number; headers?: Record<string, string>; chunked?: boolean },
): Promise<RawUploadResult> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let received = Buffer.alloc(0);
  let sentWhenAnswered = -1;
  let sent = 0;
  let headReceived: () => void = () => {};
  const answered = new Promise<void>((resolve) => (headReceived = resolve));
  socket.on('data', (data: Buffer) => {
    if (sentWhenAnswered < 0) sentWhenAnswered = sent;
    received = Buffer.concat([received, data]);
    if (received.includes('\r\n\r\n')) headReceived();
  });
  socket.on('error', () => {});
  // NOTE: not events.once: it rejects on 'error', and EPIPE / ECONNRESET are expected here
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const framing = chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(total) };
  const head = Object.entries({ Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json', ...framing, ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x20); // white space: a valid start of a JSON body
  while (sent < total && sentWhenAnswered < 0 && !socket.destroyed) {
    const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
    const flushed = socket.write(
      chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece,
    );
    sent += piece.length;
    if (flushed) await setImmediate();
    else await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
  }
  if (sentWhenAnswered < 0 && !socket.destroyed && chunked) socket.write('0\r\n\r\n');
  await Promise.race([answered, closed]);
  socket.destroy();
  if (sentWhenAnswered < 0) sentWhenAnswered = sent;
  const text = received.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const responseHead = end < 0 ? '' : text.slice(0, end);
  return {
    head: responseHead,
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(responseHead)?.[1] ?? 0),
    sentWhenAnswered,
    total,
  };
}
