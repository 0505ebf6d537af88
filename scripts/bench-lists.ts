/**
 * `npm run bench:lists`: list validation against a bare exceljs streaming read of the same workbook.
 *
 * Generates synthetic list 6 workbooks (50,000 and 200,000 rows by default; SYN IDs, one row in a thousand
 * with a planted error), then for each runs, in separate child processes so that peak RSS is measured fairly:
 *   bare      exceljs stream.xlsx.WorkbookReader over every row, touching every value (same reader options);
 *   validate  validateListFile (what `jtai lists validate` runs).
 * Prints wall time and peak RSS of each and the ratio. Target: validate <= 1.3x bare, peak RSS < 250 MB and flat.
 *
 *   npm run bench:lists [-- --rows 50000,200000] [--runs 2] [--dir /tmp/jtai-bench]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { validateListFile } from '../src/lists';
import { XLSX_READER_OPTIONS } from '../src/lists/xlsx';
import { syntheticHeaders, syntheticRow } from '../src/lists/synthetic';

const NOTIFIED = '2026-03-02';

interface ChildResult {
  ms: number;
  /** CPU time (user + system) of the child during the operation: steadier than wall time on a busy machine. */
  cpuMs: number;
  rssMb: number;
  rows: number;
  findings?: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

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

async function bareRead(path: string): Promise<number> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, XLSX_READER_OPTIONS);
  let rows = 0;
  let cells = 0;
  for await (const ws of reader) {
    for await (const row of ws) {
      const values = row.values as unknown[];
      for (let i = 1; i < values.length; i++) if (values[i] !== undefined) cells++;
      rows++;
    }
  }
  if (cells < 0) throw new Error('unreachable');
  return rows - 1;
}

async function child(mode: string, path: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let result: ChildResult;
  if (mode === 'bare') {
    const rows = await bareRead(path);
    result = { ms: 0, cpuMs: 0, rssMb: 0, rows };
  } else {
    const report = await validateListFile('6', path, { notifiedOn: NOTIFIED, today: '2026-03-04' });
    result = { ms: 0, cpuMs: 0, rssMb: 0, rows: report.rows, findings: report.findings.length };
  }
  result.ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  result.cpuMs = (c.user + c.system) / 1000;
  result.rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(result));
}

const CLI_NODE_FLAGS: string[] =
  (
    JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      jtai?: { cliNodeFlags?: string[] };
    }
  ).jtai?.cliNodeFlags ?? [];

function runChild(mode: string, path: string): ChildResult {
  // Both sides run with the node flags bin/jtai gives the CLI (package.json "jtai.cliNodeFlags").
  const r = spawnSync(
    process.execPath,
    [...CLI_NODE_FLAGS, '--import', 'tsx', __filename, '--child', mode, path],
    {
      encoding: 'utf8',
      maxBuffer: 10 * 1024 * 1024,
    },
  );
  if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

function pad(s: string, n: number): string {
  return s.padStart(n);
}

async function main(): Promise<void> {
  const mode = arg('--child');
  if (mode) return child(mode, process.argv[process.argv.length - 1] ?? '');

  const sizes = (arg('--rows') ?? '50000,200000').split(',').map(Number);
  const runs = Number(arg('--runs') ?? '2');
  const dir = arg('--dir') ?? join(tmpdir(), 'jtai-bench');
  mkdirSync(dir, { recursive: true });

  const table: string[] = [];
  for (const n of sizes) {
    const path = join(dir, `list6-${n}.xlsx`);
    if (!existsSync(path)) {
      process.stderr.write(`generating ${path} ...\n`);
      await generate(path, n);
    }
    const mb = statSync(path).size / 1024 / 1024;
    // Alternate the two, keep the best time of each (peak RSS: the highest seen).
    let bare: ChildResult | undefined;
    let val: ChildResult | undefined;
    for (let i = 0; i < runs; i++) {
      const b = runChild('bare', path);
      const v = runChild('validate', path);
      bare = !bare ? b : { ...b, ms: Math.min(bare.ms, b.ms), rssMb: Math.max(bare.rssMb, b.rssMb) };
      val = !val ? v : { ...v, ms: Math.min(val.ms, v.ms), rssMb: Math.max(val.rssMb, v.rssMb) };
      process.stderr.write(
        `  ${n} rows run ${i + 1}: bare ${b.ms.toFixed(0)} ms, validate ${v.ms.toFixed(0)} ms\n`,
      );
    }
    if (!bare || !val) continue;
    table.push(
      [
        pad(n.toLocaleString('en-GB'), 8),
        pad(mb.toFixed(1), 7),
        pad((bare.ms / 1000).toFixed(2), 9),
        pad((val.ms / 1000).toFixed(2), 10),
        pad(`${(val.ms / bare.ms).toFixed(2)}x`, 6),
        pad((bare.cpuMs / 1000).toFixed(2), 8),
        pad((val.cpuMs / 1000).toFixed(2), 8),
        pad(`${(val.cpuMs / bare.cpuMs).toFixed(2)}x`, 6),
        pad(bare.rssMb.toFixed(0), 9),
        pad(val.rssMb.toFixed(0), 10),
        pad(`${(val.rssMb / bare.rssMb).toFixed(2)}x`, 6),
        pad(String(val.findings ?? 0), 8),
      ].join(' | '),
    );
  }
  const head = [
    pad('rows', 8),
    pad('file MB', 7),
    pad('bare s', 9),
    pad('validate s', 10),
    pad('wall', 6),
    pad('bare cpu', 8),
    pad('val. cpu', 8),
    pad('cpu', 6),
    pad('bare RSS', 9),
    pad('valid. RSS', 10),
    pad('RSS', 6),
    pad('findings', 8),
  ].join(' | ');
  process.stdout.write(
    `\nlist 6 validation vs bare exceljs streaming read (times in s, best of ${runs} runs; peak RSS in MB, highest seen; each run in its own process)\n` +
      `${head}\n${'-'.repeat(head.length)}\n${table.join('\n')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
