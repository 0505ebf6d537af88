/**
 * Selection support: one workbook of the children flagged Y for the theme on lists 6 to 8, with every child on
 * the YOT and NPS lists, one row per child ID, saying which lists each child is on (Option B: with the seven
 * answers). The lead inspector chooses the 20, or the tracked children, from it.
 */
import type { ListId } from './ids';
import type { Parsed } from './cells';
import { SEVEN_QUESTIONS, THEME_HEADER } from './specs';
import { scanList, type ListReport } from './validate';
import { neutraliseWorkbook } from './safe-workbook';

export const CANDIDATE_LISTS: readonly ListId[] = ['6', '7', '8', 'yot', 'nps'];

const LIST_LABEL: Partial<Record<ListId, string>> = { '6': '6', '7': '7', '8': '8', yot: 'YOT', nps: 'NPS' };

interface Candidate {
  id: string;
  lists: Set<string>;
  cin: boolean;
  cpp: boolean;
  cla: boolean;
  answers: Map<string, Set<string>>;
}

export interface CandidatesResult {
  /** Candidate child IDs, one each, in first-seen order (inputs in the order given). */
  candidates: string[];
  /** The reports of the lists read (findings included), in input order. */
  reports: ListReport[];
}

const Y = (v: Parsed | undefined): boolean => v === 'Y';

export async function buildCandidates(
  inputs: { list: ListId; filePath: string }[],
  option: 'A' | 'B',
  outPath: string,
  validateOptions: { notifiedOn?: string; today?: string } = {},
): Promise<CandidatesResult> {
  const byId = new Map<string, Candidate>();
  const reports: ListReport[] = [];
  for (const input of inputs) {
    if (!CANDIDATE_LISTS.includes(input.list))
      throw new RangeError(
        `List ${input.list} does not put children forward for selection (lists 6, 7, 8, yot, nps do).`,
      );
    const label = LIST_LABEL[input.list] ?? input.list;
    const report = await scanList(
      input.list,
      input.filePath,
      { ...validateOptions, option },
      ({ values }) => {
        const id = values.childId;
        if (typeof id !== 'string' || id === '') return;
        const fromTheme = input.list === '6' || input.list === '7' || input.list === '8';
        if (fromTheme && values.theme !== 'Y') return;
        let c = byId.get(id);
        if (!c) {
          c = { id, lists: new Set(), cin: false, cpp: false, cla: false, answers: new Map() };
          byId.set(id, c);
        }
        c.lists.add(label);
        if (input.list === '6' || Y(values.childInNeed)) c.cin = true;
        if (input.list === '7' || Y(values.childProtectionPlan)) c.cpp = true;
        if (input.list === '8' || Y(values.lookedAfter)) c.cla = true;
        for (const q of SEVEN_QUESTIONS) {
          const v = values[q.key];
          if (v === 'Y' || v === 'N') {
            let s = c.answers.get(q.key);
            if (!s) c.answers.set(q.key, (s = new Set()));
            s.add(v);
          }
        }
      },
    );
    reports.push(report);
  }

  const { Workbook } = (await import('exceljs')).default;
  const wb = new Workbook();
  wb.creator = 'jtai';
  const ws = wb.addWorksheet('Candidates', { views: [{ state: 'frozen', ySplit: 1 }] });
  const withAnswers = option === 'B';
  const headers = [
    'Child unique ID',
    'On lists',
    'Child in need',
    'Child protection plan',
    'Looked after',
    ...(withAnswers ? SEVEN_QUESTIONS.map((q) => q.header) : []),
    ...(withAnswers ? ['Answers differ between lists'] : []),
  ];
  ws.addRow(headers);
  const yn = (b: boolean): string => (b ? 'Y' : 'N');
  for (const c of byId.values()) {
    const differ: string[] = [];
    const answers = SEVEN_QUESTIONS.map((q, i) => {
      const s = c.answers.get(q.key);
      if (!s) return '';
      if (s.size > 1) {
        differ.push(`question ${i + 1}`);
        return 'Y';
      }
      return [...s][0] ?? '';
    });
    ws.addRow([
      c.id,
      [...c.lists].join(', '),
      yn(c.cin),
      yn(c.cpp),
      yn(c.cla),
      ...(withAnswers ? answers : []),
      ...(withAnswers ? [differ.join(', ')] : []),
    ]);
  }
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'top' };
  header.height = withAnswers ? 90 : 30;
  ws.columns.forEach((col, i) => (col.width = i === 0 ? 18 : i === 1 ? 16 : 14));
  ws.getColumn(1).numFmt = '@';
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: headers.length } };

  const notes = wb.addWorksheet('Notes');
  for (const line of [
    'Children put forward for selection: flagged Y on lists 6, 7 or 8 for the question',
    `"${THEME_HEADER}",`,
    'and every child on the YOT and NPS lists. One row per child ID.',
    '"On lists" says which lists the child is on. Child in need / child protection plan / looked after come from the lists the child is on and the YOT/NPS answers.',
    ...(withAnswers
      ? [
          'Option B: the seven answers as given on the lists; where lists disagree, Y is shown and "Answers differ between lists" names the question.',
        ]
      : []),
    'A selection may only name child IDs on this sheet.',
  ])
    notes.addRow([line]);
  notes.getColumn(1).width = 120;

  neutraliseWorkbook(wb);
  await wb.xlsx.writeFile(outPath);
  return { candidates: [...byId.keys()], reports };
}
