/**
 * Files made once, whole, only if absent (src/infra/whole-file.ts): keyrings made by processes that start at the
 * same moment (the web app and the worker under `jtai start`) are one keyring, read whole by all of them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWholeFile, createWholeFileSync } from '../../src/infra/whole-file';
import { runRacers } from '../support/racers';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'jtai-whole-file-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a file made whole, once', () => {
  it('is made with all its content, mode 0600, and kept when it exists; nothing else is left', async () => {
    const file = path.join(dir, 'key');
    expect(createWholeFileSync(file, 'first')).toBe(true);
    expect(createWholeFileSync(file, 'second')).toBe(false);
    expect(await createWholeFile(file, 'third')).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('first');
    const other = path.join(dir, 'other');
    expect(await createWholeFile(other, 'x')).toBe(true);
    expect(readFileSync(other, 'utf8')).toBe('x');
    expect(readdirSync(dir).sort()).toEqual(['key', 'other']);
    for (const name of ['key', 'other']) expect(statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
  });

  it('fails, leaving nothing, where it cannot be written', async () => {
    writeFileSync(path.join(dir, 'not-a-folder'), '');
    expect(() => createWholeFileSync(path.join(dir, 'not-a-folder', 'key'), 'x')).toThrow(/ENOTDIR/);
    await expect(createWholeFile(path.join(dir, 'not-a-folder', 'key'), 'x')).rejects.toThrow(/ENOTDIR/);
    expect(readdirSync(dir)).toEqual(['not-a-folder']);
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
