import type { WorkingDayCalendar } from '../../timeline/calendar';
import { formatUkDateTime } from '../../timeline/format';
import { toIcs } from '../../timeline/ics';
import { buildSchedule, type ScheduledDeliverable } from '../../timeline/schedule';
import { DEFAULT_THEME_ID, themeById } from '../../timeline/themes';
import { PARTY_NAMES, type InspectionOption, type IsoDate } from '../../timeline/types';
import type { InspectionRecord } from '../../workflows/types';
import { iso } from './inspection';

/** The Annex C timeline: every deliverable with its due time, owner and chasing, for `jtai timeline` and the web. */
export function timelineRows(deliverables: readonly ScheduledDeliverable[]) {
  return deliverables.map((d) => ({
    day: d.day,
    dueAt: iso(d.dueAt),
    dueUk: formatUkDateTime(d.dueAt),
    id: d.id,
    owner: d.owner,
    ownerName: PARTY_NAMES[d.owner],
    title: d.title,
    description: d.description,
    ...(d.requires ? { after: d.requires } : {}),
    reminders: d.ladder.map((r) => ({ rung: r.id, to: r.to, at: iso(r.at), atUk: formatUkDateTime(r.at) })),
  }));
}
export type TimelineRow = ReturnType<typeof timelineRows>[number];

/** The deadlines as a calendar file agencies can import into Outlook (one event per deliverable). */
export function timelineIcs(
  calendarName: string,
  notifiedOn: string,
  deliverables: readonly ScheduledDeliverable[],
): string {
  return toIcs(
    calendarName,
    timelineRows(deliverables).map((r) => ({
      uid: `${r.id}-${notifiedOn}@jtai`,
      start: Date.parse(r.dueAt),
      summary: `JTAI: ${r.title} (${r.ownerName})`,
      description: `${r.description}\nDay ${r.day}. Owed by ${r.ownerName}.`,
    })),
  );
}

export interface TimelineView {
  themeId: string;
  option: InspectionOption;
  notifiedOn: IsoDate;
  rows: TimelineRow[];
  /** The same deadlines as an iCalendar file. */
  ics(): string;
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
  return {
    themeId: theme.id,
    option: schedule.option,
    notifiedOn: schedule.notifiedOn,
    rows: timelineRows(schedule.deliverables),
    ics: () => timelineIcs(`JTAI from ${schedule.notifiedOn}`, schedule.notifiedOn, schedule.deliverables),
  };
}

/** A running inspection's deadlines (as they are now, extensions included) as a calendar file. */
export function inspectionIcs(state: InspectionRecord): string {
  return timelineIcs(
    `JTAI ${state.localAuthority} from ${state.notifiedOn}`,
    state.notifiedOn,
    state.deliverables,
  );
}
