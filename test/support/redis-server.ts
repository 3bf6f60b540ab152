import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { Redis } from 'ioredis';

/** A Redis server for tests: `REDIS_URL`, the local one on 6379, or one started here. */
export interface TestRedis {
  readonly url: string;
  /** Stops the server if it was started here. */
  stop(): Promise<void>;
}

/** A `redis-server` started by the test, on a free port of 127.0.0.1, that it may stop and start again. */
export interface OwnedRedisServer extends TestRedis {
  readonly port: number;
  /** Kills the server abruptly (SIGKILL). */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (with `persist`, it reloads its data). */
  start(): Promise<void>;
}

/**
 * Redis for a test file: `REDIS_URL` if set, else 127.0.0.1:6379 if it answers PING, else a
 * `redis-server` from PATH started on a free port (and stopped by `stop()`).
 */
export async function useRedis(): Promise<TestRedis> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => undefined };
  if (await pings(6379)) return { url: 'redis://127.0.0.1:6379', stop: async () => undefined };
  return startRedisServer();
}

/**
 * Redis for the calling test file and a client on it, ready before its tests and closed after: {@link useRedis}, or
 * what `start` starts (e.g. {@link startRedisServer}, for a server of the file's own).
 */
export function useRedisForFile<T extends TestRedis = TestRedis>(
  start: () => Promise<T> = useRedis as () => Promise<T>,
): { readonly server: T; readonly admin: Redis } {
  const context = {} as { server: T; admin: Redis };
  beforeAll(async () => {
    context.server = await start();
    context.admin = new Redis(context.server.url);
  });
  afterAll(async () => {
    await context.admin.quit();
    await context.server.stop();
  });
  return context;
}

/**
 * Starts `redis-server` from PATH on a free port of 127.0.0.1, keeping nothing on disk unless
 * `persist` (then an append-only file, synced on every write, in a temporary directory), and asking clients
 * for `password` when one is given (`url` does not carry it).
 */
export async function startRedisServer({
  persist = false,
  password,
}: { persist?: boolean; password?: string } = {}): Promise<OwnedRedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    dir,
    '--appendonly',
    persist ? 'yes' : 'no',
    '--appendfsync',
    'always',
    ...(password ? ['--requirepass', password] : []),
  ];
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const started = spawn('redis-server', args, { stdio: 'ignore' });
    const failed = new Promise<never>((_, reject) => {
      started.once('error', (error) =>
        reject(new Error(`could not start redis-server (is it installed? set REDIS_URL otherwise): ${error.message}`)),
      );
      started.once('exit', (code) => reject(new Error(`redis-server exited with ${code} at start`)));
    });
    failed.catch(() => undefined);
    child = started;
    const deadline = Date.now() + 5_000;
    for (;;) {
      await Promise.race([sleep(20), failed]);
      if (await pings(port)) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
    }
  };
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    kill: () => halt('SIGKILL'),
    stop: async () => {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A prefix no other test uses. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${randomBytes(6).toString('hex')}`;
}

/** Deletes every key of a store prefix. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Whether a Redis server answers PING on 127.0.0.1:`port`. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
