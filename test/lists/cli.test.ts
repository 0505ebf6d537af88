import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerListsCommands } from '../../src/client/lists-commands';
import { syntheticHeaders } from '../../src/lists/synthetic';
import { cleanRows, col, tempDir, writeText, writeXlsx } from './helpers';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

/** Runs `jtai lists ...` in-process; returns exit code and output. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const capture = (sink: (s: string) => void) => (chunk: unknown, a?: unknown, b?: unknown) => {
    sink(String(chunk));
    const cb = typeof a === 'function' ? a : typeof b === 'function' ? b : undefined;
    if (cb) (cb as () => void)();
    return true;
  };
  const o = jest.spyOn(process.stdout, 'write').mockImplementation(capture((s) => (out += s)));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation(capture((s) => (err += s)));
  process.exitCode = undefined;
  try {
    const p = new Command('jtai').exitOverride();
    registerListsCommands(p);
    try {
      await p.parseAsync(['node', 'jtai', 'lists', ...args]);
    } catch (e) {
      if (e instanceof CommanderError) return { code: e.exitCode, out, err };
      throw e;
    }
    return { code: Number(process.exitCode ?? 0), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

test('validate --json: one object with list, file, rows, valid, findings; exit 0 when clean', async () => {
  const p = await writeXlsx(join(dir, 'ok.xlsx'), cleanRows('6', 3));
  const r = await run('validate', '--list', '6', p, '--notified', '02/03/2026', '--json');
  expect(r.code).toBe(0);
  const json = JSON.parse(r.out) as Record<string, unknown>;
  expect(Object.keys(json)).toEqual(['list', 'file', 'rows', 'valid', 'findings']);
  expect(json).toEqual({ list: '6', file: 'ok.xlsx', rows: 3, valid: true, findings: [] });
});

test('validate --json: exit 1 with findings at their row and column', async () => {
  const rows = cleanRows('6', 3);
  const r3 = rows[2];
  if (r3) r3[col('6', 'Child in need start date')] = '31/02/2026';
  const p = await writeXlsx(join(dir, 'bad.xlsx'), rows);
  const r = await run('validate', '--list', '6', p, '--notified', '2026-03-02', '--json');
  expect(r.code).toBe(1);
  const json = JSON.parse(r.out) as { valid: boolean; findings: Record<string, unknown>[] };
  expect(json.valid).toBe(false);
  expect(json.findings).toEqual([
    {
      row: 3,
      column: 'Child in need start date',
      code: 'date-impossible',
      severity: 'error',
      message: expect.stringMatching(
        /^Row 3, column "Child in need start date": "31\/02\/2026" is not a real date/,
      ),
    },
  ]);
});

test('validate: a text file named .xlsx exits 2 and says why', async () => {
  const p = await writeText(join(dir, 'fake.xlsx'), 'not a workbook');
  const r = await run('validate', '--list', '7', p, '--json');
  expect(r.code).toBe(2);
  expect(JSON.parse(r.out)).toMatchObject({ list: '7', file: 'fake.xlsx', error: 'not-a-workbook' });
  expect(r.err).toMatch(/cannot read fake\.xlsx as List 7.*not-a-workbook/);
});

test('bad arguments exit 2 with a message', async () => {
  const r = await run('validate', '--list', '9', 'x.xlsx');
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/Unknown list "9"/);
  const n = await run('validate', '--list', '6', 'x.xlsx', '--notified', '31/02/2026');
  expect(n.code).toBe(2);
  expect(n.err).toMatch(/--notified must be a date/);
});

test('validate without --json: a summary line, then findings grouped by column', async () => {
  const rows = cleanRows('6', 6);
  for (const n of [2, 3, 4]) {
    const row = rows[n - 1];
    if (row) row[col('6', 'Primary need code')] = 'XX';
  }
  const r5 = rows[4];
  if (r5) r5[col('6', 'Allocated team')] = '=A1';
  const p = await writeXlsx(join(dir, 'human.xlsx'), rows);
  const r = await run('validate', '--list', '6', p, '--notified', '2026-03-02');
  expect(r.code).toBe(1);
  const lines = r.out.split('\n');
  expect(lines[0]).toMatch(
    /^List 6: children in need, human\.xlsx: 6 rows read, 4 errors, 0 warnings\. NOT ACCEPTED/,
  );
  expect(r.out).toContain('Column "Primary need code": 3 errors, 0 warnings');
  expect(r.out).toContain('  ERROR rows 2-4: "XX" is not in the code list');
  expect(r.out).toContain('Column "Allocated team": 1 error, 0 warnings');
});

test('template: one list, and --all', async () => {
  const out = join(dir, 't6.xlsx');
  const r = await run('template', '--list', '6', '--option', 'B', out);
  expect(r.code).toBe(0);
  expect(existsSync(out)).toBe(true);
  const all = await run('template', '--all', join(dir, 'all'));
  expect(all.out.split('\n').filter(Boolean)).toHaveLength(12);
});

test('a separate process piping megabytes of JSON delivers it whole', async () => {
  // 15,000 rows, each with three errors: several megabytes of findings.
  const header = syntheticHeaders('6')
    .map((h) => `"${h}"`)
    .join(',');
  const line = 'X,Martian,Nowhere,31/02/2015,,10,N,03/11/2025,N1,,,,,,,Y';
  const rows = Array.from({ length: 15_000 }, (_, i) => line.replace(/^X/, `SYN${i}`));
  const p = join(dir, 'big.csv');
  await writeFile(p, `${header}\n${rows.join('\n')}\n`);
  const entry = join(__dirname, 'cli-entry.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', entry, 'lists', 'validate', '--list', '6', p, '--json', '--max-findings', '50000'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const text = Buffer.concat(chunks).toString();
  expect(text.length).toBeGreaterThan(4_000_000);
  const json = JSON.parse(text) as { rows: number; findings: unknown[] };
  expect(json.rows).toBe(15_000);
  expect(json.findings).toHaveLength(45_000);
  expect(code).toBe(1);
}, 30_000);

test('validate --json over the findings limit: the first kept, "omitted" counts the rest', async () => {
  const rows = cleanRows('6', 8);
  for (let i = 1; i <= 8; i++) {
    const r = rows[i];
    if (r) r[col('6', 'Primary need code')] = 'XX';
  }
  const p = await writeXlsx(join(dir, 'capped.xlsx'), rows);
  const r = await run(
    'validate',
    '--list',
    '6',
    p,
    '--notified',
    '2026-03-02',
    '--json',
    '--max-findings',
    '3',
  );
  expect(r.code).toBe(1);
  const json = JSON.parse(r.out) as { findings: unknown[]; omitted: unknown };
  expect(json.findings).toHaveLength(3);
  expect(json.omitted).toEqual({ errors: 5, warnings: 0 });
  const bad = await run('validate', '--list', '6', p, '--max-findings', 'lots');
  expect(bad.code).toBe(2);
  expect(bad.err).toMatch(/--max-findings must be a whole number/);
});

test('validate: a file over a limit exits 2 and names the limit', async () => {
  const header = syntheticHeaders('6').join(',');
  const p = await writeText(join(dir, 'wide.csv'), `${header}\r\nSYN1${','.repeat(2000)}\r\n`);
  const r = await run('validate', '--list', '6', p, '--json');
  expect(r.code).toBe(2);
  expect(JSON.parse(r.out)).toMatchObject({
    error: 'over-limit',
    message: expect.stringMatching(/cells-per-row limit/),
  });
  expect(r.err).toMatch(/cannot read wide\.csv as List 6.*over-limit\. Row 2 has more than 1,000 cells/);
});
