// Jest globalSetup of the store-redis project: Redis at REDIS_URL, else 127.0.0.1:6379 when it answers,
// else a redis-server started here on a free port (stopped by redis-global-teardown.mjs). jest.config.js leaves
// the project out when none of the three is there.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisAnswers } from './redis-ping.mjs';

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

export default async function setup() {
  if (process.env.REDIS_URL || (await redisAnswers(6379))) return;
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  globalThis.__customerioRedis = child;
  for (let i = 0; i < 100 && !(await redisAnswers(port)); i++) await sleep(50);
  process.env.REDIS_URL = `redis://127.0.0.1:${port}`;
}
