import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hashPassword } from '../../../src/infra/db/passwords';

/**
 * The users file the web app kept before the store (`<dataDir>/web-users.json`, scrypt hashes in the format
 * the store still reads), for the tests of its one-time import.
 */
export function legacyUsersFile(dir: string) {
  const file = path.join(dir, 'web-users.json');
  const users: { username: string; role: string; password: string }[] = [];
  return {
    file,
    async set(username: string, role: string, password: string) {
      users.push({ username, role, password: await hashPassword(password) });
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600 });
    },
  };
}
