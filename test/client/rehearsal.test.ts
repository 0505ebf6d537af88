import { renderNotice } from '../../src/activities';
import type { Notice } from '../../src/activities/types';
import { parseCommand, startProblems } from '../../src/client/commands';
import {
  agencyView,
  apart,
  debriefCsv,
  debriefOf,
  formatMinutes,
  inspectionView,
  rehearsalTimelineOf,
  type RehearsalContext,
} from '../../src/client/read-model';
import { createCalendar } from '../../src/timeline/calendar';
import { rehearsalSchedule } from '../../src/timeline/rehearsal';
import { csaFamilyTheme } from '../../src/timeline/themes/csa-family';
import { AGENCIES } from '../../src/timeline/types';
import type { DeliverableState, InspectionState, Submission } from '../../src/workflows/types';
import { CONTACTS } from '../support/harness';

/**
 * Rehearsals in the client's pure parts, on hand-made state at fixed instants (never the real clock): the
 * start command, the emails' REHEARSAL, the views' "stands for", the debrief and its CSV.
 */

const calendar = createCalendar();
const MINUTE = 60_000;
// A rehearsal started Monday 23 November 2026 at 13:00, working days of 20 minutes.
const startsAt = calendar.ukInstant('2026-11-23', '13:00');
const { schedule, clock } = rehearsalSchedule({
  startsAt,
  dayMinutes: 20,
  option: 'A',
  theme: csaFamilyTheme,
  calendar,
});
const rehearsal: RehearsalContext = { clock, calendar };
const ID = 'inspection-example-2026-11-23-rehearsal-1';

function state(): InspectionState {
  return {
    inspectionId: ID,
    localAuthority: 'Example',
    themeId: schedule.themeId,
    option: 'A',
    notifiedOn: schedule.notifiedOn,
    endOfDay: schedule.endOfDay,
    closesAt: schedule.closesAt,
    startedAt: startsAt,
    limits: { maxSelected: 20, tracked: { min: 5, max: 7 } },
    contacts: CONTACTS,
    selection: { twenty: [], tracked: [] },
    candidates: {},
    linkVersions: Object.fromEntries(AGENCIES.map((a) => [a, 1])) as InspectionState['linkVersions'],
    runNonce: 'run-1',
    outbox: [],
    deliverables: schedule.deliverables.map((d): DeliverableState => ({
      ...d,
      originalDueAt: d.dueAt,
      ...(d.requires ? {} : { requestedAt: startsAt }),
      ladderFrom: startsAt,
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
const sent = (d: DeliverableState, at: number, agency = d.owner): void => {
  const s: Submission = {
    id: `s-${d.submissions.length}`,
    agency: agency as Submission['agency'],
    at,
    late: at > d.dueAt,
    files: [],
  };
  d.submissions.push(s);
  d.receivedAt = at;
  d.late = s.late;
};

describe('starting a rehearsal', () => {
  const base = { localAuthority: 'Example', option: 'A', contacts: CONTACTS };

  it('takes minutes per day as a number or as form text, fractions included, within bounds', () => {
    expect(parseCommand('start', { ...base, rehearsal: true, dayMinutes: 0.25 }).dayMinutes).toBe(0.25);
    expect(parseCommand('start', { ...base, rehearsal: 'yes', dayMinutes: '20' })).toMatchObject({
      rehearsal: true,
      dayMinutes: 20,
    });
    for (const bad of ['0', '-5', 'abc', '', '481', 0.01])
      expect(() => parseCommand('start', { ...base, rehearsal: true, dayMinutes: bad })).toThrow(
        /a number from 0.1 to 480/,
      );
  });

  it('needs minutes and no date for a rehearsal, a date and no minutes for an inspection', () => {
    const problems = (input: object) =>
      startProblems(parseCommand('start', { ...base, ...input })).map((p) => `${p.field}: ${p.message}`);
    expect(problems({ rehearsal: true, dayMinutes: 20 })).toEqual([]);
    expect(problems({ notifiedOn: '2026-11-23' })).toEqual([]);
    expect(problems({ rehearsal: true })).toEqual([
      'dayMinutes: Choose how many minutes a working day of the rehearsal lasts, for example 20.',
    ]);
    expect(problems({ rehearsal: true, dayMinutes: 20, notifiedOn: '2026-11-23' })).toEqual([
      'notifiedOn: A rehearsal starts now, on the day it is started: leave out the notification date.',
    ]);
    expect(problems({ dayMinutes: 20 })).toEqual([
      'notifiedOn: Enter the notification date.',
      'dayMinutes: Minutes per working day are for a rehearsal only: ask for a rehearsal, or leave them out.',
    ]);
    expect(problems({ rehearsal: 'no', notifiedOn: '2026-11-23' })).toEqual([]);
  });
});

describe("a rehearsal's emails", () => {
  const notice = (over: Partial<Notice>): Notice => ({
    inspectionId: 'inspection-example-2026-11-23',
    localAuthority: 'Example',
    template: 'reminder',
    agency: 'police',
    agencyName: 'Example Police',
    deliverables: [
      { id: 'annex-a-documents.police', title: 'Annex A documents', dueAt: startsAt + 100 * MINUTE },
    ],
    to: ['police@example.org'],
    cc: [],
    messageKey: 'k',
    sentAt: startsAt,
    link: { version: 1, run: 'r', expiresAt: startsAt + 1e9 },
    ...over,
  });
  const TEMPLATES = [
    'request-digest',
    'request-digest-late',
    'request',
    'reminder',
    'escalation-lead',
    'escalation-coordinator',
    'link',
    'delivery-failed',
  ] as const;

  it('say REHEARSAL in every subject and first line, by flag or by id; a real inspection’s never do', () => {
    for (const template of TEMPLATES) {
      for (const marked of [{ rehearsal: true }, { inspectionId: ID }]) {
        const email = renderNotice(notice({ template, ...marked }), 'https://jtai.test/a/x');
        expect(email.subject).toMatch(/^REHEARSAL: /);
        expect(email.text).toMatch(/^REHEARSAL: this is a practice run/);
      }
      const real = renderNotice(notice({ template }), 'https://jtai.test/a/x');
      expect(real.subject).not.toMatch(/REHEARSAL/);
      expect(real.text).not.toMatch(/REHEARSAL/);
    }
  });
});

describe('the views of a rehearsal', () => {
  it('mark it, and say what each time stands for', () => {
    const view = inspectionView(state(), startsAt, rehearsal);
    expect(view.rehearsal).toEqual({
      dayMinutes: 20,
      startsAt: new Date(startsAt).toISOString(),
      startsUk: 'Mon 23 Nov 2026, 13:00',
    });
    const list6 = view.deliverables.find((d) => d.id === 'list-6');
    expect(list6).toMatchObject({
      dueUk: 'Mon 23 Nov 2026, 14:00',
      dueStandsFor: 'day 2, Wed 25 Nov 2026, 15:00',
    });
    // Marked by its id even where its clock is not known; an inspection is not marked.
    expect(inspectionView(state(), startsAt).rehearsal).toEqual({});
    expect(
      inspectionView({ ...state(), inspectionId: 'inspection-example-2026-11-23' }, startsAt).rehearsal,
    ).toBe(undefined);
    expect(agencyView(state(), 'police', startsAt).rehearsal).toBe(true);
  });

  it('list rehearsals apart from inspections', () => {
    const all = [
      { inspectionId: 'a', rehearsal: true as const },
      { inspectionId: 'b' },
      { inspectionId: 'c', rehearsal: true as const },
    ];
    expect(apart(all)).toEqual({ inspections: [all[1]], rehearsals: [all[0], all[2]] });
  });

  it("give the rehearsal's timeline with what each time and rung stands for", () => {
    const timeline = rehearsalTimelineOf({ startsAt, dayMinutes: 20, option: 'B', calendar });
    expect(timeline.rehearsal).toEqual(clock);
    const yot = timeline.rows.find((r) => r.id === 'list-yot');
    expect(yot?.standsFor).toBe('day 2, Wed 25 Nov 2026, 15:00');
    expect(yot?.reminders.map((r) => [r.rung, r.atUk, r.standsFor])).toEqual([
      ['reminder-day-before', 'Mon 23 Nov 2026, 13:22', 'day 1, Tue 24 Nov 2026, 09:00'],
      ['reminder-2h', 'Mon 23 Nov 2026, 13:55', 'day 2, Wed 25 Nov 2026, 13:00'],
      ['escalation-lead', 'Mon 23 Nov 2026, 14:02', 'day 2, Wed 25 Nov 2026, 16:00'],
      ['escalation-coordinator', 'Mon 23 Nov 2026, 14:07', 'day 3, Thu 26 Nov 2026, 09:00'],
    ]);
    // Its calendar file says REHEARSAL and its events never share ids with a real inspection's.
    const ics = timeline.ics();
    expect(ics).toContain('SUMMARY:REHEARSAL JTAI: YOT list');
    expect(ics).toContain(`UID:list-yot-rehearsal-${startsAt}@jtai`);
  });
});

describe('the debrief', () => {
  it('gives each agency and deliverable: on time or how late, refusals, how long the chase took', () => {
    const s = state();
    const yot = byId(s, 'list-yot');
    const nps = byId(s, 'list-nps');
    const list6 = byId(s, 'list-6');
    // On time: the YOT list, 10 minutes after the start. Late: the NPS list, 3 minutes after its 14:00 deadline
    // (day 2 15:00 + 3/20 of a working day: 72 minutes of the week), after a reminder and an escalation.
    sent(yot, startsAt + 10 * MINUTE);
    sent(nps, nps.dueAt + 3 * MINUTE);
    nps.chaseLog.push(
      { rung: 'reminder-2h', kind: 'reminder', to: 'contact', at: nps.dueAt - 5 * MINUTE, messageKey: 'a' },
      {
        rung: 'escalation-lead',
        kind: 'escalation',
        to: 'escalation-lead',
        at: nps.dueAt + 2 * MINUTE,
        messageKey: 'b',
      },
    );
    // List 6 was refused twice before a clean one (as the workflow will count it), then came on time.
    (list6 as DeliverableState & { refusedSubmissions: number }).refusedSubmissions = 2;
    sent(list6, list6.dueAt - MINUTE);
    byId(s, 'list-7').waived = { at: startsAt + 30 * MINUTE, reason: 'Rehearsal: not needed' };
    const now = nps.dueAt + 30 * MINUTE;
    const debrief = debriefOf(s, now, rehearsal);

    const row = (id: string) => debrief.rows.find((r) => r.deliverableId === id);
    expect(row('list-yot')).toMatchObject({
      agency: 'youth-justice',
      agencyName: 'Example YOT',
      outcome: 'received',
      outcomeLabel: 'sent on time',
      chaseMinutes: 10,
      reminders: 0,
      escalations: 0,
    });
    expect(row('list-yot')?.lateMinutes).toBeUndefined();
    expect(row('list-nps')).toMatchObject({
      outcome: 'received-late',
      lateMinutes: 3,
      lateWorkingMinutes: 72,
      dueStandsFor: 'day 2, Wed 25 Nov 2026, 15:00',
      reminders: 1,
      escalations: 1,
      chaseMinutes: 63,
    });
    expect(row('list-nps')?.refusals).toBeUndefined(); // not counted by this state
    expect(row('list-6')).toMatchObject({ outcome: 'received', refusals: 2, accepted: 1 });
    expect(row('list-7')).toMatchObject({ outcome: 'waived', chaseMinutes: 30 });
    expect(row('list-8')).toMatchObject({ outcome: 'overdue', chaseMinutes: 90 });
    // Waiting for the 20 to be selected: never asked for, no chase.
    expect(row('list-twenty')).toMatchObject({ outcome: 'not-yet-requested' });
    expect(row('list-twenty')?.chaseMinutes).toBeUndefined();
    // Only what agencies owe: no lead inspector or CQC milestones; agencies in order.
    expect(debrief.rows.some((r) => r.agency === 'lead-inspector' || r.agency === 'cqc')).toBe(false);
    expect(debrief.rows[0]?.agency).toBe('local-authority');
    expect(debrief.ended).toBe(false);
    expect(debrief.counts.find((c) => c.outcome === 'received')?.count).toBe(2);
    expect(formatMinutes(72)).toBe('1 h 12 min');
    expect(formatMinutes(3)).toBe('3 min');
    expect(formatMinutes(0.5)).toBe('30 s');

    // Once ended, the debrief is drawn up at the end, whenever it is read.
    const ended = { ...s, endedAt: now };
    expect(debriefOf(ended, now + 999 * MINUTE, rehearsal).at).toBe(new Date(now).toISOString());
  });

  it('writes a CSV whose every cell is safe to open in a spreadsheet', () => {
    const s = state();
    s.contacts = {
      ...s.contacts,
      agencies: {
        ...s.contacts.agencies,
        police: { ...s.contacts.agencies.police, name: '=HYPERLINK("x")' },
      },
    };
    const csv = debriefCsv(debriefOf(s, startsAt, rehearsal));
    const lines = csv
      .replace(/^\ufeff/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Agency,Deliverable,Deliverable id,Due (UK time),Stands for (week rehearsed),Outcome,Sent (UK time),Late by (minutes),Late by (working minutes of the week),Refused submissions,Submissions recorded,Reminders,Escalations,Extensions,Chase took (minutes),Chase took (working minutes of the week)',
    );
    expect(lines.length).toBe(1 + debriefOf(s, startsAt).rows.length);
    const police = lines.find((l) => l.includes('annex-a-documents.police'));
    expect(police?.startsWith(`"'=HYPERLINK(""x"")"`)).toBe(true);
    expect(lines.every((l) => !/(^|,)[=+@]/.test(l))).toBe(true);
  });
});
