/** Two projects: fast unit tests next to the source, and end-to-end suites against PostgreSQL and Redis. */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'es6' },
    },
  ],
};

const common = {
  transform,
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // @fastify/static requires content-disposition 3, which is ESM only: Jest's module runtime
    // cannot require() it on Node 20. Version 2 (CommonJS) has the same `create`.
    '^content-disposition$': '<rootDir>/node_modules/content-disposition/dist/index.js',
  },
};

/**
 * Suites the Fastify project skips because they never serve HTTP, so the adapter cannot change
 * them (or choose their platform themselves, see below): services and processors driven directly (audit, audit retention, notifications, session
 * table updates) and the operations CLI and worker processes (cli, cli-policy, worker-kill). Every suite that
 * talks HTTP to an app, browser suites included, runs on both adapters.
 */
const FASTIFY_IGNORED = [
  '/node_modules/',
  '/test/audit\\.e2e-spec\\.ts$',
  '/test/audit-retention\\.e2e-spec\\.ts$',
  '/test/notifications\\.e2e-spec\\.ts$',
  '/test/session-table-updates\\.e2e-spec\\.ts$',
  '/test/cli\\.e2e-spec\\.ts$',
  '/test/cli-policy\\.e2e-spec\\.ts$',
  '/test/worker-kill\\.e2e-spec\\.ts$',
  // Pack the tarball or read the manifest and the entry points: no app, no adapter.
  '/test/package-contents\\.e2e-spec\\.ts$',
  '/test/public-api\\.e2e-spec\\.ts$',
  // Start their apps on the platform they choose whatever the project (fastify-adapter on
  // Fastify, graphql-surface on both), so the e2e project already runs them on Fastify.
  '/test/fastify-adapter\\.e2e-spec\\.ts$',
  '/test/graphql-surface\\.e2e-spec\\.ts$',
  // No HTTP: the Redis signal bus, and gateways of a test app served by the ws/socket.io
  // adapters (the example's /ws runs on both platforms in live-connections).
  '/test/live-signal-bus\\.e2e-spec\\.ts$',
  // Redis topologies (own Cluster / Sentinel processes): what they test is below HTTP, and
  // they are the slowest suites to set up; the e2e project runs them through the example.
  '/test/redis-cluster\\.e2e-spec\\.ts$',
  '/test/redis-sentinel\\.e2e-spec\\.ts$',
  '/test/websocket-gateways\\.e2e-spec\\.ts$',
];

module.exports = {
  testTimeout: 30000,
  // With one worker (2 cores) every suite runs in this process; an intermittent late timer in a
  // full e2e run (not reproducible with --detectOpenHandles) must not hang CI. Each suite still
  // closes its apps, connections and schemas.
  forceExit: true,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      // test/faults: the fault suite's pure counting logic (the suite itself is `npm run test:faults`).
      roots: ['<rootDir>/src', '<rootDir>/example', '<rootDir>/test/faults'],
      testMatch: ['**/*.spec.ts'],
      ...common,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      ...common,
    },
    {
      // The same end-to-end suites with the example app on @nestjs/platform-fastify.
      displayName: 'e2e-fastify',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      testPathIgnorePatterns: FASTIFY_IGNORED,
      setupFiles: ['<rootDir>/test/support/fastify-adapter.setup.cjs'],
      ...common,
    },
  ],
};
