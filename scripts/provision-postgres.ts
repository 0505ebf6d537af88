/**
 * Makes sure Debian's PostgreSQL server is on this machine for the store's tests against a real server
 * (`npm test` runs this before jest). The tests start their own server in a temporary folder; the cluster the
 * package may create is not used.
 */
import { aptInstall } from './apt';
import { postgresBinDir } from './postgres-binaries';

function main(): void {
  let dir = postgresBinDir();
  if (!dir && aptInstall('PostgreSQL', ['postgresql'], 'the database tests against PostgreSQL need it')) {
    dir = postgresBinDir();
  }
  process.stdout.write(`PostgreSQL: ${dir ?? 'not found (the tests against PostgreSQL will fail)'}\n`);
}

main();
