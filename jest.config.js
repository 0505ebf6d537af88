/** Packages published as ES modules only, compiled to CommonJS for jest (below). */
const ESM_ONLY = '(?:openid-client|oauth4webapi|jose|oidc-provider)';

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
    // openid-client (single sign-on) and oidc-provider (the provider the tests sign in at) are ES modules
    // only, as are their dependencies oauth4webapi and jose: jtai loads openid-client with a dynamic
    // `import()` (src/infra/oidc.ts), which esbuild and tsx keep and Node runs as it is; under jest, swc turns
    // that `import()` into require(), and these packages are compiled to CommonJS here, in jest only.
    [`^.+/node_modules/(?:@electric-sql/pglite/dist/.+\\.cjs|${ESM_ONLY}/.+\\.js)$`]: [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: false,
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!@electric-sql/pglite/dist/|${ESM_ONLY}/)`],
  // Temporal test environments take a few seconds to start; tests that skip time run serially.
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
