/**
 * The embedded database's folder lock with several real processes setting off at the same moment, on fresh
 * folders and on folders whose lock a dead process left: one holder at a time, always one holder.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deadPid, runRacers } from '../../support/racers';

const RACER = path.join(__dirname, 'lock-racer.ts');
const RACERS = 4;
const ROUNDS = 30;

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'jtai-lock-race-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the racers and returns, per round, the holds in the order they began and ended. */
async function race(prefix: string): Promise<Map<number, string[]>> {
  const log = path.join(dir, 'log');
  writeFileSync(log, '');
  await runRacers(RACER, [prefix, log, String(ROUNDS)], RACERS);
  const rounds = new Map<number, string[]>();
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const [event, round] = line.split(' ');
    rounds.set(Number(round), [...(rounds.get(Number(round)) ?? []), event!]);
  }
  return rounds;
}

describe('the folder lock raced by processes that set off together', () => {
  it('lets exactly one in on each fresh folder', async () => {
    const rounds = await race(path.join(dir, 'db-'));
    for (let i = 0; i < ROUNDS; i++) expect([i, rounds.get(i)]).toEqual([i, ['in', 'out']]);
    // Nothing left behind: no lock, no racer's own file.
    expect(readdirSync(dir)).toEqual(['log']);
  }, 120_000);

  it('lets exactly one take over each lock a dead process left', async () => {
    const dead = deadPid();
    for (let i = 0; i < ROUNDS; i++) writeFileSync(path.join(dir, `db-${i}.lock`), `${dead}\n`);
    const rounds = await race(path.join(dir, 'db-'));
    for (let i = 0; i < ROUNDS; i++) expect([i, rounds.get(i)]).toEqual([i, ['in', 'out']]);
    expect(readdirSync(dir)).toEqual(['log']);
  }, 120_000);
});
