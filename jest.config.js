// One jest run for every layer. Component tests opt into jsdom with a docblock; the rest run in
// Node against real servers started on loopback.
module.exports = {
  testEnvironment: 'node',
  // testkit/ holds no tests; as a root its files are in jest's module map, so that
  // `--findRelatedTests testkit/x.ts` and watch mode find the tests that use them.
  roots: ['<rootDir>/test', '<rootDir>/testkit'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
  },
  // What users require, resolved to the build output (npm test builds first).
  moduleNameMapper: {
    '^miniprogram-conference-kit$': '<rootDir>/miniprogram_dist/index.js',
    // The wire contract, from its sources (the builds compile it in; see gulpfile.js).
    '^miniprogram-conference-protocol$': '<rootDir>/protocol/src/index.ts',
    // The server package's entry points (its `main` and `./client`), from their sources: a test
    // goes in the way an embedder does; test/server/packaging.test.ts checks the built ones.
    '^miniprogram-conference-server$': '<rootDir>/server/index.ts',
    '^miniprogram-conference-server/client$': '<rootDir>/sdk/node.ts',
  },
  testEnvironmentOptions: { url: 'http://localhost/' },
  testTimeout: 60000,
  // The run fails when it leaves a process running (test/global-teardown.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  maxWorkers: 2,
}
