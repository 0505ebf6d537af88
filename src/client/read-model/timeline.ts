import type { WorkingDayCalendar } from '../../timeline/calendar';
import { formatUkDateTime, iso } from '../../timeline/format';
import { toIcs } from '../../timeline/ics';
import { rehearsalSchedule, standsFor, type RehearsalClock } from '../../timeline/rehearsal';
import { buildSchedule, type InspectionSchedule, type ScheduledDeliverable } from '../../timeline/schedule';
import type { Instant } from '../../timeline/types';
import { DEFAULT_THEME_ID, themeById } from '../../timeline/themes';
import { PARTY_NAMES, type InspectionOption, type IsoDate } from '../../timeline/types';
import type { InspectionRecord } from '../../workflows/types';
import { isRehearsal } from './rehearsal';

/**
 * The Annex C timeline: every deliverable with its due time, owner and chasing, for `jtai timeline` and the web.
 * With `standsForOf` (a rehearsal), each time also says what it stands for in the week rehearsed.
 */
export function timelineRows(
  deliverables: readonly ScheduledDeliverable[],
  standsForOf?: (at: Instant) => string,
) {
  const label = (at: Instant) => (standsForOf ? { standsFor: standsForOf(at) } : {});
  return deliverables.map((d) => ({
    day: d.day,
    dueAt: iso(d.dueAt),
    dueUk: formatUkDateTime(d.dueAt),
    ...label(d.dueAt),
    id: d.id,
    owner: d.owner,
    ownerName: PARTY_NAMES[d.owner],
    title: d.title,
    description: d.description,
    ...(d.requires ? { after: d.requires } : {}),
    reminders: d.ladder.map((r) => ({
      rung: r.id,
      to: r.to,
      at: iso(r.at),
      atUk: formatUkDateTime(r.at),
      ...label(r.at),
    })),
  }));
}
export type TimelineRow = ReturnType<typeof timelineRows>[number];

/**
 * The deadlines as a calendar file agencies can import into Outlook (one event per deliverable). `key` makes
 * the events' ids: the notification date, or a rehearsal's own key, so a rehearsal's events never replace a
 * real inspection's; a rehearsal's events say REHEARSAL.
 */
export function timelineIcs(
  calendarName: string,
  key: string,
  deliverables: readonly ScheduledDeliverable[],
  rehearsal = false,
): string {
  const prefix = rehearsal ? 'REHEARSAL ' : '';
  return toIcs(
    `${prefix}${calendarName}`,
    timelineRows(deliverables).map((r) => ({
      uid: `${r.id}-${key}@jtai`,
      start: Date.parse(r.dueAt),
      summary: `${prefix}JTAI: ${r.title} (${r.ownerName})`,
      description: `${r.description}\nDay ${r.day}. Owed by ${r.ownerName}.`,
    })),
  );
}

export interface TimelineView {
  themeId: string;
  option: InspectionOption;
  notifiedOn: IsoDate;
  rows: TimelineRow[];
  /** The close: after it the inspection's data side is over. */
  closesAt: Instant;
  /** A rehearsal's compressed clock (its `notifiedOn` is the week rehearsed's day 0). */
  rehearsal?: RehearsalClock;
  /** The same deadlines as an iCalendar file. */
  ics(): string;
}

function viewOf(
  themeId: string,
  schedule: InspectionSchedule,
  name: string,
  rehearsal?: { clock: RehearsalClock; calendar: WorkingDayCalendar },
): TimelineView {
  return {
    themeId,
    option: schedule.option,
    notifiedOn: schedule.notifiedOn,
    rows: timelineRows(
      schedule.deliverables,
      rehearsal ? (at) => standsFor(rehearsal.clock, rehearsal.calendar, at) : undefined,
    ),
    closesAt: schedule.closesAt,
    ...(rehearsal ? { rehearsal: rehearsal.clock } : {}),
    ics: () =>
      rehearsal
        ? timelineIcs(name, `rehearsal-${rehearsal.clock.startsAt}`, schedule.deliverables, true)
        : timelineIcs(name, schedule.notifiedOn, schedule.deliverables),
  };
}

/**
 * The timeline a notification date would give, before any inspection is started (`jtai timeline`, the
 * timeline page). Throws with a message a person can act on when the date is not a working day.
 */
export function timelineOf(input: {
  notifiedOn: IsoDate;
  option: InspectionOption;
  themeId?: string;
  calendar: WorkingDayCalendar;
}): TimelineView {
  const theme = themeById(input.themeId ?? DEFAULT_THEME_ID);
  const schedule = buildSchedule({ ...input, theme });
  return viewOf(theme.id, schedule, `JTAI from ${schedule.notifiedOn}`);
}

/**
 * The timeline of a rehearsal starting at `startsAt` with working days of `dayMinutes`: the week from that day,
 * every instant on the compressed clock, each saying what it stands for.
 */
export function rehearsalTimelineOf(input: {
  startsAt: Instant;
  dayMinutes: number;
  option: InspectionOption;
  themeId?: string;
  calendar: WorkingDayCalendar;
}): TimelineView {
  const theme = themeById(input.themeId ?? DEFAULT_THEME_ID);
  const { schedule, clock } = rehearsalSchedule({ ...input, theme });
  return viewOf(theme.id, schedule, `JTAI from ${formatUkDateTime(clock.startsAt)}`, {
    clock,
    calendar: input.calendar,
  });
}

/** A running inspection's deadlines (as they are now, extensions included) as a calendar file. */
export function inspectionIcs(state: InspectionRecord): string {
  const rehearsal = isRehearsal(state);
  return timelineIcs(
    `JTAI ${state.localAuthority} from ${state.notifiedOn}`,
    rehearsal ? state.inspectionId : state.notifiedOn,
    state.deliverables,
    rehearsal,
  );
}
