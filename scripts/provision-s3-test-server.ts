/** Makes sure the S3 test server (moto, see s3-test-server.ts) is installed; run by `npm test` before jest. */
import { motoPythonPath } from './s3-test-server';

motoPythonPath().then(
  (dir) => process.stdout.write(`S3 test server (moto): ${dir}\n`),
  (err: unknown) => {
    // Loud, not fatal here: the file store tests that need it fail with the same message.
    process.stdout.write(`S3 test server: ${err instanceof Error ? err.message : String(err)}\n`);
  },
);
