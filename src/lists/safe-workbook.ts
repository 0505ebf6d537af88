/** Workbooks jtai writes: every text cell neutralised (./safe-cells.ts) before the file is written. */
import type { Workbook } from 'exceljs';
import { neutraliseCell } from './safe-cells';

export function neutraliseWorkbook(wb: Workbook): void {
  wb.eachSheet((ws) =>
    ws.eachRow((row) =>
      row.eachCell((cell) => {
        if (typeof cell.value === 'string') cell.value = neutraliseCell(cell.value);
      }),
    ),
  );
}
