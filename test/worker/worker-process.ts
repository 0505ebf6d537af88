/** The worker as a real process (`node dist/worker/main.js`, or its sources through tsx), for tests of what it logs and how it stops. */
import ExcelJS from 'exceljs';
import path from 'node:path';
import { distState, ROOT } from '../../bin/dist';
import { isListId } from '../../src/lists/ids';
import { getListSpec } from '../../src/lists/specs';
import { syntheticRow } from '../../src/lists/synthetic';
import type { Harness } from '../support/harness';
import type { ListFile } from '../support/recorded-weeks';
import { run, type Run } from '../start/processes';

/** The compiled worker when dist/ is up to date (what ships), else the sources. */
export function workerArgs(): string[] {
  return distState().state === 'fresh'
    ? [path.join(ROOT, 'dist', 'worker', 'main.js')]
    : ['--import', 'tsx', path.join(ROOT, 'src', 'worker', 'main.ts')];
}

/** A worker process for a harness's deployment (its data folder, keys, task queue, SMTP listener), logging JSON. */
export async function startWorkerProcess(
  address: string,
  h: Harness,
  env: NodeJS.ProcessEnv = {},
): Promise<Run> {
  const { config } = h.deployment;
  const worker = run(process.execPath, workerArgs(), {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    JTAI_DATA_DIR: config.dataDir,
    SMTP_URL: config.mail.smtpUrl,
    WEB_BASE_URL: config.web.baseUrl,
    JTAI_SEARCH_ATTRIBUTES: 'on',
    JTAI_LOG_FORMAT: 'json',
    ...env,
  });
  await worker.waitFor(/"state":"RUNNING"/, 120_000);
  return worker;
}

export interface LogRecord {
  level: string;
  time: string;
  name: string;
  msg: string;
  [key: string]: unknown;
}

/** Every line the process wrote, as records: a line that is not one fails the test that reads it. */
export function records(worker: Run): LogRecord[] {
  return worker
    .output()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogRecord;
      } catch {
        throw new Error(`Not a JSON log record: ${line}`);
      }
    });
}

type Cell = ReturnType<typeof syntheticRow>[number];

/**
 * Real lists for the real validator: its columns, synthetic rows dated for `notifiedOn`, one row a child in
 * `ids`, each flagged for the theme so that it is put forward. `edit` may then change a row's cells by key.
 */
export function realLists(
  notifiedOn: string,
  edit?: (cells: Map<string, Cell>, index: number) => void,
): ListFile {
  return async (h, deliverable, ids) => {
    const list = deliverable.replace(/^list-/, '');
    if (!isListId(list)) throw new Error(`${deliverable} is not a list`);
    const columns = getListSpec(list, 'A').columns;
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('List');
    sheet.addRow(columns.map((c) => c.header));
    ids.forEach((id, i) => {
      const row = syntheticRow(list, i + 1, { notifiedOn });
      const cells = new Map<string, Cell>(columns.map((c, j) => [c.key, row[j] ?? null]));
      cells.set('childId', id);
      if (cells.has('theme')) cells.set('theme', 'Y');
      edit?.(cells, i);
      sheet.addRow(columns.map((c) => cells.get(c.key) ?? null));
    });
    const file = await h.file(`${deliverable}.xlsx`, '');
    await workbook.xlsx.writeFile(file);
    return file;
  };
}
