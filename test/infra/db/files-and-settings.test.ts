/**
 * The parts of the store that need no database: settings from the environment, the migration files, the
 * embedded database's folder lock, password hashes.
 */
import { scryptSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lockFolder } from '../../../src/infra/db/folder-lock';
import { loadMigrations } from '../../../src/infra/db/migrations';
import { databaseSettings } from '../../../src/infra/db/open';
import { hashPassword, isPasswordHash, verifyPassword } from '../../../src/infra/db/passwords';
import { clientKey } from '../../../src/infra/db/sign-in-attempts';
import { deadPid } from '../../support/racers';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'jtai-db-unit-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('database settings', () => {
  it('use PostgreSQL when DATABASE_URL is set, otherwise PGlite under <dataDir>/db', () => {
    expect(databaseSettings({}, '/srv/jtai/.data')).toEqual({ dir: '/srv/jtai/.data/db' });
    expect(databaseSettings({ DATABASE_URL: '' }, '/d')).toEqual({ dir: '/d/db' });
    expect(
      databaseSettings({ DATABASE_URL: ' postgres://jtai:s3cret@db.example.org:5432/jtai ' }, '/d'),
    ).toEqual({
      url: 'postgres://jtai:s3cret@db.example.org:5432/jtai',
      dir: '/d/db',
    });
    expect(databaseSettings({ DATABASE_URL: 'postgresql://db/jtai?sslmode=require' }, '/d').url).toBe(
      'postgresql://db/jtai?sslmode=require',
    );
  });

  it('refuse a URL that is not PostgreSQL, without echoing it (it may hold a password)', () => {
    const attempt = () => databaseSettings({ DATABASE_URL: 'mysql://root:hunter2@db/jtai' }, '/d');
    expect(attempt).toThrow(/DATABASE_URL must start with postgres:\/\//);
    expect(attempt).not.toThrow(/hunter2/);
  });
});

describe('migration files', () => {
  it('are the numbered files of src/infra/db/migrations, in order', () => {
    expect(loadMigrations().map((m) => `${m.id} ${m.name}`)).toEqual([
      '1 users-and-sessions',
      '2 sign-in-attempts',
      '3 audit-log',
      '4 agency-directory',
      '5 email-usernames',
      '6 rate-events',
      '7 page-notes',
    ]);
  });

  it('must be named NNN-name.sql and numbered without gaps', () => {
    writeFileSync(path.join(dir, '001-first.sql'), 'SELECT 1;');
    writeFileSync(path.join(dir, '003-third.sql'), 'SELECT 3;');
    expect(() => loadMigrations(dir)).toThrow(/without gaps: found 3/);
    writeFileSync(path.join(dir, '2-second.sql'), 'SELECT 2;');
    expect(() => loadMigrations(dir)).toThrow(/2-second.sql is not named NNN-name.sql/);
  });
});

describe('the embedded database folder lock', () => {
  it('lets one holder in at a time, in this process too, and is gone when released', async () => {
    const db = path.join(dir, 'db');
    const lock = await lockFolder(db);
    expect(readFileSync(`${db}.lock`, 'utf8').trim()).toBe(String(process.pid));
    await expect(lockFolder(db)).rejects.toThrow(/in use by process \d+/);
    await expect(lockFolder(`${db}/`)).rejects.toThrow(/in use/);
    lock.release();
    expect(existsSync(`${db}.lock`)).toBe(false);
    (await lockFolder(db)).release();
  });

  it('refuses while a live process holds it', async () => {
    const db = path.join(dir, 'db');
    writeFileSync(`${db}.lock`, `${process.ppid}\n`); // jest's parent: alive
    await expect(lockFolder(db)).rejects.toThrow(`in use by process ${process.ppid}`);
  });

  it('is taken over from a process that has died, or from a garbled file', async () => {
    const db = path.join(dir, 'db');
    const dead = deadPid();
    writeFileSync(`${db}.lock`, `${dead}\n`);
    const lock = await lockFolder(db);
    expect(readFileSync(`${db}.lock`, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    writeFileSync(`${db}.lock`, 'garbage');
    (await lockFolder(db)).release();
  });

  it('is taken over past a takeover a dying process left half done, but not past a live one’s', async () => {
    const db = path.join(dir, 'db');
    const dead = deadPid();
    writeFileSync(`${db}.lock`, `${dead}\n`);
    writeFileSync(`${db}.lock.takeover`, `${process.ppid}\n`); // jest's parent, taking over now
    await expect(lockFolder(db)).rejects.toThrow(/in use by another process/);
    expect(readFileSync(`${db}.lock`, 'utf8').trim()).toBe(dead);
    writeFileSync(`${db}.lock.takeover`, `${dead}\n`);
    const lock = await lockFolder(db);
    expect(readFileSync(`${db}.lock`, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('released by a process that lost it does not remove the new holder’s lock', async () => {
    const db = path.join(dir, 'db');
    const lock = await lockFolder(db);
    writeFileSync(`${db}.lock`, `${process.ppid}\n`); // someone else took it over
    lock.release();
    expect(readFileSync(`${db}.lock`, 'utf8').trim()).toBe(String(process.ppid));
  });
});

describe('password hashes', () => {
  it('are the users file’s format: its hashes verify here, and ours are made the same way', async () => {
    // As the web app's users file made them: scrypt N=16384 r=8 p=1, 16-byte salt, 32-byte key.
    const legacy = (password: string, salt: Buffer) =>
      ['scrypt', 16384, 8, 1, salt.toString('base64')]
        .concat(scryptSync(password, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64'))
        .join('$');
    const theirs = legacy('correct horse battery staple', Buffer.alloc(16, 7));
    expect(isPasswordHash(theirs)).toBe(true);
    expect(await verifyPassword('correct horse battery staple', theirs)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', theirs)).toBe(false);
    const ours = await hashPassword('another long password');
    const salt = Buffer.from(ours.split('$')[4] ?? '', 'base64');
    expect(ours).toBe(legacy('another long password', salt));
  });

  it('with absurd costs or a malformed shape are refused without running scrypt', async () => {
    const salt = Buffer.alloc(16, 1).toString('base64');
    const hash = Buffer.alloc(32, 2).toString('base64');
    for (const bad of [
      `scrypt$${2 ** 30}$8$1$${salt}$${hash}`,
      `scrypt$16000$8$1$${salt}$${hash}`, // not a power of two
      `scrypt$16384$8$100$${salt}$${hash}`,
      `scrypt$16384$8$1$${salt}$`,
      `bcrypt$16384$8$1$${salt}$${hash}`,
      `scrypt$16384$8$1$${salt}$${hash}$extra`,
      '',
    ]) {
      expect(isPasswordHash(bad)).toBe(false);
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });
});

describe('client addresses for lockout', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:aa:bb:1:2:3:4', '2001:db8:aa:bb::/64'],
    ['2001:0db8:00aa:00bb::9', '2001:db8:aa:bb::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['not an address', 'unknown'],
    ['', 'unknown'],
  ])('%s counts as %s', (address, key) => expect(clientKey(address)).toBe(key));
});
