import { getListSpec, isListId, LIST_IDS, LIST_TITLES, matchCode } from '../../src/lists';
import { matchHeaders } from '../../src/lists/headers';
import { CODE_LISTS, CODE_LIST_NAMES, templateValues } from '../../src/lists/codelists';

test.each([
  ['YN', 'Y', 'Y'],
  ['YN', 'n', 'N'],
  ['YN', 'a) Yes', 'Y'],
  ['YN', 'b) No', 'N'],
  ['YN', 'Maybe', undefined],
  ['YN', 'Unknown', undefined],
  ['YNU', 'c) Unknown', 'U'],
  ['Disability', 'NONE', 'N'],
  ['Disability', 'AUT', 'Y'],
  ['NFA', 'No further action', 'Y'],
  ['Gender', 'a) Male', 'M'],
  ['Gender', 'Female', 'F'],
  ['Gender', '2', 'F'],
  ['Ethnicity', 'WBRI - White British', 'WBRI'],
  ['Ethnicity', 'a) WBRI', 'WBRI'],
  ['Ethnicity', 'WBRI', 'WBRI'],
  ['Ethnicity', 'White British', 'WBRI'],
  ['Ethnicity', 'White - British [WBRI]', 'WBRI'],
  ['Ethnicity', 'WBRI: White British', 'WBRI'],
  ['Ethnicity', 'A1 - White - British', 'WBRI'],
  ['Ethnicity', 't) NOBT', 'NOBT'],
  ['Ethnicity', 's) NOBT', 'NOBT'],
  ['Ethnicity', 'WENG', 'WENG'],
  ['Ethnicity', 'Martian', undefined],
  ['PrimaryNeed', 'N1 - Abuse or neglect', 'N1'],
  ['PrimaryNeed', 'N1 - Abuse or Neglect', 'N1'],
  ['PrimaryNeed', 'N5', 'N5'],
  ['PrimaryNeed', 'N11', undefined],
  ['Source', 'q) 6: Police', '6'],
  ['Source', '6', '6'],
  ['Source', '1A - Family member/relative/carer', '1A'],
  ['Source', 'u) 10: Unknown', '10'],
  ['ReasonClosure', 'RC8 - Case closed after assessment, no further action', 'RC8'],
  ['Abuse', 'Physical abuse', 'PHY'],
  ['Abuse', 'c) Sexual abuse', 'SAB'],
  ['LegalStatus', 'C2: FCO', 'C2'],
  ['LegalStatus', 'E1: Placement order', 'E1'],
  ['ReasonCeased', 'a) E11: Adopted - application unopposed', 'E11'],
  ['ReasonCeased', 'E13', 'E13'],
  ['PlacementType', 'f) U6: Foster placement - not FFA', 'U6'],
  ['Provider', 'e) PR4 - Private provision', 'PR4'],
  ['Provider', 'e) PR4: Private provision', 'PR4'],
  ['PlacementLocation', 'a) In', 'IN'],
  ['PlacementLocation', 'Out of LA', 'OUT'],
  ['MeetingType', 'ICPC', 'ICPC'],
  ['MeetingType', 'Strategy discussion', 'STRAT'],
  ['MeetingType', 'LAC review', 'CICR'],
] as const)('%s accepts %j as %s', (list, value, code) => {
  expect(matchCode(list, value)).toBe(code);
});

test('every template drop-down value is accepted by its own code list', () => {
  for (const name of CODE_LIST_NAMES)
    for (const v of templateValues(name)) expect(matchCode(name, v)).toBeDefined();
  expect(Object.keys(CODE_LISTS)).toHaveLength(CODE_LIST_NAMES.length);
});

test('list ids and titles', () => {
  expect(LIST_IDS).toEqual([
    '1',
    '3',
    '4',
    '5',
    '6',
    '7',
    '8',
    'yot',
    'nps',
    'twenty',
    'meetings',
    'referrals',
  ]);
  for (const id of LIST_IDS) expect(LIST_TITLES[id]).toBeTruthy();
  expect(isListId('6')).toBe(true);
  expect(isListId('2')).toBe(false);
});

test('specifications: the theme column on lists 4 to 8, Option B columns on 6 to 8 only', () => {
  for (const id of LIST_IDS) {
    const a = getListSpec(id, 'A');
    expect(a.columns.some((c) => c.key === 'childId')).toBe(true);
    expect(a.columns.some((c) => c.key === 'theme')).toBe(['4', '5', '6', '7', '8'].includes(id));
    const extra = getListSpec(id, 'B').columns.length - a.columns.length;
    expect(extra).toBe(['6', '7', '8'].includes(id) ? 7 : 0);
  }
  expect(getListSpec('referrals').columns.map((c) => c.header)).toEqual(
    getListSpec('3').columns.map((c) => c.header),
  );
});

test('header matching: every guidance header maps to itself, and each variant to its column', () => {
  for (const id of LIST_IDS) {
    const spec = getListSpec(id, 'B');
    const m = matchHeaders(
      spec,
      spec.columns.map((c) => c.header),
    );
    expect(m.mapped.map((x) => [x.spec.key, x.how])).toEqual(spec.columns.map((c) => [c.key, 'exact']));
    for (const c of spec.columns)
      for (const v of c.variants) {
        const anchor = c.key === 'childId' ? 'Gender' : 'Child unique ID';
        const got = matchHeaders(spec, [anchor, v]).mapped.find((x) => x.index === 1);
        expect([id, v, got?.spec.key]).toEqual([id, v, c.key]);
      }
  }
});

test('the ILACS template headers (reference §2) map without a pattern guess', () => {
  const ilacs8 = [
    'Child Unique ID',
    'Gender',
    'Ethnicity',
    'Date of Birth',
    'Age of Child (Years)',
    'Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)',
    'Does the Child have a Disability',
    'Date Started to be Looked After',
    "Child's Category of Need",
    'Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)',
    'Start date of current legal status',
    "Child's Legal Status",
    'Date of Latest Statutory Review',
    'Date of Last Social Work Visit',
    'What is the permanence plan for this child?',
    'Date of Last IRO Visit / Contact to the Child',
    'Date of Last Health Assessment',
    'Date of Last Dental Check',
    'Number of Placements in the Last 12 months',
    'Date Ceased to be Looked After',
    'Reason Ceased to be Looked After',
    'Start Date of Most Recent Placement',
    'Placement Type',
    'Placement Provider',
    'Placement postcode',
    'URN of Placement',
    'Placement Location',
    'LA of Placement',
    'Number of Episodes the Child has been ‘Missing’ from their Placement in the last 12 months',
    "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
    'Was the child offered a Return Interview after their last missing episode (Y/N)?',
    'Did the child accept a Return Interview after their last missing episode (Y/N)?',
    'Allocated Team',
    'Allocated Worker',
  ];
  const m = matchHeaders(getListSpec('8'), ilacs8);
  expect(m.extras).toEqual([]);
  expect(m.mapped.filter((x) => x.how === 'pattern').map((x) => x.text)).toEqual([]);
  expect(m.missingRequired.map((c) => c.key)).toEqual(['theme']);
});
