import { Logger } from '@nestjs/common';
import { REDIS_CONNECTION_LOST } from '../../errors/customerio.messages.js';
import { Redis } from 'ioredis';
import { CustomerIOConfigError } from '../../errors/customerio.errors.js';
import { REDIS_OLD_LAYOUT } from '../../errors/customerio.messages.js';
import { KEY_NAMES, OLD_LAYOUT_ERROR } from './redis-queue-layout.lua.js';
import { type RedisReply, runScript } from './redis-script.loader.js';

const OLD_LAYOUT = new RegExp(`${OLD_LAYOUT_ERROR} (\\d+)`);

/**
 * The Redis queue store's link to Redis: runs its scripts on the prefix's keys, turns a script's refusal of a
 * prefix in an earlier layout into the error it stands for, keeps the commands on their way (to wait for them,
 * or fail them, at `close`), and owns the client it made from a URL (logging the loss of its connection once,
 * and closing it).
 */
export class RedisQueueConnection {
  readonly #logger = new Logger('CustomerIO');
  readonly #redis: Redis;
  readonly #ownsClient: boolean;
  readonly #prefix: string;
  readonly #keys: string[];
  /** Commands sent and not answered yet, each with a way to fail it: `close` waits for them (or fails them). */
  readonly #pending = new Map<Promise<unknown>, (error: Error) => void>();
  #closed = false;
  /** The store's own client lost its connection, and said so once. */
  #disconnected = false;

  /** Uses the client given (left open by `close`), or makes one of its own from a URL. */
  constructor(redis: Redis | string, prefix: string) {
    this.#ownsClient = typeof redis === 'string';
    // NOTE: `close` disconnects its own client only when the connection is lost, and ioredis then keeps the dead
    // socket's close timer (`disconnectTimeout`) running: short, it does not hold the process up.
    this.#redis = typeof redis === 'string' ? new Redis(redis, { disconnectTimeout: 100 }) : redis;
    // NOTE: ioredis prints an 'error' event nobody listens to as "Unhandled error event"; it emits one for
    // every failed reconnection, so the loss is logged once, until the connection is ready again.
    if (this.#ownsClient) {
      this.#redis.on('error', (error: unknown) => {
        if (this.#disconnected) return;
        this.#disconnected = true;
        this.#logger.warn(REDIS_CONNECTION_LOST(error), { event: 'customerio.store.disconnected' });
      });
      this.#redis.on('ready', () => (this.#disconnected = false));
    }
    this.#prefix = prefix;
    this.#keys = KEY_NAMES.map((name) => `{${prefix}}:${name}`);
  }

  /** Bytes written to the client's socket that it has not handed to the system yet (Redis reads slower than that). */
  get unsentBytes(): number {
    return this.#redis.stream?.writableLength ?? 0;
  }

  /** Whether the client's connection to Redis is up (ioredis's status `ready`). */
  get connected(): boolean {
    return this.#redis.status === 'ready';
  }

  /** Whether {@link close} was called: every script then rejects. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The wait at start-up on `firstRead`, the store's first script: resolves once it answered or failed, or (a
   * client made from a URL) once the first connection failed, so that start-up does not wait for a Redis that
   * does not answer. Rejects only with the {@link CustomerIOConfigError} of a prefix in an earlier layout.
   */
  ready(firstRead: Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      firstRead.then(
        () => resolve(),
        (error: unknown) => (error instanceof CustomerIOConfigError ? reject(error) : resolve()),
      );
      if (this.#ownsClient) this.#redis.once('error', () => resolve());
    });
  }

  /** Runs a script on the prefix's keys; rejects once closed, and with a {@link CustomerIOConfigError} on a prefix in an earlier layout. */
  run(script: string, args: (string | number | Buffer)[]): Promise<RedisReply> {
    return this.#command(() =>
      runScript(this.#redis, script, this.#keys, args).catch((error: unknown) =>
        Promise.reject(this.#explained(error)),
      ),
    );
  }

  /**
   * Sends nothing more, waits for the answers to the commands on their way (unless the connection is down), and
   * closes the client if it made it from a URL.
   */
  async close(): Promise<void> {
    this.#closed = true;
    // NOTE: a command still on its way may send another (the EVAL after a NOSCRIPT answer): sent after QUIT,
    // it would fail, and its write to the socket Redis closed would make the client emit EPIPE.
    await this.#answered();
    if (!this.#ownsClient) return;
    if (this.#redis.status === 'ready') {
      await this.#redis.quit().catch(() => this.#redis.disconnect());
      return;
    }
    // NOTE: QUIT waits in the offline queue while Redis is unreachable; closing must not wait for Redis. And the
    // commands waiting there never settle once the client is disconnected: they fail here instead.
    const error = new Error('CustomerIO Redis store was closed while Redis was unreachable');
    for (const fail of this.#pending.values()) fail(error);
    this.#redis.disconnect();
  }

  /** A script's refusal of a prefix in an earlier version's layout, as the error it stands for; any other error as it is. */
  #explained(error: unknown): unknown {
    const old = OLD_LAYOUT.exec(String(error));
    return old
      ? new CustomerIOConfigError('queue.redis.prefix', REDIS_OLD_LAYOUT(this.#prefix, Number(old[1])))
      : error;
  }

  /** Sends through the client, unless closed, and keeps the command in `#pending` until answered. */
  #command<T>(send: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('CustomerIO Redis store is closed'));
    let fail!: (error: Error) => void;
    const command = new Promise<T>((resolve, reject) => {
      fail = reject;
      send().then(resolve, reject);
    });
    this.#pending.set(command, fail);
    const settled = (): void => void this.#pending.delete(command);
    command.then(settled, settled);
    return command;
  }

  /** Resolves once the commands on their way are answered, or at once if the connection is (or goes) down. */
  async #answered(): Promise<void> {
    if (this.#pending.size === 0 || this.#redis.status !== 'ready') return;
    let dropped!: () => void;
    const down = new Promise<void>((resolve) => this.#redis.once('close', (dropped = resolve)));
    await Promise.race([Promise.allSettled(this.#pending.keys()), down]);
    this.#redis.off('close', dropped);
  }
}
