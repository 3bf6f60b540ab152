import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP proxy on 127.0.0.1 in front of one server, that a test can stall: a network cut off without a reset. */
export interface StallingProxy {
  /** Where to connect instead of the server (`127.0.0.1:port`). */
  readonly port: number;
  /** Stops forwarding in both directions: what is sent waits in the proxy, and no connection is closed. */
  stall(): void;
  /** Forwards again, what waited first. */
  resume(): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

/** One direction of a connection: forwards chunks, or keeps them while stalled. */
function forward(from: Socket, to: Socket, stalled: () => boolean, waiting: (() => void)[]): void {
  from.on('data', (chunk: Buffer) => {
    if (stalled()) waiting.push(() => to.write(chunk));
    else to.write(chunk);
  });
  from.on('close', () => to.destroy());
  from.on('error', () => to.destroy());
}

/** Starts a proxy on a free port of 127.0.0.1 forwarding to `127.0.0.1:targetPort`. */
export async function startStallingProxy(targetPort: number): Promise<StallingProxy> {
  let stalled = false;
  const waiting: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    forward(client, upstream, () => stalled, waiting);
    forward(upstream, client, () => stalled, waiting);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stall: () => (stalled = true),
    resume: () => {
      stalled = false;
      for (const send of waiting.splice(0)) send();
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
