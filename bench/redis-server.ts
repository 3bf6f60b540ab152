import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

// A redis-server of a part's own (redis-lease, scale-out): on a free port of 127.0.0.1, nothing saved, stopped by
// the part at its end. Nothing else talks to it, so what it does and the CPU it spends are the part's alone.

/** A redis-server this process started. */
export interface OwnRedis {
  url: string;
  child: ChildProcess;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Starts redis-server and waits until it answers; undefined when there is no `redis-server` on PATH. */
export async function startRedis(): Promise<OwnRedis | undefined> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const failed = new Promise<undefined>((resolve) => child.once('error', () => resolve(undefined)));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    const up = await Promise.race([
      probe.connect().then(
        () => true,
        () => false,
      ),
      failed,
    ]);
    probe.disconnect();
    if (up === undefined) return undefined;
    if (up) return { url, child };
    await sleep(50);
  }
  child.kill('SIGKILL');
  return undefined;
}
