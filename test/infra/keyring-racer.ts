/**
 * One of several processes making the same keyrings at the same moment (whole-file.test.ts):
 * `node --import tsx keyring-racer.ts <folder prefix> <rounds> <start ms>`. Round i starts at start + i × 100 ms
 * and loads or creates keyring `files` in `<prefix><i>`; prints `<i> <current key id>`, or `<i> error <message>`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadOrCreateKeyring } from '../../src/infra/keys';

const [prefix, rounds, start] = process.argv.slice(2);

async function race(): Promise<void> {
  for (let i = 0; i < Number(rounds); i++) {
    const at = Number(start) + i * 100;
    await sleep(Math.max(0, at - Date.now() - 2));
    while (Date.now() < at); // the last milliseconds spun, so the racers set off together
    try {
      process.stdout.write(`${i} ${loadOrCreateKeyring(`${prefix}${i}`, 'files').current.id}\n`);
    } catch (err) {
      process.stdout.write(`${i} error ${(err as Error).message}\n`);
    }
  }
}

void race();
