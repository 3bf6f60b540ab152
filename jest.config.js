// Jest runs the TypeScript sources as native ES modules (NestJS 12 is ESM-only).
// The SDK-facing suites run twice: once against customerio-node 4.4 (the installed
// peer) and once against 5.x, installed under the alias `customerio-node-v5`.
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
};
const base = {
  extensionsToTreatAsEsm: ['.ts'],
  transform,
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};
/** The suites that run again on each durable store (see test/support/queue-app.ts). */
const storeSuites = ['<rootDir>/test/delivery/customerio-queue.spec.ts', '<rootDir>/test/delivery/customerio-receipt.spec.ts'];
const sdkSuites = [
  '<rootDir>/test/client/**/*.spec.ts',
  '<rootDir>/test/delivery/customerio-queue.spec.ts',
  '<rootDir>/test/conformance/wire.spec.ts',
];

export default {
  projects: [
    { ...base, displayName: 'sdk-v4', testMatch: ['<rootDir>/test/**/*.spec.ts'], globals: { SDK_MAJOR: 4 } },
    {
      ...base,
      displayName: 'sdk-v5',
      testMatch: sdkSuites,
      globals: { SDK_MAJOR: 5 },
      moduleNameMapper: { ...base.moduleNameMapper, '^customerio-node$': 'customerio-node-v5' },
    },
    // The delivery suites again, on each durable store.
    ...['sqlite', 'redis'].map((store) => ({
      ...base,
      displayName: `store-${store}`,
      testMatch: storeSuites,
      globals: { SDK_MAJOR: 4, QUEUE_STORE: store },
      ...(store === 'redis' && {
        globalSetup: '<rootDir>/test/support/redis-global-setup.mjs',
        globalTeardown: '<rootDir>/test/support/redis-global-teardown.mjs',
      }),
    })),
  ],
};
