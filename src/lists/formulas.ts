/**
 * No formulas anywhere: every cell of every sheet that no column check reads (rows above the header, the
 * header row, columns with no header or a header the list does not have, other sheets) is looked at too. A
 * workbook may hold no formula cell; a CSV no cell a spreadsheet would run as a formula. The message says
 * where, never what (the cell may hold child data). Pure: no I/O.
 */
import type { Cell } from './cells';
import { columnLetter, type Findings } from './findings';
import type { FileKind, SheetRow } from './reader';
import { formulaLike, formulaStart } from './safe-cells';

const isFormula = (c: Cell | undefined): boolean => typeof c === 'object' && c !== null && 'formula' in c;

/** Where a cell is, in the words of the messages: "Sheet 2, cell T14" (a CSV has no sheets: "Cell T14"). */
function place(kind: FileKind, r: SheetRow, index: number): string {
  const cell = `${columnLetter(index)}${r.row}`;
  return kind === 'csv' ? `Cell ${cell}` : `Sheet ${r.sheetIndex + 1}, cell ${cell}`;
}

export class FormulaSweep {
  constructor(
    private readonly kind: FileKind,
    private readonly findings: Findings,
  ) {}

  /** Looks at the cells of a row, except those at `checked` indices (their column's check reads them). */
  row(r: SheetRow, checked?: readonly boolean[]): void {
    const { cells } = r;
    for (let i = 0; i < cells.length; i++) {
      if (checked?.[i]) continue;
      const c = cells[i];
      if (this.kind === 'xlsx' ? isFormula(c) : typeof c === 'string' && formulaLike(c)) this.refuse(r, i, c);
    }
  }

  private refuse(r: SheetRow, index: number, c: Cell | undefined): void {
    const where = place(this.kind, r, index);
    const message =
      typeof c === 'string'
        ? `${where} starts with ${formulaStart(c)}, which a spreadsheet would run as a formula: formulas are not accepted. Remove that first character, or the value.`
        : `${where}: formulas are not accepted; paste values only (Copy, then Paste Special > Values).`;
    this.findings.add(r.row, '', 'formula', 'error', message);
  }
}
