import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * People who sign in to the coordinator and manager pages: a JSON file under the data dir (mode 0600),
 * passwords hashed with scrypt. Coordinators can act; managers read only.
 */
export type Role = 'coordinator' | 'manager';
export const ROLES: readonly Role[] = ['coordinator', 'manager'];

export interface User {
  username: string;
  role: Role;
}

interface StoredUser extends User {
  /** `scrypt$N$r$p$<salt base64>$<hash base64>` */
  password: string;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A password people can type: 4 groups of 5 letters and digits (about 100 bits). */
export function randomPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,39}$/;

export class UserStore {
  private users: StoredUser[];

  constructor(readonly file: string) {
    this.users = UserStore.read(file);
  }

  /** The users file of a data dir. */
  static forDataDir(dataDir: string): UserStore {
    return new UserStore(path.join(dataDir, 'web-users.json'));
  }

  private static read(file: string): StoredUser[] {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { users?: StoredUser[] };
      return (parsed.users ?? []).filter(
        (u) => typeof u.username === 'string' && ROLES.includes(u.role) && typeof u.password === 'string',
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`The users file ${file} cannot be read: ${(err as Error).message}`);
    }
  }

  private write(): void {
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ users: this.users }, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, this.file);
  }

  list(): User[] {
    return this.users.map(({ username, role }) => ({ username, role }));
  }

  get size(): number {
    return this.users.length;
  }

  find(username: string): User | undefined {
    const u = this.users.find((x) => x.username === username);
    return u ? { username: u.username, role: u.role } : undefined;
  }

  /** Add a user or replace their password and role. */
  async set(username: string, role: Role, password: string): Promise<User> {
    const name = username.trim().toLowerCase();
    if (!USERNAME.test(name))
      throw new Error('A username is 2 to 40 lower-case letters, digits, dots, dashes or underscores.');
    if (password.length < 12) throw new Error('A password has at least 12 characters.');
    const stored: StoredUser = { username: name, role, password: await hashPassword(password) };
    this.users = [...this.users.filter((u) => u.username !== name), stored];
    this.write();
    return { username: name, role };
  }

  remove(username: string): boolean {
    const before = this.users.length;
    this.users = this.users.filter((u) => u.username !== username);
    if (this.users.length === before) return false;
    this.write();
    return true;
  }

  /** The user if the password is theirs; the same work is done for unknown names. */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const u = this.users.find((x) => x.username === username.trim().toLowerCase());
    const ok = await verifyPassword(password, u?.password ?? DUMMY_HASH);
    return ok && u ? { username: u.username, role: u.role } : undefined;
  }

  /**
   * A fresh machine has nobody who can sign in: make a `coordinator` account with a random password,
   * returned once for the console. Nothing happens when there are users already.
   */
  async bootstrap(): Promise<{ username: string; password: string } | undefined> {
    if (this.users.length > 0) return undefined;
    const password = randomPassword();
    await this.set('coordinator', 'coordinator', password);
    return { username: 'coordinator', password };
  }
}

// A hash of a random password, so that unknown usernames cost the same as known ones.
const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}`;
