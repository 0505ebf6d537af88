import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { JtaiError } from '../../src/client/inspections';
import { writeCandidates, writePack } from '../../src/client/exports';
import { syntheticHeaders, syntheticRow } from '../../src/lists/synthetic';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';
import { historyToText } from '../support/histories';
import { readZip } from '../lists/helpers';

/** Lists submitted inside an inspection go through the real validator; what leaves the store is the pack. */
const ctx = useHarness();

async function list6(
  file: string,
  notifiedOn: string,
  rows: number,
  edit?: (row: (string | number | Date | null)[]) => void,
  headers = syntheticHeaders('6'),
) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('List 6');
  ws.addRow(headers);
  for (let i = 1; i <= rows; i++) {
    const row = syntheticRow('6', i, { notifiedOn });
    if (i === 2) edit?.(row);
    ws.addRow(row);
  }
  const p = await ctx.h.file(file, '');
  await wb.xlsx.writeFile(p);
  return p;
}

test('a list with errors is refused with row and column and changes nothing; a clean one is recorded, put forward and packed', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-01-01');
  await skipTo(env, at(notifiedOn, 2, '11:00'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Checking Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        const headers = syntheticHeaders('6');
        const dobColumn = headers.findIndex((x) => /date of birth/i.test(x));
        const bad = await list6('list6-bad.xlsx', notifiedOn, 6, (row) => {
          row[dobColumn] = '31/02/2020';
        });
        const error = await h.client
          .submit(inspectionId, 'list-6', 'local-authority', [{ path: bad }])
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(JtaiError);
        expect((error as JtaiError).type).toBe('ListInvalid');
        expect((error as JtaiError).message).toMatch(new RegExp(`row 3, column "${headers[dobColumn]}"`));
        const afterRefusal = await h.client.state(inspectionId);
        expect(afterRefusal.deliverables.find((d) => d.id === 'list-6')?.submissions).toEqual([]);
        expect(await h.client.candidates(inspectionId)).toEqual({});
        expect(afterRefusal.candidateCount).toBe(0);
        // The refusal names the cell at fault; in the server's history it is encrypted, not in clear.
        const history = historyToText(await h.client.client.workflow.getHandle(inspectionId).fetchHistory());
        expect(history).toContain('"ListInvalid"'); // the refused update's outcome is there…
        expect(history).not.toContain('31/02/2020'); // …without the cell's value

        const good = await list6('list6.xlsx', notifiedOn, 12);
        const receipt = await h.client.submit(inspectionId, 'list-6', 'local-authority', [{ path: good }]);
        expect(receipt).toMatchObject({ deliverableId: 'list-6', late: false, complete: true });
        const put = await h.client.candidates(inspectionId);
        const flagged = Object.keys(put);
        expect(flagged.length).toBeGreaterThan(0);
        expect(flagged.every((id) => put[id]?.includes('6'))).toBe(true);
        expect((await h.client.state(inspectionId)).candidateCount).toBe(flagged.length);

        const candidates = await writeCandidates(h.client, inspectionId, path.join(h.dir, 'candidates.xlsx'));
        expect(candidates.candidates.sort()).toEqual(flagged.sort());

        const pack = await writePack(h.client, inspectionId, path.join(h.dir, 'pack.zip'));
        expect(pack.files).toBe(1);
        const state = await h.client.state(inspectionId);
        const sha = state.deliverables.find((d) => d.id === 'list-6')?.submissions[0]?.files[0]?.sha256 ?? '';
        expect(sha).toMatch(/^[0-9a-f]{64}$/);
        const zip = readZip(path.join(h.dir, 'pack.zip'));
        const index = zip.get('index.csv')?.toString('utf8') ?? '';
        expect(index).toContain('Lists,Example Council,,List 6: children in need,received,');
        expect(index).toContain(sha);
        const packed = zip.get('Lists/Example Council/List 6 - children in need.xlsx');
        expect(packed?.equals(await readFile(good))).toBe(true);
      },
    ),
  );
});

test('a list accepted with warnings is packed with every warning and the agency’s answers to them', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2090-02-05');
  await skipTo(env, at(notifiedOn, 1, '11:00'));
  await h.run(() =>
    h.withInspection(
      { localAuthority: 'Warning Borough', notifiedOn, option: 'A', contacts: CONTACTS },
      async ({ inspectionId }) => {
        const headers = syntheticHeaders('6');
        const closure = headers.indexOf('Reason for closure');
        expect(closure).toBeGreaterThanOrEqual(0);
        // A lone dash (read as blank, with a warning) in the optional column, on row 2 of the sheet.
        const file = await list6('list6-dash.xlsx', notifiedOn, 8, (row) => (row[closure] = '-'));
        const receipt = await h.client.submit(inspectionId, 'list-6', 'local-authority', [{ path: file }]);
        expect(receipt.queries).toEqual([expect.objectContaining({ row: 3, code: 'dash-for-blank' })]);

        const zipPath = path.join(h.dir, 'pack-warnings.zip');
        await writePack(h.client, inspectionId, zipPath);
        let zip = readZip(zipPath);
        const warningsCsv = zip.get(
          'Lists/Example Council/List 6 - children in need - warnings found when it arrived.csv',
        );
        expect(warningsCsv?.toString('utf8')).toBe(
          '\ufeffRow,Column,Check,What to check\r\n' +
            `3,Reason for closure,dash-for-blank,"${receipt.queries[0]?.message.replace(/"/g, '""')}"\r\n`,
        );
        let index = zip.get('index.csv')?.toString('utf8') ?? '';
        expect(index).toContain(
          'List 6: children in need: 1 warning found when it arrived,accepted with the list,',
        );
        expect(index).toContain(
          "List 6: children in need: the agency's answers to the warnings,not answered,",
        );

        // The agency answers; the pack then holds its answers beside the warnings.
        await h.client.answerQueries(inspectionId, 'list-6', 'local-authority', receipt.submissionId, [
          { row: 3, column: 'Reason for closure', query: 'a dash', answer: '=Closed: no reason recorded' },
        ]);
        await writePack(h.client, inspectionId, zipPath);
        zip = readZip(zipPath);
        expect(
          zip
            .get('Lists/Example Council/List 6 - children in need - answers to the warnings.csv')
            ?.toString('utf8'),
        ).toBe(
          "\ufeffRow,Column,Query,Answer\r\n3,Reason for closure,a dash,'=Closed: no reason recorded\r\n",
        );
        index = zip.get('index.csv')?.toString('utf8') ?? '';
        expect(index).toMatch(
          /List 6: children in need: the agency's answers to the warnings,received,[^\r]*answers to the warnings\.csv,[0-9a-f]{64}\r\n/,
        );
        expect(index).not.toContain('not answered');
      },
    ),
  );
});
