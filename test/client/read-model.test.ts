import {
  agencyView,
  coordinatorPage,
  DUE_SOON_MS,
  inspectionView,
  mailProblemLine,
  progressOf,
  trackedChildProgress,
} from '../../src/client/read-model';
import { createCalendar } from '../../src/timeline/calendar';
import { buildSchedule } from '../../src/timeline/schedule';
import { csaFamilyTheme } from '../../src/timeline/themes/csa-family';
import { AGENCIES } from '../../src/timeline/types';
import type { DeliverableState, InspectionState, Submission } from '../../src/workflows/types';
import { CONTACTS } from '../support/harness';

/** The read model on hand-made workflow state: no Temporal, fixed instants (never the real clock). */

const calendar = createCalendar();
const schedule = buildSchedule({ notifiedOn: '2026-11-23', option: 'A', theme: csaFamilyTheme, calendar });
const started = calendar.ukInstant('2026-11-23', '10:00');
const TRACKED = ['SYN0001', 'SYN0002', 'SYN0003', 'SYN0004', 'SYN0005'];

/** State as the workflow holds it at start, then with the tracked children selected. */
function state(): InspectionState {
  return {
    inspectionId: 'inspection-example-2026-11-23',
    localAuthority: 'Example',
    themeId: schedule.themeId,
    option: 'A',
    notifiedOn: schedule.notifiedOn,
    endOfDay: schedule.endOfDay,
    closesAt: schedule.closesAt,
    startedAt: started,
    limits: { maxSelected: 20, tracked: { min: 5, max: 7 } },
    contacts: CONTACTS,
    selection: { twenty: [...TRACKED], tracked: [...TRACKED] },
    candidates: Object.fromEntries(TRACKED.map((id) => [id, ['6']])),
    linkVersions: Object.fromEntries(AGENCIES.map((a) => [a, 1])) as InspectionState['linkVersions'],
    runNonce: 'run-1',
    outbox: [],
    deliverables: schedule.deliverables.map((d): DeliverableState => ({
      ...d,
      originalDueAt: d.dueAt,
      requestedAt: started,
      ladderFrom: started,
      ladderVersion: 1,
      extensions: [],
      submissions: [],
      chaseLog: [],
    })),
  };
}

const byId = (s: InspectionState, id: string) => {
  const d = s.deliverables.find((x) => x.id === id);
  if (!d) throw new Error(`no ${id}`);
  return d;
};
const submission = (over: Partial<Submission>): Submission => ({
  id: `sub-${Math.random()}`,
  agency: 'police',
  at: started + 3_600_000,
  late: false,
  files: [],
  ...over,
});
const file = (code: string) => ({ name: `${code}.pdf`, sha256: 'a'.repeat(64), size: 1, code });

test('progress: due soon is 24 hours before the deadline, received late counts as received', () => {
  const due = calendar.ukInstant('2026-11-25', '17:00');
  expect(progressOf('awaiting', due, due - DUE_SOON_MS - 1)).toBe('awaiting');
  expect(progressOf('awaiting', due, due - DUE_SOON_MS)).toBe('due-soon');
  expect(progressOf('extended', due, due - 1)).toBe('due-soon');
  expect(progressOf('overdue', due, due + 1)).toBe('overdue');
  expect(progressOf('received-late', due, due + 1)).toBe('received');
  expect(progressOf('not-yet-requested', due, due)).toBe('not-yet-requested');
});

test('the inspection view: missing Annex A codes from one rule, counts of children but no child IDs', () => {
  const s = state();
  const annex = byId(s, 'annex-a-documents.police');
  annex.submissions.push(submission({ files: [file('3.1')] }));
  annex.receivedAt = started + 3_600_000;
  const view = inspectionView(s, started);
  const annexView = view.deliverables.find((d) => d.id === 'annex-a-documents.police');
  expect(annexView?.missingDocuments).toEqual(annex.documents.map((d) => d.code).filter((c) => c !== '3.1'));
  expect(view.deliverables.find((d) => d.id === 'list-6')?.missingDocuments).toBeUndefined();
  expect(view).toMatchObject({ tracked: 5, selected: 5, ended: false });
  expect(JSON.stringify(view)).not.toContain('SYN');
});

test("an agency's view holds only its own deliverables, and child IDs only once it owes something per child", () => {
  const s = state();
  const kd = byId(s, 'key-documents.police');
  kd.submissions.push(submission({ childId: 'SYN0002', files: [file('KD1')], note: 'first' }));
  const police = agencyView(s, 'police', started);
  expect(police.items.every((i) => i.view.owner === 'police')).toBe(true);
  expect(police.trackedChildren).toEqual(TRACKED);
  // Police may send an individual evaluation of each tracked child (where possible): it is asked the Annex B questions.
  expect(police.items.find((i) => i.view.id === 'individual-evaluation.police')?.view.status).toBe(
    'optional',
  );
  expect(police.evaluationQuestions).toHaveLength(8);
  expect(agencyView(s, 'partnership', started).optional).toEqual([]);
  const perChild = police.items.find((i) => i.view.id === 'key-documents.police')?.perChild;
  expect(perChild?.map((c) => [c.childId, c.received])).toEqual(TRACKED.map((id) => [id, id === 'SYN0002']));
  expect(perChild?.[1]).toMatchObject({ files: [{ name: 'KD1.pdf', code: 'KD1' }], note: 'first' });

  // Every agency of this theme owes key documents or evaluations per child; before the selection, none sees any.
  const before = { ...s, selection: { twenty: [], tracked: [] } };
  expect(JSON.stringify(agencyView(before, 'probation', started))).not.toContain('SYN');
  expect(JSON.stringify(agencyView(s, 'health', started))).not.toContain('KD1.pdf');
  const partnership = agencyView(s, 'partnership', started);
  expect(partnership.evaluationQuestions).toEqual([...csaFamilyTheme.evaluationQuestions]);
});

test('tracked child progress: each tracked child with every per-child deliverable and what was sent', () => {
  const s = state();
  byId(s, 'key-documents.health').submissions.push(submission({ agency: 'health', childId: 'SYN0003' }));
  byId(s, 'consent').submissions.push(submission({ agency: 'local-authority', childId: 'SYN0003' }));
  const progress = trackedChildProgress(s);
  const perChildIds = s.deliverables.filter((d) => d.perTrackedChild).map((d) => d.id);
  expect(progress.map((p) => p.childId)).toEqual(TRACKED);
  for (const p of progress) expect(p.deliverables.map((d) => d.deliverableId)).toEqual(perChildIds);
  expect(progress.find((p) => p.childId === 'SYN0003')?.received).toBe(2);
  expect(progress.find((p) => p.childId === 'SYN0001')?.received).toBe(0);
  const health = progress[2]?.deliverables.find((d) => d.deliverableId === 'key-documents.health');
  expect(health).toMatchObject({ owner: 'health', ownerName: 'Health', received: true });
});

test("the coordinator's page: counts by progress, links only when given, selection and limits without raw state", () => {
  const s = state();
  byId(s, 'list-6').waived = { at: started, reason: 'Not held' };
  const now = byId(s, 'list-7').dueAt - 60_000;
  const candidates = Object.fromEntries(TRACKED.map((id) => [id, ['6']]));
  const reader = coordinatorPage(s, candidates, now);
  expect(reader.agencies).toEqual([]);
  const total = Object.values(reader.counts).reduce((a, b) => a + b, 0);
  expect(total).toBe(s.deliverables.length);
  expect(reader.counts.waived).toBe(1);
  expect(reader.counts['due-soon']).toBeGreaterThanOrEqual(1);
  expect(reader.open.map((o) => o.id)).not.toContain('list-6');
  expect(reader).toMatchObject({ selection: { tracked: TRACKED }, limits: { maxSelected: 20 } });

  const coordinator = coordinatorPage(s, candidates, now, (agency) => `https://jtai.test/a/${agency}`);
  expect(coordinator.agencies.map((a) => a.url)).toEqual(AGENCIES.map((a) => `https://jtai.test/a/${a}`));
});

test('email that is not getting through: grouped by agency and recipient, failing before given up, cleared by a later email sent to them', () => {
  const s = state();
  const at = (hhmm: string) => calendar.ukInstant('2026-11-23', hhmm);
  const delivery = (key: string, extra: Partial<InspectionState['outbox'][number]>) => ({
    key,
    template: 'request-digest' as const,
    agency: 'police' as const,
    to: 'contact' as const,
    deliverableIds: [],
    queuedAt: at('10:00'),
    attempts: 3,
    status: 'failing' as const,
    ...extra,
  });
  s.outbox = [
    delivery('a', { failingSince: at('10:01'), reason: 'connect ECONNREFUSED' }),
    delivery('b', { failingSince: at('10:05'), reason: 'connect ETIMEDOUT' }),
    delivery('c', {
      agency: 'health',
      status: 'given-up',
      failingSince: at('09:30'),
      reason: '550 no such user',
    }),
    // Given up, then a link sent to the same recipient later: someone fixed it, no longer a problem.
    delivery('d', { agency: 'probation', status: 'given-up', failingSince: at('10:00'), reason: '550' }),
    delivery('e', {
      agency: 'probation',
      template: 'link',
      status: 'sent',
      queuedAt: at('11:00'),
      sentAt: at('11:01'),
    }),
    delivery('f', { agency: 'youth-justice', status: 'sent', sentAt: at('10:02') }),
  ];
  const view = inspectionView(s, at('12:00'));
  expect(view.mailProblems).toEqual([
    expect.objectContaining({
      agency: 'health',
      status: 'given-up',
      waiting: 1,
      sinceUk: expect.stringContaining('09:30'),
    }),
    expect.objectContaining({
      agency: 'police',
      to: 'contact',
      status: 'failing',
      waiting: 2,
      reason: 'connect ETIMEDOUT',
      sinceUk: expect.stringContaining('10:01'),
    }),
  ]);
  expect(view.mailProblems.map(mailProblemLine)).toEqual([
    expect.stringMatching(
      /^to Health \(contact\) given up \(failing since .*09:30\): 550 no such user; 1 email not sent/,
    ),
    expect.stringMatching(
      /^to Police \(contact\) failing since .*10:01: connect ETIMEDOUT; 2 emails waiting$/,
    ),
  ]);
});
