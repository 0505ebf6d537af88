/**
 * `npm run bench:db`: start-up of the embedded database (PGlite), whole process, against `node -e 0`.
 *
 * Each case is a fresh `node -e` process, run in turn with the baseline (A B A B …) so a machine whose speed
 * drifts moves both: it opens PGlite on a new folder (initdb), or on a folder that exists, and closes it.
 * Prints the median wall time, CPU time (user + system, steadier on a busy machine) and peak RSS of each,
 * and the paired ratio to the baseline.
 *
 *   npm run bench:db [-- --runs 5] [--dir /tmp/jtai-bench-db]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const runs = Number(arg('--runs') ?? 5);
const root = arg('--dir') ?? mkdtempSync(path.join(tmpdir(), 'jtai-bench-db-'));
mkdirSync(root, { recursive: true });
const existing = path.join(root, 'existing');

// Printed by every child at exit: its own whole-life CPU time and peak RSS.
const REPORT = `process.on('exit',()=>{const u=process.resourceUsage();console.log(JSON.stringify({cpuMs:(u.userCPUTime+u.systemCPUTime)/1000,rssMb:u.maxRSS/1024}))});`;
const open = (dir: string) =>
  `${REPORT}require('@electric-sql/pglite').PGlite.create(${JSON.stringify(dir)}).then((db)=>db.close())`;

interface Sample {
  ms: number;
  cpuMs: number;
  rssMb: number;
}

function run(code: string): Sample {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['-e', code], {
    encoding: 'utf8',
    cwd: path.resolve(__dirname, '..'),
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  const last = child.stdout.trim().split('\n').pop() ?? '{}';
  return { ms, ...(JSON.parse(last) as { cpuMs: number; rssMb: number }) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function bench(label: string, code: () => string): void {
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(run(code()));
    b.push(run(`${REPORT}0`));
  }
  const ratio = median(a.map((s, i) => s.ms / (b[i]?.ms ?? NaN)));
  process.stdout.write(
    `${label.padEnd(26)} wall ${median(a.map((s) => s.ms))
      .toFixed(0)
      .padStart(6)} ms  cpu ${median(a.map((s) => s.cpuMs))
      .toFixed(0)
      .padStart(6)} ms  ` +
      `peak RSS ${median(a.map((s) => s.rssMb))
        .toFixed(0)
        .padStart(4)} MB  | node -e 0: wall ${median(b.map((s) => s.ms)).toFixed(0)} ms, ` +
      `${median(b.map((s) => s.rssMb)).toFixed(0)} MB  | ratio (wall, paired) ${ratio.toFixed(1)}\n`,
  );
}

run(open(existing)); // create it once
let n = 0;
bench('PGlite, new folder', () => open(path.join(root, `fresh-${++n}`)));
bench('PGlite, existing folder', () => open(existing));
if (!arg('--dir')) rmSync(root, { recursive: true, force: true });
