/**
 * Code lists as tables. Each entry: the canonical code, its meaning, the value our templates offer in the
 * drop-down, and the other forms real local-authority exports use (see shared/reference/annex-a.md §3).
 * Pure data plus a matcher; no I/O.
 */

export interface CodeEntry {
  /** Canonical code, e.g. `WBRI`, `N1`, `Y`. */
  code: string;
  /** What the code means, in plain words. */
  label: string;
  /** Value offered in template drop-downs (defaults to `code - label`). */
  template?: string;
  /** Whole-value alternatives seen in exports (matched case-, space- and punctuation-insensitively). */
  variants?: string[];
  /** Other codes for the same thing (legacy or system codes), also accepted as a leading token. */
  altCodes?: string[];
}

export interface CodeList {
  name: CodeListName;
  title: string;
  /**
   * When true, a value that starts with a known code followed by a separator and any wording is accepted
   * (`N1 - Abuse or neglect`, `WBRI: White British`, `E11: Adopted ...`). Off for Y/N-style lists.
   */
  codePrefix: boolean;
  entries: CodeEntry[];
}

export const CODE_LIST_NAMES = [
  'YN',
  'YNU',
  'Disability',
  'NFA',
  'SeenAlone',
  'UASC',
  'Gender',
  'Ethnicity',
  'Source',
  'PrimaryNeed',
  'ReasonClosure',
  'CaseStatus',
  'Abuse',
  'LegalStatus',
  'ReasonCeased',
  'PlacementType',
  'Provider',
  'PlacementLocation',
  'Permanence',
  'MeetingType',
] as const;
export type CodeListName = (typeof CODE_LIST_NAMES)[number];

const YES: CodeEntry = {
  code: 'Y',
  label: 'Yes',
  template: 'Y',
  variants: ['Yes', 'a) Yes', '1 - Yes', 'Y - Yes'],
};
const NO: CodeEntry = {
  code: 'N',
  label: 'No',
  template: 'N',
  variants: ['No', 'b) No', '0 - No', 'N - No'],
};
const UNKNOWN: CodeEntry = {
  code: 'U',
  label: 'Unknown',
  template: 'Unknown',
  variants: ['c) Unknown', 'Not known', 'U - Unknown'],
};

const CIN_DISABILITY_CODES = [
  'MOB',
  'HAND',
  'PC',
  'INC',
  'COMM',
  'LD',
  'HEAR',
  'VIS',
  'BEH',
  'CON',
  'AUT',
  'DDA',
];

const ETHNICITY: [code: string, label: string, legacy: string, prefix: string][] = [
  ['WBRI', 'White British', 'A1', 'a'],
  ['WIRI', 'White Irish', 'A2', 'b'],
  ['WIRT', 'Traveller of Irish heritage', 'A4', 'c'],
  ['WOTH', 'Any other White background', 'A3', 'd'],
  ['WROM', 'Gypsy/Roma', 'A5', 'e'],
  ['MWBC', 'White and Black Caribbean', 'B1', 'f'],
  ['MWBA', 'White and Black African', 'B2', 'g'],
  ['MWAS', 'White and Asian', 'B3', 'h'],
  ['MOTH', 'Any other mixed background', 'B4', 'i'],
  ['AIND', 'Indian', 'C1', 'j'],
  ['APKN', 'Pakistani', 'C2', 'k'],
  ['ABAN', 'Bangladeshi', 'C3', 'l'],
  ['AOTH', 'Any other Asian background', 'C4', 'm'],
  ['BCRB', 'Caribbean', 'D1', 'n'],
  ['BAFR', 'African', 'D2', 'o'],
  ['BOTH', 'Any other Black background', 'D3', 'p'],
  ['CHNE', 'Chinese', 'E1', 'q'],
  ['OOTH', 'Any other ethnic group', 'E2', 'r'],
  ['REFU', 'Refused', 'E3', 's'],
  ['NOBT', 'Information not yet obtained', 'E4', 't'],
];
/** Extended (school-census style) codes seen in exports; accepted as codes in their own right. */
const ETHNICITY_EXTENDED =
  'WENG WSCO WWEL WCOR WOWB WEEU WEUR WWEU WALB WBOS WCRO WGRC WGRE WGRK WITA WKOS WPOR WSER WTUC WTUK WTUR WOTW MOTM MWAI MWAO MWAP MWCH MWOE MABL MACH MAOE MBCH MBOE MCOE AAFR AKAO AKPA AMPK ANEP AOPK AOTA ASLT ASNL ASRO BANN BAOF BCON BEUR BGHA BNAM BNGN BOTB BSLN BSOM BSUD CHKC CMAL COCH CSNG CTWN OAFG OARA OEGY OFIL OIRN OIRQ OJPN OKOR OKRD OLAM OLEB OLIB OMAL OMRC OOEG OTHA OVIE OYEM XXXX'.split(
    ' ',
  );

const SOURCE: [code: string, label: string, prefix: string][] = [
  ['1A', 'Individual: family member, relative or carer', 'a'],
  ['1B', 'Individual: acquaintance', 'b'],
  ['1C', 'Individual: self', 'c'],
  ['1D', 'Individual: other', 'd'],
  ['2A', 'Schools', 'e'],
  ['2B', 'Education services', 'f'],
  ['3A', 'Health services: GP', 'g'],
  ['3B', 'Health services: health visitor', 'h'],
  ['3C', 'Health services: school nurse', 'i'],
  ['3D', 'Health services: other primary health', 'j'],
  ['3E', 'Health services: A&E', 'k'],
  ['3F', 'Health services: other', 'l'],
  ['4', 'Housing', 'm'],
  ['5A', 'LA services: social care', 'n'],
  ['5B', 'LA services: other internal department', 'o'],
  ['5C', 'LA services: external', 'p'],
  ['5D', 'LA services: early help', 'p1'],
  ['6', 'Police', 'q'],
  ['7', 'Other legal agency', 'r'],
  ['8', 'Other', 's'],
  ['9', 'Anonymous', 't'],
  ['10', 'Unknown', 'u'],
];
/** Short group names in the template values (`a) 1A: Individual`). */
const SOURCE_GROUP: Record<string, string> = {
  '1': 'Individual',
  '2A': 'Schools',
  '2B': 'Education services',
  '3': 'Health services',
  '4': 'Housing',
  '5': 'LA services',
  '6': 'Police',
  '7': 'Other legal agency',
  '8': 'Other',
  '9': 'Anonymous',
  '10': 'Unknown',
};
function sourceGroup(code: string): string {
  return (
    SOURCE_GROUP[code] ?? SOURCE_GROUP[code.replace(/[A-D]$/, '')] ?? SOURCE_GROUP[code.charAt(0)] ?? code
  );
}

const PRIMARY_NEED: [string, string][] = [
  ['N1', 'Abuse or neglect'],
  ['N2', "Child's disability"],
  ['N3', 'Parental disability or illness'],
  ['N4', 'Family in acute stress'],
  ['N5', 'Family dysfunction'],
  ['N6', 'Socially unacceptable behaviour'],
  ['N7', 'Low income'],
  ['N8', 'Absent parenting'],
  ['N9', 'Cases other than children in need'],
  ['N0', 'Not stated'],
];

const REASON_CLOSURE: [string, string][] = [
  ['RC1', 'Adopted'],
  ['RC2', 'Died'],
  ['RC3', 'Child arrangements order'],
  ['RC4', 'Special guardianship order'],
  ['RC5', 'Transferred to services of another local authority'],
  ['RC6', 'Transferred to adult social care'],
  ['RC7', 'Services ceased for any other reason, including child no longer in need'],
  ['RC8', 'Case closed after assessment, no further action'],
  ['RC9', 'Case closed after assessment, referred to early help'],
];

const LEGAL_STATUS: [string, string][] = [
  ['C1', 'ICO'],
  ['C2', 'FCO'],
  ['D1', 'Freeing order'],
  ['E1', 'Placement order'],
  ['V2', 'Single period under S20'],
  ['V3', 'Short term breaks, episodes recorded'],
  ['V4', 'Short term breaks, agreements recorded'],
  ['L1', 'Police protection LA accommodation'],
  ['L2', 'EPO'],
  ['L3', 'Child assessment order LA accommodation'],
  ['J1', 'Remanded to LA or youth detention'],
  ['J2', 'LA accommodation under PACE'],
  ['J3', 'Youth rehabilitation order'],
];

const REASON_CEASED: [prefix: string, code: string, label: string, alt?: string[]][] = [
  ['a', 'E11', 'Adopted - application unopposed'],
  ['b', 'E12', 'Adopted - consent dispensed'],
  ['c', 'E2', 'Died'],
  ['d', 'E3', 'Care taken by another LA'],
  ['e', 'E4A', 'Returned home to live with parents or relatives - part of planning'],
  ['f', 'E4B', 'Returned home to live with parents or relatives - not part of planning'],
  ['g', 'E13', 'Parents, relatives or other with no parental responsibility'],
  ['h', 'E41', 'Residence order granted'],
  ['i', 'E45', 'Special Guardianship Orders - former carer relative/friend'],
  ['j', 'E46', 'Special Guardianship Orders - former carer other', ['E43']],
  ['k', 'E47', 'Special Guardianship Orders - relative/friend'],
  ['l', 'E48', 'Special Guardianship Orders - other', ['E44']],
  ['m', 'E5', 'Moved into independent living - supported'],
  ['n', 'E6', 'Moved into independent living - no support'],
  ['o', 'E7', 'Transferred to residential care funded by adult social services'],
  ['p', 'E9', 'Sentenced to custody'],
  ['q', 'E14', 'Accommodation on remand ended'],
  ['r', 'E15', 'Age assessment determined child was 18 or over'],
  ['s', 'E16', 'Child moved abroad'],
  ['t', 'E8', 'Care ceased for any other reason'],
  ['u', 'X1', 'CodeError'],
  ['v', 'E17', 'Aged 18+ and remained with current carers'],
];

const PLACEMENT_TYPE: [prefix: string, code: string, label: string][] = [
  ['a', 'U1', 'Foster placement - relatives - long term'],
  ['b', 'U2', 'Foster placement - relative - FFA'],
  ['c', 'U3', 'Foster placement - relative - not FFA'],
  ['d', 'U4', 'Foster placement - long term'],
  ['e', 'U5', 'Foster placement - FFA'],
  ['f', 'U6', 'Foster placement - not FFA'],
  ['g', 'A3', 'Placed for adoption - consent - current foster'],
  ['h', 'A4', 'Placed for adoption - consent - not foster'],
  ['i', 'A5', 'Placed for adoption - order - foster'],
  ['j', 'A6', 'Placed for adoption - order - not foster'],
  ['k', 'P1', 'Placed with parents'],
  ['l', 'P2', 'Independent living'],
  ['m', 'P3', 'Residential employment'],
  ['n', 'H5', 'Residential accommodation'],
  ['o', 'K1', "Secure Children's Homes"],
  ['p', 'K2', "Children's Homes"],
  ['q', 'R1', 'Residential Care Home'],
  ['r', 'R2', 'NHS/Health Trust'],
  ['s', 'R3', 'Family Centre or Mother and Baby Unit'],
  ['t', 'R5', 'Young Offender Institution'],
  ['u', 'S1', 'Residential school'],
  ['v', 'Z1', 'Other placements'],
  ['w', 'T0', 'Temporary placement'],
  ['x', 'T1', 'Temporary placement - hospital'],
  ['y', 'T2', 'Temporary placement - holiday'],
  ['z', 'T3', 'Temporary placement - carer holiday'],
  ['zz', 'T4', 'Temporary placement - seven days or less'],
];

const PROVIDER: [prefix: string, code: string, label: string][] = [
  ['a', 'PR0', 'Parents/Parental responsibility'],
  ['b', 'PR1', 'Own provision'],
  ['c', 'PR2', 'Other LA provision'],
  ['d', 'PR3', 'Other public provision'],
  ['e', 'PR4', 'Private provision'],
  ['f', 'PR5', 'Voluntary/third sector'],
];

const PERMANENCE: [prefix: string, code: string, label: string, variants: string[]][] = [
  ['a', 'RETURN', 'Return to family', ['Remain with birth parents', 'Reunification']],
  ['b', 'ADOPTION', 'Adoption', ['Fostering for adoption']],
  [
    'c',
    'SGO',
    'SGO/CAO',
    ['Special guardianship order', 'Child arrangements order', 'Long term fostering/SGO'],
  ],
  ['d', 'SUPPORTED', 'Supported living in the community', ['Independent living']],
  ['e', 'RESIDENTIAL', 'Long-term residential placement', []],
  ['f', 'FOSTERING', 'Long-term fostering', ['Long term fostering']],
  ['g', 'OTHER', 'Other', ['Parallel plan', 'Concurrent planning']],
];

const list = (name: CodeListName, title: string, codePrefix: boolean, entries: CodeEntry[]): CodeList => ({
  name,
  title,
  codePrefix,
  entries,
});

export const CODE_LISTS: Record<CodeListName, CodeList> = {
  YN: list('YN', 'Y or N', false, [YES, NO]),
  YNU: list('YNU', 'Y, N or Unknown', false, [YES, NO, UNKNOWN]),
  Disability: list('Disability', 'Y, N or Unknown (CIN census disability codes accepted)', false, [
    { ...YES, variants: [...(YES.variants ?? []), ...CIN_DISABILITY_CODES, 'Autism'] },
    { ...NO, variants: [...(NO.variants ?? []), 'NONE', 'No disability'] },
    { ...UNKNOWN, variants: [...(UNKNOWN.variants ?? []), 'NOBT', 'REFU', 'Refused'] },
  ]),
  NFA: list('NFA', 'Y (no further action) or N', false, [
    { ...YES, variants: [...(YES.variants ?? []), 'NFA', 'No further action'] },
    { ...NO, variants: [...(NO.variants ?? []), 'FA', 'Further action'] },
  ]),
  SeenAlone: list('SeenAlone', 'Y, N or Unknown', false, [
    { ...YES, variants: [...(YES.variants ?? []), 'Seen alone'] },
    { ...NO, variants: [...(NO.variants ?? []), 'Not seen alone'] },
    { ...UNKNOWN, variants: [...(UNKNOWN.variants ?? []), 'Child not seen'] },
  ]),
  UASC: list('UASC', 'Y or N', false, [
    { ...YES, variants: [...(YES.variants ?? []), 'UASC'] },
    { ...NO, variants: [...(NO.variants ?? []), 'Non-UASC'] },
  ]),
  Gender: list('Gender', 'Gender', false, [
    { code: 'M', label: 'Male', template: 'a) Male', variants: ['1', '1 - Male', 'M - Male', 'Boy'] },
    {
      code: 'F',
      label: 'Female',
      template: 'b) Female',
      variants: ['2', '2 - Female', 'F - Female', 'Girl'],
    },
    {
      code: 'U',
      label: 'Not stated/recorded',
      template: 'c) Not stated/recorded',
      variants: ['0', 'U', 'Unborn', 'Unknown', 'Not stated', 'Not recorded', 'Not specified', 'Withheld'],
    },
    {
      code: 'I',
      label: 'Neither',
      template: 'd) Neither',
      variants: ['9', 'I', 'Indeterminate', 'Non-binary', 'Other'],
    },
  ]),
  Ethnicity: list('Ethnicity', 'Ethnicity (DfE codes)', true, [
    ...ETHNICITY.map(([code, label, legacy, prefix]) => ({
      code,
      label,
      template: `${prefix}) ${code}`,
      variants: [label, `${code} - ${label}`],
      altCodes: [legacy],
    })),
    { code: 'UNKNOWN', label: 'Unknown', template: 'u) UNKNOWN', variants: ['Not known'], altCodes: ['E5'] },
    ...ETHNICITY_EXTENDED.map((code) => ({ code, label: code })),
  ]),
  Source: list('Source', 'Contact or referral source (CIN census codes)', true, [
    ...SOURCE.map(([code, label, prefix]) => ({
      code,
      label,
      template: `${prefix}) ${code}: ${sourceGroup(code)}`,
    })),
  ]),
  PrimaryNeed: list('PrimaryNeed', 'Category of need (N0 to N9)', true, [
    ...PRIMARY_NEED.map(([code, label]) => ({ code, label, template: `${code} - ${label}` })),
  ]),
  ReasonClosure: list('ReasonClosure', 'Reason for closure (RC1 to RC9)', true, [
    ...REASON_CLOSURE.map(([code, label]) => ({ code, label, template: `${code} - ${label}` })),
  ]),
  CaseStatus: list('CaseStatus', 'Case status', false, [
    {
      code: 'CLA',
      label: 'Looked after child',
      template: 'a) Looked after child',
      variants: ['CLA', 'LAC', 'Child looked after', 'Looked after'],
    },
    {
      code: 'CPP',
      label: 'Child Protection plan',
      template: 'b) Child Protection plan',
      variants: ['CP', 'CPP', 'Child protection'],
    },
    {
      code: 'CIN',
      label: 'Child in need plan',
      template: 'c) Child in need plan',
      variants: ['CIN', 'CiN Plan', 'Child in need'],
    },
    {
      code: 'ASMT',
      label: 'Open assessment',
      template: 'd) Open assessment',
      variants: ['Open asmt', 'Assessment'],
    },
    {
      code: 'CLOSED',
      label: 'Closed episode',
      template: 'e) Closed episode',
      variants: ['Closed', 'Care leaver'],
    },
  ]),
  Abuse: list('Abuse', 'Category of abuse', true, [
    { code: 'NEG', label: 'Neglect', template: 'a) Neglect' },
    { code: 'PHY', label: 'Physical abuse', template: 'b) Physical abuse', variants: ['Physical'] },
    { code: 'SAB', label: 'Sexual abuse', template: 'c) Sexual abuse', variants: ['Sexual'] },
    { code: 'EMO', label: 'Emotional abuse', template: 'd) Emotional abuse', variants: ['Emotional'] },
    {
      code: 'MUL',
      label: 'Multiple/not recommended',
      template: 'e) Multiple/not recommended',
      variants: ['Multiple', 'Multiple categories'],
    },
  ]),
  LegalStatus: list('LegalStatus', "Child's legal status (SSDA903 codes)", true, [
    ...LEGAL_STATUS.map(([code, label]) => ({ code, label, template: `${code}: ${label}` })),
    { code: 'V1', label: 'Short term breaks (older code)', template: 'V1: Short term breaks' },
  ]),
  ReasonCeased: list('ReasonCeased', 'Reason ceased to be looked after (SSDA903 codes)', true, [
    ...REASON_CEASED.map(([prefix, code, label, alt]) => ({
      code,
      label,
      template: `${prefix}) ${code}: ${label}`,
      ...(alt ? { altCodes: alt } : {}),
    })),
  ]),
  PlacementType: list('PlacementType', 'Placement type (SSDA903 codes)', true, [
    ...PLACEMENT_TYPE.map(([prefix, code, label]) => ({
      code,
      label,
      template: `${prefix}) ${code}: ${label}`,
    })),
  ]),
  Provider: list('Provider', 'Placement provider (PR0 to PR5)', true, [
    ...PROVIDER.map(([prefix, code, label]) => ({ code, label, template: `${prefix}) ${code}: ${label}` })),
  ]),
  PlacementLocation: list('PlacementLocation', 'In or out of the local authority area', false, [
    {
      code: 'IN',
      label: 'In',
      template: 'a) In',
      variants: ['In borough', 'Inside LA boundary', 'In area', 'Inside'],
    },
    {
      code: 'OUT',
      label: 'Out',
      template: 'b) Out',
      variants: ['Out of borough', 'Out of LA', 'Outside LA boundary', 'Out of area', 'Outside'],
    },
  ]),
  Permanence: list('Permanence', 'Permanence plan', false, [
    ...PERMANENCE.map(([prefix, code, label, variants]) => ({
      code,
      label,
      template: `${prefix}) ${label}`,
      variants,
    })),
  ]),
  MeetingType: list('MeetingType', 'Type of meeting', false, [
    {
      code: 'ICPC',
      label: 'Initial child protection conference',
      template: 'Initial child protection conference',
      variants: ['ICPC', 'Initial conference', 'Initial CP conference'],
    },
    {
      code: 'RCPC',
      label: 'Review child protection conference',
      template: 'Review child protection conference',
      variants: [
        'RCPC',
        'Review conference',
        'Review CP conference',
        'Child protection review conference',
        'CP review',
      ],
    },
    {
      code: 'CICR',
      label: 'Children in care review',
      template: 'Children in care review',
      variants: [
        'CIC review',
        'LAC review',
        'CLA review',
        'Looked after review',
        'Child in care review',
        'Looked after child review',
      ],
    },
    {
      code: 'STRAT',
      label: 'Strategy discussion',
      template: 'Strategy discussion',
      variants: ['Strategy meeting', 'Strategy'],
    },
    {
      code: 'OTHER',
      label: 'Other',
      template: 'Other',
      variants: ['Other planning or review meeting', 'Other meeting'],
    },
  ]),
};

/** Lower case, straight quotes and dashes, single spaces. */
export function normaliseValue(s: string): string {
  return s
    .replace(/[\u2018\u2019\u201b\u2032`]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** A looser form for whole-value comparison: letters and digits only. */
function squash(s: string): string {
  return normaliseValue(s).replace(/[^a-z0-9]+/g, '');
}

const LETTER_PREFIX = /^[a-z]{1,2}\d?\)\s*/;
const LEADING_TOKEN = /^\(?([a-z0-9]+)\)?(?:\s*[-:.–]\s*|\s+)(.*)$/;
const BRACKET_SUFFIX = /[[(]([a-z0-9]+)[\])]\s*$/;

interface Matcher {
  whole: Map<string, string>;
  codes: Map<string, string>;
  cache: Map<string, string | null>;
}
const matchers = new Map<CodeListName, Matcher>();

function matcherFor(name: CodeListName): Matcher {
  let m = matchers.get(name);
  if (m) return m;
  const cl = CODE_LISTS[name];
  const whole = new Map<string, string>();
  const codes = new Map<string, string>();
  for (const e of cl.entries) {
    const forms = [e.code, e.label, e.template ?? '', ...(e.variants ?? [])];
    forms.push(`${e.code} - ${e.label}`, `${e.code}: ${e.label}`, `${e.code} ${e.label}`);
    for (const f of forms) {
      if (!f) continue;
      const k = squash(f);
      if (k && !whole.has(k)) whole.set(k, e.code);
      const stripped = squash(normaliseValue(f).replace(LETTER_PREFIX, ''));
      if (stripped && !whole.has(stripped)) whole.set(stripped, e.code);
    }
    codes.set(e.code.toLowerCase(), e.code);
    for (const a of e.altCodes ?? []) codes.set(a.toLowerCase(), e.code);
  }
  m = { whole, codes, cache: new Map() };
  matchers.set(name, m);
  return m;
}

/** The canonical code a cell value stands for, or undefined when it is not in the list. */
export function matchCode(name: CodeListName, value: string): string | undefined {
  const m = matcherFor(name);
  const cached = m.cache.get(value);
  if (cached !== undefined) return cached ?? undefined;
  const found = lookup(name, m, value);
  if (m.cache.size < 10_000) m.cache.set(value, found ?? null);
  return found;
}

function lookup(name: CodeListName, m: Matcher, value: string): string | undefined {
  const n = normaliseValue(value);
  if (!n) return undefined;
  const direct = m.whole.get(squash(n));
  if (direct) return direct;
  const stripped = n.replace(LETTER_PREFIX, '');
  const afterPrefix = m.whole.get(squash(stripped));
  if (afterPrefix) return afterPrefix;
  if (!CODE_LISTS[name].codePrefix) return undefined;
  for (const candidate of [n, stripped]) {
    const code = m.codes.get(candidate);
    if (code) return code;
    const t = LEADING_TOKEN.exec(candidate);
    if (t?.[1]) {
      const c = m.codes.get(t[1]);
      if (c) return c;
    }
    const b = BRACKET_SUFFIX.exec(candidate);
    if (b?.[1]) {
      const c = m.codes.get(b[1]);
      if (c) return c;
    }
  }
  return undefined;
}

/** Values to offer in a template drop-down, in order. */
export function templateValues(name: CodeListName): string[] {
  return CODE_LISTS[name].entries
    .filter((e) => e.label !== e.code || !CODE_LISTS[name].codePrefix)
    .map((e) => e.template ?? `${e.code} - ${e.label}`);
}
