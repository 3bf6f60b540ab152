// `nestjs-customerio/redis`: the Redis-backed queue store, in an entry point of its own so that only
// applications that use it need `ioredis` installed.
export { RedisQueueStore, type RedisQueueStoreOptions } from '../stores/redis/redis-queue.store.js';
