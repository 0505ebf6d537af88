/**
 * Templates an analyst can fill in: the list on the first sheet (header row frozen, dates formatted
 * dd/mm/yyyy, drop-downs for Y/N and code-list columns), a Notes sheet saying what each column means, and a
 * hidden Codes sheet holding the drop-down values.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
// exceljs is loaded when a template is written, not when the lists are imported.
import type ExcelJS from 'exceljs';
import { CODE_LISTS, templateValues, type CodeListName } from './codelists';
import { LIST_IDS, LIST_TITLES, type ListId } from './ids';
import { getListSpec, hasOptionBColumns, type ColumnSpec } from './specs';
import { neutraliseWorkbook } from './safe-workbook';

/**
 * Drop-downs and checks cover this many data rows by default. Excel copes with whole columns, but other
 * readers (exceljs among them) expand a validation range cell by cell when they load a workbook.
 */
export const TEMPLATE_ROWS = 10_000;

function typeLabel(c: ColumnSpec): string {
  switch (c.type) {
    case 'child-id':
      return 'Child ID';
    case 'date':
      return 'Date (dd/mm/yyyy)';
    case 'time':
      return 'Time (hh:mm)';
    case 'yn':
      return c.codeList && c.codeList !== 'YN' ? CODE_LISTS[c.codeList].title : 'Y/N';
    case 'integer':
      return 'Whole number';
    case 'code':
      return `Code: ${c.codeList ? CODE_LISTS[c.codeList].title : ''}`;
    case 'text':
      return 'Text';
  }
}

function requiredLabel(c: ColumnSpec): string {
  if (c.requiredWhenTheme) return 'Yes, for every child flagged Y for the theme';
  if (!c.required) return 'No (optional column)';
  return c.blank === 'error' ? 'Yes: column and every cell' : 'Column yes; cells may be blank';
}

export function templateFileName(list: ListId, option: 'A' | 'B'): string {
  const suffix = option === 'B' && hasOptionBColumns(list) ? '-option-B' : '';
  return `jtai-list-${list}${suffix}.xlsx`;
}

/** Writes the template workbook of one list. */
export async function writeListTemplate(
  list: ListId,
  option: 'A' | 'B',
  outPath: string,
  options: { rows?: number } = {},
): Promise<void> {
  const lastRow = (options.rows ?? TEMPLATE_ROWS) + 1;
  const spec = getListSpec(list, option);
  const { Workbook } = (await import('exceljs')).default;
  const wb = new Workbook();
  wb.creator = 'jtai';
  wb.title = LIST_TITLES[list];
  const ws = wb.addWorksheet(spec.sheetName, { views: [{ state: 'frozen', ySplit: 1, xSplit: 1 }] });
  const notes = wb.addWorksheet('Notes');
  const codes = wb.addWorksheet('Codes', { state: 'hidden' });

  // Code lists used by this list, one column each on the hidden Codes sheet.
  const codeRanges = new Map<CodeListName, string>();
  for (const c of spec.columns) {
    if (c.type !== 'code' || !c.codeList || codeRanges.has(c.codeList)) continue;
    const values = templateValues(c.codeList);
    const col = codeRanges.size + 1;
    codes.getCell(1, col).value = CODE_LISTS[c.codeList].title;
    values.forEach((v, i) => (codes.getCell(i + 2, col).value = v));
    const letter = codes.getColumn(col).letter;
    codeRanges.set(c.codeList, `Codes!$${letter}$2:$${letter}$${values.length + 1}`);
  }

  // exceljs supports whole-range validations but does not declare them in its types.
  const validations = (
    ws as unknown as { dataValidations: { add(address: string, v: ExcelJS.DataValidation): void } }
  ).dataValidations;
  const header = ws.getRow(1);
  spec.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.note = c.note;
    const column = ws.getColumn(i + 1);
    column.width = Math.min(45, Math.max(14, Math.ceil(c.header.length / 2.5)));
    const letter = column.letter;
    const range = `${letter}2:${letter}${lastRow}`;
    switch (c.type) {
      case 'date':
        column.numFmt = 'dd/mm/yyyy';
        validations.add(range, {
          type: 'date',
          operator: 'greaterThan',
          allowBlank: true,
          showErrorMessage: true,
          errorStyle: 'warning',
          errorTitle: 'Date',
          error: 'Enter a date as dd/mm/yyyy.',
          formulae: [new Date(Date.UTC(1900, 0, 1))],
        });
        break;
      case 'time':
        column.numFmt = 'hh:mm';
        break;
      case 'integer':
        column.numFmt = '0';
        validations.add(range, {
          type: 'whole',
          operator: 'greaterThanOrEqual',
          allowBlank: true,
          showErrorMessage: true,
          errorStyle: 'warning',
          errorTitle: 'Whole number',
          error: 'Enter a whole number (0 or more).',
          formulae: [c.min ?? 0],
        });
        break;
      case 'yn': {
        const values = c.codeList === 'YN' || !c.codeList ? ['Y', 'N'] : ['Y', 'N', 'Unknown'];
        validations.add(range, {
          type: 'list',
          allowBlank: true,
          showErrorMessage: true,
          errorStyle: 'warning',
          errorTitle: 'Y or N',
          error: `Choose ${values.join(', ')}.`,
          formulae: [`"${values.join(',')}"`],
        });
        break;
      }
      case 'code': {
        const ref = c.codeList ? codeRanges.get(c.codeList) : undefined;
        if (ref)
          validations.add(range, {
            type: 'list',
            allowBlank: true,
            showErrorMessage: true,
            errorStyle: 'warning',
            errorTitle: 'Code list',
            error: 'Choose a value from the list (a code with its description is also accepted).',
            formulae: [ref],
          });
        break;
      }
      case 'child-id':
      case 'text':
        column.numFmt = '@';
        break;
    }
  });
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'top' };
  header.height = 75;
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
  });

  // Notes sheet.
  notes.columns = [
    { header: 'Column', key: 'letter', width: 8 },
    { header: 'Header', key: 'header', width: 50 },
    { header: 'Type', key: 'type', width: 28 },
    { header: 'Required', key: 'required', width: 30 },
    { header: 'What to enter', key: 'note', width: 80 },
  ];
  notes.getRow(1).font = { bold: true };
  spec.columns.forEach((c, i) => {
    notes.addRow({
      letter: ws.getColumn(i + 1).letter,
      header: c.header,
      type: typeLabel(c),
      required: requiredLabel(c),
      note: c.note,
    });
  });
  notes.addRow([]);
  const general = [
    LIST_TITLES[list],
    `Scope: ${spec.scope}`,
    'One row per child (or per event, for contacts, referrals and meetings), from row 2. Keep the header row as it is.',
    'Dates as dd/mm/yyyy; whole numbers as numbers; Y/N columns take Y or N.',
    'Values only: no formulas, and no text starting with =, +, - or @.',
    'Child IDs only: never a name. Synthetic examples look like SYN0001.',
    ...(spec.option === 'B'
      ? [
          'Option B: the seven questions at the end must be answered (Y or N) for every child flagged Y for the theme.',
        ]
      : []),
  ];
  for (const line of general) notes.addRow(['', line]);
  notes.views = [{ state: 'frozen', ySplit: 1 }];

  neutraliseWorkbook(wb);
  await wb.xlsx.writeFile(outPath);
}

/** Writes every list's template into a directory; returns the paths written. */
export async function writeAllTemplates(
  dir: string,
  option: 'A' | 'B' = 'A',
  options: { rows?: number } = {},
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const out: string[] = [];
  for (const list of LIST_IDS) {
    const p = join(dir, templateFileName(list, option));
    await writeListTemplate(list, option, p, options);
    out.push(p);
  }
  return out;
}
