// Whether a Redis server answers PING on 127.0.0.1: for jest.config.js and the store-redis global setup.
import { createConnection } from 'node:net';

/** Whether a Redis server answers PING on 127.0.0.1:`port` within 500 ms. */
export function redisAnswers(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(String(data).startsWith('+PONG')));
  });
}
