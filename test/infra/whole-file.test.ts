/**
 * Files made once, whole, only if absent (src/infra/whole-file.ts): keyrings made by processes that start at the
 * same moment (the web app and the worker under `jtai start`) are one keyring, read whole by all of them.
 */
import fs, { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lockFolder } from '../../src/infra/db/folder-lock';
import { createWholeFileSync } from '../../src/infra/whole-file';
import { runRacers } from '../support/racers';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'jtai-whole-file-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a file made whole, once', () => {
  it('is made with all its content, mode 0600, and kept when it exists; nothing else is left', () => {
    const file = path.join(dir, 'key');
    expect(createWholeFileSync(file, 'first')).toBe(true);
    expect(createWholeFileSync(file, 'second')).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('first');
    expect(readdirSync(dir)).toEqual(['key']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('fails, leaving nothing, where it cannot be written', () => {
    writeFileSync(path.join(dir, 'not-a-folder'), '');
    expect(() => createWholeFileSync(path.join(dir, 'not-a-folder', 'key'), 'x')).toThrow(/ENOTDIR/);
    expect(readdirSync(dir)).toEqual(['not-a-folder']);
  });

  it('is still made once where the filesystem has no hard links (written in place instead)', async () => {
    const refused = Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
    const link = jest.spyOn(fs, 'linkSync').mockImplementation(() => {
      throw refused;
    });
    try {
      const file = path.join(dir, 'key');
      expect(createWholeFileSync(file, 'first')).toBe(true);
      expect(createWholeFileSync(file, 'second')).toBe(false);
      expect(readFileSync(file, 'utf8')).toBe('first');
      // The embedded database's lock too: made holding the pid, gone when released.
      const lock = await lockFolder(path.join(dir, 'db'));
      expect(readFileSync(path.join(dir, 'db.lock'), 'utf8')).toBe(`${process.pid}\n`);
      lock.release();
      expect(readdirSync(dir)).toEqual(['key']);
      expect(link).toHaveBeenCalledTimes(3);
    } finally {
      link.mockRestore();
    }
  });

  it('made by four processes at the same moment is one keyring, and none of them reads it half written', async () => {
    const rounds = 30;
    const outputs = await runRacers(
      path.join(__dirname, 'keyring-racer.ts'),
      [path.join(dir, 'keys-'), String(rounds)],
      4,
    );
    const seen = new Map<string, Set<string>>();
    for (const line of outputs.join('').split('\n').filter(Boolean)) {
      const [round, ...answer] = line.split(' ');
      seen.set(round!, (seen.get(round!) ?? new Set()).add(answer.join(' ')));
    }
    expect(seen.size).toBe(rounds);
    for (const [round, answers] of seen) {
      expect([round, answers.size]).toEqual([round, 1]);
      expect([round, [...answers][0]]).toEqual([
        round,
        expect.stringMatching(/^files-\d{4}-\d\d-\d\d-[0-9a-f]{6}$/),
      ]);
    }
  }, 120_000);
});
