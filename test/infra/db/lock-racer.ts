/**
 * One of several processes racing for the embedded database's folder lock (folder-lock.test.ts):
 * `node --import tsx lock-racer.ts <folder prefix> <log> <rounds> <start ms>`. Round i starts at
 * start + i × 150 ms, on folder `<prefix><i>`; while holding the lock it appends `in` and `out` lines to the log.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockFolder } from '../../../src/infra/db/folder-lock';

const [prefix, log, rounds, start] = process.argv.slice(2);

async function race(): Promise<void> {
  for (let i = 0; i < Number(rounds); i++) {
    const at = Number(start) + i * 150;
    await sleep(Math.max(0, at - Date.now() - 2));
    while (Date.now() < at); // the last milliseconds spun, so the racers set off together
    let lock;
    try {
      lock = await lockFolder(`${prefix}${i}`);
    } catch {
      continue; // refused: another racer holds it
    }
    appendFileSync(log!, `in ${i} ${process.pid}\n`);
    await sleep(60);
    appendFileSync(log!, `out ${i} ${process.pid}\n`);
    lock.release();
  }
}

void race();
