// Jest runs the TypeScript sources as native ES modules (NestJS 12 is ESM-only).
// The SDK-facing suites run twice: once against customerio-node 4.4 (the installed
// peer) and once against 5.x, installed under the alias `customerio-node-v5`.
import { withNeededServices } from './test/support/needed-services.mjs';
import { redisAnswers } from './test/support/redis-ping.mjs';

const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
};
const base = {
  extensionsToTreatAsEsm: ['.ts'],
  transform,
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};
/** The suites that run again on each durable store (see test/support/test-app.ts). */
const storeSuites = [
  '<rootDir>/test/delivery/customerio-queue.spec.ts',
  '<rootDir>/test/delivery/customerio-receipt.spec.ts',
];
/** The suites the `pipelines` project runs beside the store suites: the Pipelines API's own, and the retry suite again. */
const pipelinesSuites = [
  '<rootDir>/test/delivery/customerio-retry.interceptor.spec.ts',
  '<rootDir>/test/delivery/pipelines-*.spec.ts',
  '<rootDir>/test/delivery/api-switch.spec.ts',
  '<rootDir>/test/module/pipelines-options.spec.ts',
  // The decorators, unchanged on the Pipelines API.
  '<rootDir>/test/decorators/decorators.routes.spec.ts',
  '<rootDir>/test/decorators/decorators.providers.spec.ts',
  '<rootDir>/test/decorators/decorators.ownership.spec.ts',
];
const sdkSuites = [
  '<rootDir>/test/client/**/*.spec.ts',
  '<rootDir>/test/operations/**/*.spec.ts',
  '<rootDir>/test/delivery/customerio-queue.spec.ts',
  '<rootDir>/test/conformance/wire.spec.ts',
  '<rootDir>/test/sample-app/pipelines-mode.e2e.spec.ts',
];

const config = {
  projects: [
    {
      ...base,
      displayName: 'sdk-v4',
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      // NOTE: the Pipelines API needs customerio-node 5: its own suites run in the `pipelines` project only.
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/delivery/pipelines-',
        '<rootDir>/test/delivery/api-switch',
      ],
      globals: { SDK_MAJOR: 4 },
    },
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
    // The delivery suites again on the Pipelines API (customerio-node 5), on each store.
    ...['memory', 'sqlite', 'redis'].map((store) => ({
      ...base,
      displayName: store === 'memory' ? 'pipelines' : `pipelines-store-${store}`,
      testMatch: store === 'memory' ? [...storeSuites, ...pipelinesSuites] : storeSuites,
      globals: { SDK_MAJOR: 5, CUSTOMERIO_API: 'pipelines', ...(store !== 'memory' && { QUEUE_STORE: store }) },
      moduleNameMapper: { ...base.moduleNameMapper, '^customerio-node$': 'customerio-node-v5' },
      ...(store === 'redis' && {
        globalSetup: '<rootDir>/test/support/redis-global-setup.mjs',
        globalTeardown: '<rootDir>/test/support/redis-global-teardown.mjs',
      }),
    })),
  ],
};

// The Redis tests use REDIS_URL, else Redis on 127.0.0.1:6379, else a redis-server they start: with none of the
// three they are left out with one line saying so (a failure with that line under CI=true or CUSTOMERIO_REQUIRE_REDIS=1).
// The browser tests (test/browser/) drive the Chromium at CHROMIUM_PATH, else `chromium` on PATH: likewise.
export default () =>
  withNeededServices(config, [
    {
      name: 'Redis',
      binary: 'redis-server',
      variable: 'REDIS_URL',
      local: { address: '127.0.0.1:6379', answers: () => redisAnswers(6379) },
      projects: ['store-redis', 'pipelines-store-redis'],
      files: ['test/delivery/stores/redis-'],
      binaryTests: 'Redis tests that start their own redis-server',
    },
    {
      name: 'Chromium',
      tests: 'Browser tests',
      binary: 'chromium',
      variable: 'CHROMIUM_PATH',
      projects: [],
      files: ['test/browser/'],
      how: 'install chromium (apt-get install chromium) or set CHROMIUM_PATH',
    },
  ]);
