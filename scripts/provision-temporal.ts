/**
 * Makes sure the Temporal CLI and the time-skipping test server are on this machine (see temporal-binaries.ts)
 * and prints their paths. Run by `npm test` before jest and by CI; a no-op when they are already cached.
 *
 * Exits 0 even if a binary could not be provided: the SDK's own download is the last resort, and the tests
 * that need it say so when they fail.
 */
import { temporalCliPath, testServerPath } from './temporal-binaries';

async function main(): Promise<void> {
  const [cli, testServer] = await Promise.all([temporalCliPath(), testServerPath()]);
  process.stdout.write(`Temporal CLI: ${cli ?? '(not found: the SDK will try its own download)'}\n`);
  process.stdout.write(
    `Temporal test server: ${testServer ?? '(not found: the SDK will try its own download)'}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `provision-temporal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
