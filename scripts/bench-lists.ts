/**
 * `npm run bench:lists`: list validation as users run it, against a bare exceljs read of the same file.
 *
 * Generates synthetic list 6 workbooks (50,000 and 200,000 rows by default, 16 columns; SYN IDs, one row in a
 * thousand with a planted error), then for each runs, in turn, each as a whole process timed from outside by
 * /usr/bin/time (wall, user + system CPU, peak RSS of the largest process):
 *   bare   plain node: exceljs's streaming WorkbookReader over every cell, nothing else (the floor);
 *   cli    `jtai lists validate --list 6 <file> --json` through bin/jtai, exactly as a user runs it;
 *   lists  the same command through a lists-only entry (test/lists/cli-entry.ts): the CLI once its start-up
 *          loads only the command it runs.
 * Ratios are taken pair by pair (bare, cli, lists, bare, cli, ...) and their medians printed, so a machine
 * whose speed drifts still gives fair ratios. Target: cli <= 1.3x bare in CPU and wall, peak RSS <= 250 MB.
 *
 * `npm run bench:hostile`: the zip bomb (a few MB whose sheet unzips to 1.15 GB) and a 1,000,000-row CSV
 * through the sandbox (src/infra/list-check.ts): time to refusal and peak RSS of the caller plus the sandbox
 * (targets: <= 30 s, <= 600 MB); and a five-row list, for the sandbox's start-up.
 *
 *   npm run bench:lists [-- --rows 50000,200000] [--runs 3] [--dir /tmp/jtai-bench]
 *   npm run bench:hostile [-- --runs 3]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { checkListInSandbox, peakRssMb, type SandboxUsage } from '../src/infra/list-check';
import { syntheticHeaders, syntheticRow } from '../src/lists/synthetic';
import { XLSX_READER_OPTIONS } from '../src/lists/xlsx';
import { writeLongCsv, writeZipBomb } from '../test/lists/hostile-files';
import { arg, f2, load, median, pad, ROOT, timed, type Timed } from './bench-support';
import { cleanRows, writeXlsx } from '../test/lists/helpers';

const NOTIFIED = '2026-03-02';

async function generate(path: string, rows: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
    useStyles: true,
  });
  const ws = wb.addWorksheet('List 6');
  ws.addRow(syntheticHeaders('6')).commit();
  for (let i = 1; i <= rows; i++) {
    const values = syntheticRow('6', i, { notifiedOn: NOTIFIED });
    if (i % 1000 === 500) values[7] = '31/02/2026'; // a planted impossible date
    const row = ws.addRow(values);
    values.forEach((v, c) => {
      if (v instanceof Date) row.getCell(c + 1).numFmt = 'dd/mm/yyyy';
    });
    row.commit();
  }
  ws.commit();
  await wb.commit();
}

/** The floor: exceljs's own streaming read of every cell, in plain node (no tsx), nothing else. */
const BARE_READ = `
const ExcelJS = require('exceljs');
(async () => {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(process.argv[1], ${JSON.stringify(XLSX_READER_OPTIONS)});
  let cells = 0;
  for await (const ws of reader)
    for await (const row of ws) {
      const values = row.values;
      for (let i = 1; i < values.length; i++) if (values[i] !== undefined) cells++;
    }
  process.stdout.write(String(cells));
})();
`;

async function benchLists(): Promise<void> {
  const sizes = (arg('--rows') ?? '50000,200000').split(',').map(Number);
  const runs = Number(arg('--runs') ?? '3');
  const dir = arg('--dir') ?? join(tmpdir(), 'jtai-bench');
  mkdirSync(dir, { recursive: true });
  const cliArgs = (file: string): string[] => [
    'lists',
    'validate',
    '--list',
    '6',
    file,
    '--json',
    '--notified',
    NOTIFIED,
  ];
  const cliFlags =
    (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { jtai?: { cliNodeFlags?: string[] } })
      .jtai?.cliNodeFlags ?? [];
  const commands = {
    bare: (file: string) => [process.execPath, '-e', BARE_READ, file],
    cli: (file: string) => [process.execPath, join(ROOT, 'bin', 'jtai'), ...cliArgs(file)],
    lists: (file: string) => [
      process.execPath,
      ...cliFlags,
      '--import',
      'tsx',
      join(ROOT, 'test', 'lists', 'cli-entry.ts'),
      ...cliArgs(file),
    ],
  };
  const rows: string[] = [];
  process.stderr.write(`load average before: ${load()}\n`);
  for (const n of sizes) {
    const file = join(dir, `list6-${n}.xlsx`);
    if (!existsSync(file)) {
      process.stderr.write(`generating ${file} ...\n`);
      await generate(file, n);
    }
    const seen: Record<keyof typeof commands, Timed[]> = { bare: [], cli: [], lists: [] };
    for (let i = 0; i < runs; i++)
      for (const k of ['bare', 'cli', 'lists'] as const) {
        const t = await timed(commands[k](file));
        if (k !== 'bare' && t.status !== 1)
          throw new Error(`${k} exited ${t.status} (expected 1: planted errors)`);
        seen[k].push(t);
        process.stderr.write(
          `  ${n} rows, run ${i + 1}, ${k}: ${f2(t.wallS)} s wall, ${f2(t.cpuS)} s CPU, ${t.rssMb.toFixed(0)} MB\n`,
        );
      }
    const ratio = (k: 'cli' | 'lists', m: 'cpuS' | 'wallS'): number =>
      median(seen[k].map((t, i) => t[m] / (seen.bare[i]?.[m] ?? NaN)));
    const med = (k: keyof typeof commands, m: 'cpuS' | 'wallS'): string =>
      f2(median(seen[k].map((t) => t[m])));
    const peak = (k: keyof typeof commands): string => Math.max(...seen[k].map((t) => t.rssMb)).toFixed(0);
    rows.push(
      [
        pad(n.toLocaleString('en-GB'), 8),
        pad((statSync(file).size / 1024 / 1024).toFixed(1), 7),
        pad(`${med('bare', 'cpuS')} / ${med('bare', 'wallS')}`, 13),
        pad(`${med('cli', 'cpuS')} / ${med('cli', 'wallS')}`, 13),
        pad(`${f2(ratio('cli', 'cpuS'))}x / ${f2(ratio('cli', 'wallS'))}x`, 13),
        pad(`${med('lists', 'cpuS')} / ${med('lists', 'wallS')}`, 13),
        pad(`${f2(ratio('lists', 'cpuS'))}x / ${f2(ratio('lists', 'wallS'))}x`, 13),
        pad(`${peak('bare')} / ${peak('cli')} / ${peak('lists')}`, 16),
      ].join(' | '),
    );
  }
  const head = [
    pad('rows', 8),
    pad('file MB', 7),
    pad('bare cpu/wall', 13),
    pad('cli cpu/wall', 13),
    pad('cli ratio', 13),
    pad('lists cpu/wall', 13),
    pad('lists ratio', 13),
    pad('peak RSS MB b/c/l', 16),
  ].join(' | ');
  process.stdout.write(
    `\nlist 6, whole processes (s; medians of ${runs} paired runs; ratios taken pair by pair; peak RSS: highest seen)\n` +
      `load average after: ${load()}\n${head}\n${'-'.repeat(head.length)}\n${rows.join('\n')}\n`,
  );
}

/** One hostile file through the sandbox, in a process of its own so that its peak RSS is its own. */
async function sandboxChild(file: string): Promise<void> {
  let usage: SandboxUsage | undefined;
  const t0 = process.hrtime.bigint();
  let outcome: string;
  try {
    const r = await checkListInSandbox('6', file, { notifiedOn: NOTIFIED, onUsage: (u) => (usage = u) });
    outcome = `accepted ${r.rows} rows`;
  } catch (err) {
    outcome = err instanceof Error ? `${err.name}: ${err.message.slice(0, 90)}` : String(err);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const parentMb = peakRssMb();
  process.stdout.write(JSON.stringify({ seconds, parentMb, sandboxMb: usage?.peakRssMb ?? NaN, outcome }));
}

async function benchHostile(): Promise<void> {
  const runs = Number(arg('--runs') ?? '3');
  const dir = join(tmpdir(), `jtai-bench-hostile-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const files = {
      'zip bomb (sheet unzips to 1.15 GB)': join(dir, 'bomb.xlsx'),
      '1,000,000-row CSV': join(dir, 'million.csv'),
      'five-row list (start-up)': join(dir, 'five.xlsx'),
    };
    await writeZipBomb(files['zip bomb (sheet unzips to 1.15 GB)']);
    await writeLongCsv(files['1,000,000-row CSV']);
    await writeXlsx(files['five-row list (start-up)'], cleanRows('6', 5));
    process.stderr.write(`load average before: ${load()}\n`);
    const lines: string[] = [];
    for (const [label, file] of Object.entries(files)) {
      const results: { seconds: number; parentMb: number; sandboxMb: number; outcome: string }[] = [];
      for (let i = 0; i < runs; i++) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--sandbox-child', file], {
          cwd: ROOT,
          encoding: 'utf8',
        });
        if (r.status !== 0) throw new Error(`sandbox child failed: ${r.stderr}`);
        results.push(JSON.parse(r.stdout) as (typeof results)[number]);
      }
      const size = statSync(file).size / 1024 / 1024;
      lines.push(
        [
          label.padEnd(36),
          pad(size.toFixed(1), 7),
          pad(f2(median(results.map((r) => r.seconds))), 9),
          pad(Math.max(...results.map((r) => r.parentMb)).toFixed(0), 9),
          pad(Math.max(...results.map((r) => r.sandboxMb)).toFixed(0), 10),
          pad(Math.max(...results.map((r) => r.parentMb + r.sandboxMb)).toFixed(0), 8),
          `  ${results[0]?.outcome ?? ''}`,
        ].join(' | '),
      );
    }
    const head = [
      'file'.padEnd(36),
      pad('MB', 7),
      pad('answer s', 9),
      pad('caller MB', 9),
      pad('sandbox MB', 10),
      pad('sum MB', 8),
      '  outcome',
    ].join(' | ');
    process.stdout.write(
      `\nhostile files through the sandbox (median time from the call to its answer, sandbox start-up under tsx included; peak RSS: highest of ${runs} runs)\n` +
        `load average after: ${load()}\n${head}\n${'-'.repeat(120)}\n${lines.join('\n')}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const child = arg('--sandbox-child');
  if (child) return sandboxChild(child);
  if (process.argv.includes('--hostile')) return benchHostile();
  return benchLists();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
