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
