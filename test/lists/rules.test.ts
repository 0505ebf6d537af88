import { join } from 'node:path';
import { validateListFile, type ListId, type ListReport } from '../../src/lists';
import { cleanRows, col, d, OPTS, tempDir, writeText, writeXlsx, type CellIn } from './helpers';

let dir: string;
let cleanup: () => Promise<void>;
let n = 0;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

/** A clean list with a change applied, validated. */
async function check(
  list: ListId,
  change: (rows: CellIn[][]) => void,
  opts: { option?: 'A' | 'B'; rows?: number } = {},
): Promise<ListReport> {
  const rows = cleanRows(list, opts.rows ?? 3, opts.option);
  change(rows);
  const p = await writeXlsx(join(dir, `t${n++}.xlsx`), rows);
  return validateListFile(list, p, { ...OPTS, option: opts.option });
}

function set(
  rows: CellIn[][],
  row: number,
  list: ListId,
  header: string,
  v: CellIn,
  option: 'A' | 'B' = 'A',
): void {
  const r = rows[row - 1];
  if (!r) throw new Error('no row');
  r[col(list, header, option)] = v;
}

const codes = (r: ListReport) => r.findings.map((f) => `${f.severity}:${f.code}@${f.row}:${f.column}`);

const DOB = 'Date of birth';
const AGE = 'Age of child (years)';
const ID = 'Child unique ID';
const CIN_START = 'Child in need start date';
const CLOSURE = 'Child in need closure date';
const THEME = 'Is the child at risk of, or subject to, sexual abuse in the family environment (Y/N)?';

describe('column rules', () => {
  test('a missing required column is an error at the header row', async () => {
    const r = await check('6', (rows) => rows.forEach((row) => row.splice(col('6', 'Primary need code'), 1)));
    expect(r.valid).toBe(false);
    expect(codes(r)).toEqual(['error:missing-column@1:Primary need code']);
    expect(r.findings[0]?.message).toMatch(/required column "Primary need code" is missing/);
  });

  test('a missing optional column is fine', async () => {
    const r = await check('6', (rows) => rows.forEach((row) => row.splice(col('6', 'Case status'), 1)));
    expect(r.findings).toEqual([]);
  });

  test('header wording differing only in case, spacing or punctuation is a warning and is mapped', async () => {
    const r = await check('6', (rows) => {
      set(rows, 1, '6', DOB, 'DATE  OF   BIRTH:');
      set(rows, 3, '6', DOB, '31/02/2010');
    });
    expect(codes(r)).toEqual([
      'warning:header-wording@1:DATE  OF   BIRTH:',
      'error:date-impossible@3:DATE  OF   BIRTH:',
    ]);
  });

  test('the ILACS template wording is accepted silently; looser patterns are mapped with a warning', async () => {
    const r = await check('6', (rows) => {
      set(rows, 1, '6', ID, 'Child Unique ID');
      set(rows, 1, '6', CIN_START, 'CIN Start Date');
      set(rows, 1, '6', 'Date child was last seen', 'Child last seen on');
    });
    expect(codes(r)).toEqual(['warning:header-mapped@1:Child last seen on']);
  });

  test('extra columns and repeated columns are warnings', async () => {
    const r = await check('6', (rows) => {
      rows[0]?.push('Social worker notes', 'Gender');
      rows[1]?.push('anything', 'a) Male');
    });
    expect(codes(r)).toEqual([
      'warning:extra-column@1:Social worker notes',
      'warning:duplicate-column@1:Gender',
    ]);
  });

  test('data under an empty header is a warning', async () => {
    const r = await check('yot', (rows) => {
      rows[2]?.push(null, 'x');
    });
    expect(codes(r)).toEqual(['warning:unnamed-column@3:(column F)']);
  });
});

describe('type rules', () => {
  test('impossible dates, text dates, two-digit years', async () => {
    const r = await check('6', (rows) => {
      set(rows, 2, '6', CIN_START, '31/02/2026');
      set(rows, 3, '6', CIN_START, 'last week');
      set(rows, 4, '6', CIN_START, '03/11/25');
    });
    expect(codes(r)).toEqual([
      `error:date-impossible@2:${CIN_START}`,
      `error:date-format@3:${CIN_START}`,
      `error:date-format@4:${CIN_START}`,
    ]);
    expect(r.findings[0]?.message).toBe(
      `Row 2, column "${CIN_START}": "31/02/2026" is not a real date. Check the day and the month (dd/mm/yyyy).`,
    );
  });

  test('text dates as dd/mm/yyyy (and ISO) are accepted', async () => {
    const r = await check('6', (rows) => {
      set(rows, 2, '6', CIN_START, '03/11/2025');
      set(rows, 3, '6', CIN_START, '2025-11-03');
      set(rows, 4, '6', CIN_START, '3/11/2025 00:00:00');
    });
    expect(r.findings).toEqual([]);
  });

  test('an Excel serial number in a date column is an error that says what date it would be', async () => {
    const r = await check('6', (rows) => set(rows, 2, '6', CIN_START, 45964));
    expect(codes(r)).toEqual([`error:date-serial@2:${CIN_START}`]);
    expect(r.findings[0]?.message).toMatch(/number 45964, not a date \(as a date it would be 03\/11\/2025\)/);
  });

  test('text or decimals in an integer column; a date-formatted number', async () => {
    const r = await check('7', (rows) => {
      set(rows, 2, '7', 'Number of previous child protection plans', 'three');
      set(rows, 3, '7', 'Number of previous child protection plans', 1.5);
      set(rows, 4, '7', 'Number of previous child protection plans', d('1900-01-02'));
    });
    expect(codes(r)).toEqual([
      'error:not-a-number@2:Number of previous child protection plans',
      'error:not-whole@3:Number of previous child protection plans',
      'error:not-a-number@4:Number of previous child protection plans',
    ]);
  });

  test('fractional ages are read as whole years with a warning', async () => {
    const r = await check('6', (rows) => set(rows, 2, '6', AGE, 10.4));
    expect(codes(r)).toEqual([`warning:not-whole@2:${AGE}`]);
    expect(r.valid).toBe(true);
  });

  test('codes: the reference forms are accepted, others are errors', async () => {
    const r = await check('6', (rows) => {
      set(rows, 2, '6', 'Ethnicity', 'WBRI - White British');
      set(rows, 3, '6', 'Primary need code', 'N1 - Abuse or neglect');
      set(rows, 4, '6', 'Gender', 'Female');
      set(rows, 2, '6', 'Primary need code', 'N11');
      set(rows, 3, '6', 'Ethnicity', 'Martian');
    });
    expect(codes(r)).toEqual([
      'error:not-in-code-list@2:Primary need code',
      'error:not-in-code-list@3:Ethnicity',
    ]);
  });

  test('Y/N columns take Y or N in any case (and the template forms), nothing else', async () => {
    const r = await check('6', (rows) => {
      set(rows, 2, '6', THEME, 'y');
      set(rows, 3, '6', THEME, 'a) Yes');
      set(rows, 4, '6', THEME, 'Maybe');
    });
    expect(codes(r)).toEqual([`error:not-yn@4:${THEME}`]);
    expect(r.candidates).toEqual(['SYN0001', 'SYN0002']);
  });

  test('a required cell left empty', async () => {
    const r = await check('6', (rows) => set(rows, 3, '6', 'Primary need code', null));
    expect(codes(r)).toEqual(['error:blank@3:Primary need code']);
  });

  test('a lone dash in an optional cell is read as blank, with a warning', async () => {
    const r = await check('6', (rows) => set(rows, 3, '6', 'Reason for closure', '-'));
    expect(codes(r)).toEqual(['warning:dash-for-blank@3:Reason for closure']);
  });
});

describe('date and age rules', () => {
  test('a date in the future, except an expected date of birth', async () => {
    const r = await check('6', (rows) => {
      set(rows, 2, '6', CIN_START, d('2026-03-05'));
      set(rows, 3, '6', 'If unborn: expected date of birth', d('2026-06-01'));
      set(rows, 3, '6', DOB, null);
      set(rows, 3, '6', AGE, null);
    });
    expect(codes(r)).toEqual([`error:date-future@2:${CIN_START}`]);
  });

  test('an end before its start', async () => {
    const r = await check('6', (rows) => set(rows, 2, '6', CLOSURE, d('2025-10-01')));
    expect(codes(r)).toEqual([`error:date-order@2:${CLOSURE}`]);
  });

  test('a start before birth, unless the work began before birth (expected date of birth given)', async () => {
    const r = await check('6', (rows) => {
      set(rows, 2, '6', DOB, d('2025-12-01'));
      set(rows, 2, '6', AGE, 0);
      set(rows, 3, '6', DOB, d('2025-12-01'));
      set(rows, 3, '6', AGE, 0);
      set(rows, 3, '6', 'If unborn: expected date of birth', d('2025-12-04'));
    });
    expect(codes(r)).toEqual([
      `error:before-birth@2:${CIN_START}`,
      'error:before-birth@2:Date child was last seen',
    ]);
  });

  test('an age that contradicts the date of birth at the notification date', async () => {
    const r = await check('6', (rows) => set(rows, 2, '6', AGE, 7));
    expect(codes(r)).toEqual([`error:age-mismatch@2:${AGE}`]);
    expect(r.findings[0]?.message).toMatch(
      /says 7, which does not match the date of birth in this row at the notification date \(02\/03\/2026\)/,
    );
  });

  test('aged 18 or over on an open case; a closed case is fine', async () => {
    const r = await check('6', (rows) => {
      for (const row of [2, 3]) {
        set(rows, row, '6', DOB, d('2007-05-10'));
        set(rows, row, '6', AGE, 18);
      }
      set(rows, 3, '6', CLOSURE, d('2026-01-10'));
      set(rows, 3, '6', 'Reason for closure', 'RC8');
    });
    expect(codes(r)).toEqual([`error:adult-open-case@2:${DOB}`]);
  });
});

describe('a date of birth or an expected date of birth', () => {
  const EDD = 'If unborn: expected date of birth';

  test('a row with neither is one error at the date of birth, naming both columns', async () => {
    const r = await check('6', (rows) => {
      set(rows, 3, '6', DOB, null);
      set(rows, 3, '6', AGE, null);
    });
    expect(codes(r)).toEqual([`error:no-birth-date@3:${DOB}`]);
    expect(r.valid).toBe(false);
    expect(r.findings[0]?.message).toBe(
      `Row 3, column "${DOB}": is empty, and so is "${EDD}". Give the date of birth, or for an unborn child the expected date of birth.`,
    );
  });

  test('either one is enough', async () => {
    const r = await check('4', (rows) => {
      set(rows, 2, '4', DOB, null);
      set(rows, 2, '4', AGE, null);
      set(rows, 2, '4', EDD, d('2026-05-01'));
    });
    expect(r.findings).toEqual([]);
  });

  test('a file without the expected-date column still needs the date of birth, and says which column would do', async () => {
    const r = await check('3', (rows) => {
      rows.forEach((row) => row.splice(col('3', EDD), 1));
      const row2 = rows[1];
      if (row2) row2[col('3', DOB)] = null;
    });
    expect(codes(r)).toEqual([`error:no-birth-date@2:${DOB}`]);
    expect(r.findings[0]?.message).toContain(`"${EDD}"`);
  });

  test('list 8 has no expected date of birth: a blank date of birth is an error', async () => {
    const r = await check('8', (rows) => set(rows, 4, '8', DOB, null));
    expect(codes(r)).toEqual([`error:no-birth-date@4:${DOB}`]);
  });

  test('a dash is a blank (warning) and so still missing; a wrong date is reported as wrong, not as missing', async () => {
    const r = await check('1', (rows) => {
      set(rows, 2, '1', DOB, '-');
      set(rows, 3, '1', DOB, '31/02/2015');
    });
    expect(codes(r)).toEqual([
      `warning:dash-for-blank@2:${DOB}`,
      `error:no-birth-date@2:${DOB}`,
      `error:date-impossible@3:${DOB}`,
    ]);
  });

  test('lists with no date-of-birth column do not ask for one', async () => {
    for (const list of ['yot', 'meetings', 'twenty'] as const) {
      const r = await check(list, () => undefined);
      expect(r.findings).toEqual([]);
    }
  });
});

describe('child ID rules', () => {
  test('an empty or duplicated child ID', async () => {
    const r = await check('6', (rows) => {
      set(rows, 2, '6', ID, null);
      set(rows, 4, '6', ID, 'SYN0002');
    });
    expect(codes(r)).toEqual([`error:child-id-empty@2:${ID}`, `error:duplicate-child-id@4:${ID}`]);
    expect(r.findings[1]?.message).toMatch(/already on row 3/);
    expect(r.findings[1]?.message).not.toMatch(/SYN0002/);
  });

  test('a child may appear more than once on lists of events (contacts)', async () => {
    const r = await check('1', (rows) => set(rows, 3, '1', ID, 'SYN0001'));
    expect(r.findings).toEqual([]);
  });

  test('a name in the ID column is refused without being echoed', async () => {
    const r = await check('6', (rows) => set(rows, 2, '6', ID, 'Jane Doe'));
    expect(codes(r)).toEqual([`error:child-id-name@2:${ID}`]);
    expect(r.findings[0]?.message).not.toMatch(/Jane/);
  });
});

describe('unsafe cells', () => {
  test('formulas and text starting with = + - @ are errors; a negative number typed as a number is not text', async () => {
    const r = await check('6', (rows) => {
      set(rows, 2, '6', 'Allocated team', { formula: 'HYPERLINK("http://x","y")', result: 'y' });
      set(rows, 3, '6', 'Allocated team', '=1+1');
      set(rows, 4, '6', 'Allocated team', '+44 7700');
      set(rows, 4, '6', 'Allocated worker', '@worker');
      set(rows, 3, '6', 'Allocated worker', -5);
      set(rows, 2, '6', 'Allocated worker', '-team');
    });
    expect(codes(r)).toEqual([
      'error:formula@2:Allocated team',
      'error:unsafe-text@2:Allocated worker',
      'error:unsafe-text@3:Allocated team',
      'error:unsafe-text@4:Allocated team',
      'error:unsafe-text@4:Allocated worker',
    ]);
  });

  test('a negative number in a count column is out of range, not unsafe text', async () => {
    const r = await check('7', (rows) => set(rows, 2, '7', 'Number of previous child protection plans', -1));
    expect(codes(r)).toEqual(['error:below-minimum@2:Number of previous child protection plans']);
  });

  test('an Excel error value', async () => {
    const r = await check('6', (rows) => set(rows, 2, '6', 'Allocated team', { error: '#N/A' } as never));
    expect(codes(r)).toEqual(['error:excel-error@2:Allocated team']);
  });
});

describe('layout rules', () => {
  test('blank rows between data are warnings, trailing ones are not reported', async () => {
    const rows = cleanRows('6', 4);
    rows.splice(2, 0, [], []);
    rows.push([], []);
    const p = await writeXlsx(join(dir, 'blank.xlsx'), rows);
    const r = await validateListFile('6', p, OPTS);
    expect(codes(r)).toEqual(['warning:blank-row@3:']);
    expect(r.findings[0]?.message).toMatch(/Rows 3 to 4 are blank/);
    expect(r.rows).toBe(4);
  });

  test('a list on a sheet other than the first is found by its headers, with a warning', async () => {
    const p = await writeXlsx(join(dir, 'second.xlsx'), [
      { name: 'Cover', rows: [['Synthetic test workbook'], ['nothing here']] },
      { name: 'List 6', rows: cleanRows('6', 2) },
    ]);
    const r = await validateListFile('6', p, OPTS);
    expect(codes(r)).toEqual(['warning:other-sheet@1:']);
    expect(r.rows).toBe(2);
  });

  test('title rows above the header', async () => {
    const rows = cleanRows('6', 2);
    rows.unshift(['List 6: children in need (synthetic)'], []);
    const p = await writeXlsx(join(dir, 'title.xlsx'), rows);
    const r = await validateListFile('6', p, OPTS);
    expect(codes(r)).toEqual(['warning:header-row@3:']);
    expect(r.rows).toBe(2);
  });

  test('the YOT list takes up to five children', async () => {
    const r = await check('yot', () => undefined, { rows: 6 });
    expect(codes(r)).toEqual(['warning:too-many-rows@1:']);
    expect(r.candidates).toHaveLength(6);
  });
});

describe('Option B', () => {
  const Q1 = 'Is child sexual abuse in the family environment a current or significant factor? (Y/N)';
  test('the seven answers are required for rows flagged Y only', async () => {
    const r = await check(
      '7',
      (rows) => {
        set(rows, 2, '7', Q1, null, 'B'); // row 2 is SYN0001, flagged Y
        set(rows, 3, '7', Q1, null, 'B'); // SYN0002, not flagged
      },
      { option: 'B' },
    );
    expect(codes(r)).toEqual([`error:blank-when-flagged@2:${Q1}`]);
  });

  test('Option B columns missing from an Option B list are errors', async () => {
    const rows = cleanRows('8', 2, 'A');
    const p = await writeXlsx(join(dir, 'b-missing.xlsx'), rows);
    const r = await validateListFile('8', p, { ...OPTS, option: 'B' });
    expect(r.findings.filter((f) => f.code === 'missing-column')).toHaveLength(7);
  });
});

test('CSV: a wrong date is reported at its spreadsheet row', async () => {
  const header = 'Child unique ID,Child in need (Y/N),Child protection plan (Y/N),Looked after (Y/N)';
  const p = await writeText(join(dir, 'yot.csv'), `${header}\r\nSYN0001,Y,N,N\r\nSYN0002,yes,no,maybe\r\n`);
  const r = await validateListFile('yot', p, OPTS);
  expect(codes(r)).toEqual(['error:not-yn@3:Looked after (Y/N)']);
});

describe('meetings', () => {
  test('times in the usual forms; a planned meeting may be in the future; the meeting types', async () => {
    const r = await check(
      'meetings',
      (rows) => {
        set(rows, 2, 'meetings', 'Time of meeting', '2pm');
        set(rows, 3, 'meetings', 'Time of meeting', '09.30');
        set(rows, 4, 'meetings', 'Time of meeting', new Date(Date.UTC(1899, 11, 30, 14, 30)));
        set(rows, 5, 'meetings', 'Time of meeting', 'TBC');
        set(rows, 2, 'meetings', 'Date of meeting', d('2026-03-10'));
        set(rows, 3, 'meetings', 'Type of meeting', 'LAC review');
        set(rows, 4, 'meetings', 'Type of meeting', 'Lunch');
      },
      { rows: 4 },
    );
    expect(codes(r)).toEqual([
      'error:not-in-code-list@4:Type of meeting',
      'error:time-format@5:Time of meeting',
    ]);
  });
});

test('a list 8 workbook with planted defects gives each at its row and column, and nothing else', async () => {
  const plants: [row: number, header: string, value: CellIn, code: string][] = [
    [5, 'Date started to be looked after', '30/02/2025', 'date-impossible'],
    [9, 'Placement type', 'Z9: Spaceship', 'not-in-code-list'],
    [12, "Child's legal status", '=VLOOKUP(A12,B:B,1)', 'unsafe-text'],
    [17, 'Date ceased to be looked after', d('2024-01-01'), 'date-order'],
    [23, 'Number of Placements in the Last 12 months', 'two', 'not-a-number'],
    [28, THEME, 'Perhaps', 'not-yn'],
    [31, 'Start date of most recent placement', 45231, 'date-serial'],
    [36, 'Placement location', null, 'blank'],
  ];
  const r = await check(
    '8',
    (rows) => {
      for (const [row, header, value] of plants) set(rows, row, '8', header, value);
      set(rows, 40, '8', ID, 'SYN0007');
    },
    { rows: 40 },
  );
  const expected = [
    ...plants.map(([row, header, , code]) => `error:${code}@${row}:${header}`),
    `error:duplicate-child-id@40:${ID}`,
  ];
  expect(codes(r)).toEqual(expected);
  expect(r.rows).toBe(40);
  expect(r.valid).toBe(false);
});
