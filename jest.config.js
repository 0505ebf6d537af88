/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest'],
    // PGlite's CommonJS build still loads Node built-ins with `await import("fs")`, which jest's module
    // system refuses without --experimental-vm-modules. swc rewrites those imports to require() here, in
    // jest only; node and tsx run the file as shipped.
    '^.+/node_modules/@electric-sql/pglite/dist/.+\\.cjs$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: false,
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/dist/)'],
  // Temporal test environments take a few seconds to start; tests that skip time run serially.
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
