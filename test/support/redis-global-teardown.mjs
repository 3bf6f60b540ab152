// Stops the redis-server that redis-global-setup.mjs started, if it started one.
export default async function teardown() {
  globalThis.__customerioRedis?.kill();
}
