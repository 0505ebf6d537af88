import type { WorkingDayCalendar } from './calendar';
import {
  deliverablesFor,
  documentsFor,
  type DocumentItem,
  type DueRule,
  type Theme,
  type TwentyQuestion,
} from './theme';
import type { DeliverableKind, Instant, InspectionOption, IsoDate, Party, WallTime } from './types';
import { INSPECTORATES } from './types';

/**
 * The deadline schedule of one inspection: every deliverable's due instant and its chasing ladder,
 * computed once from notification date, option, theme and calendar, then carried by the workflow as
 * UTC instants (so later changes to bank-holiday data or theme files cannot change a running inspection).
 */

/** Who a rung of the ladder writes to. */
export type Recipient = 'contact' | 'escalation-lead' | 'coordinator';

export type RungRule =
  | { workingDaysBefore: number; at: WallTime }
  | { hoursBefore: number }
  | { hoursAfter: number }
  | { nextWorkingDayAt: WallTime };

export interface RungDefinition {
  id: string;
  kind: 'reminder' | 'escalation';
  to: Recipient;
  rule: RungRule;
}

/**
 * The reminder and escalation ladder, as data. `buildSchedule` and `chaseLadder` take one; every caller today
 * passes DEFAULT_CHASING_POLICY (no setting chooses another), so all inspections are chased alike.
 */
export interface ChasingPolicy {
  rungs: readonly RungDefinition[];
  /** A rung moved into working hours never lands within this many minutes after the one before it. */
  minGapMinutes: number;
}

export const DEFAULT_CHASING_POLICY: ChasingPolicy = {
  rungs: [
    {
      id: 'reminder-day-before',
      kind: 'reminder',
      to: 'contact',
      rule: { workingDaysBefore: 1, at: '09:00' },
    },
    { id: 'reminder-2h', kind: 'reminder', to: 'contact', rule: { hoursBefore: 2 } },
    { id: 'escalation-lead', kind: 'escalation', to: 'escalation-lead', rule: { hoursAfter: 1 } },
    {
      id: 'escalation-coordinator',
      kind: 'escalation',
      to: 'coordinator',
      rule: { nextWorkingDayAt: '09:00' },
    },
  ],
  minGapMinutes: 60,
};

export interface Rung {
  id: string;
  kind: 'reminder' | 'escalation';
  to: Recipient;
  at: Instant;
}

export interface ScheduledDeliverable {
  /** `key` when the deliverable has one owner, `key.owner` when several agencies each owe it. */
  id: string;
  key: string;
  title: string;
  description: string;
  kind: DeliverableKind;
  owner: Party;
  day: number;
  dueAt: Instant;
  /** Key of the deliverable that must be received before this one is asked for. */
  requires?: string;
  list?: string;
  documents: DocumentItem[];
  perTrackedChild: boolean;
  /** Optional (see DeliverableDefinition.optional): never chased or overdue; absent before it existed. */
  optional?: boolean;
  /** Agencies are chased; inspectorate milestones and optional deliverables are never chased. */
  chase: boolean;
  ladder: Rung[];
  source: string;
}

export interface InspectionSchedule {
  themeId: string;
  option: InspectionOption;
  notifiedOn: IsoDate;
  endOfDay: WallTime;
  deliverables: ScheduledDeliverable[];
  /** After this instant the inspection's data side is over and the workflow completes. */
  closesAt: Instant;
  /**
   * A rehearsal's compressed clock (src/timeline/rehearsal.ts): every instant above is on it, and day 0
   * (`notifiedOn`) at 09:00 is `startsAt`. Absent for an inspection.
   */
  rehearsal?: { startsAt: Instant; dayMinutes: number };
  /**
   * Option A, when the theme says which agencies hold some of the 20-case answers: each agency's questions and
   * the due time of its answers (with its chasing ladder), carried here so the workflow never reads theme files.
   */
  twentyAnswers?: TwentyAnswersSchedule;
}

export interface TwentyAnswersSchedule {
  questions: TwentyQuestion[];
  day: number;
  dueAt: Instant;
  ladder: Rung[];
}

const HOUR = 3_600_000;
/** Working days after the last deadline at which the workflow closes. */
const CLOSE_AFTER_WORKING_DAYS = 10;

export function deliverableId(key: string, owner: Party, ownerCount: number): string {
  return ownerCount > 1 ? `${key}.${owner}` : key;
}

export function buildSchedule(input: {
  notifiedOn: IsoDate;
  option: InspectionOption;
  theme: Theme;
  calendar: WorkingDayCalendar;
  policy?: ChasingPolicy;
  /** Option A: when the agencies' answers for the 20 are due, if not the theme's time (default 14:00 day 3). */
  twentyAnswersDue?: DueRule;
}): InspectionSchedule {
  const { notifiedOn, option, theme, calendar } = input;
  const policy = input.policy ?? DEFAULT_CHASING_POLICY;
  if (!calendar.isWorkingDay(notifiedOn)) {
    throw new Error(
      `The notification date ${notifiedOn} is not a working day (${calendar.nonWorkingReason(notifiedOn)}): JTAI notifications come on a working day, normally a Monday.`,
    );
  }
  const deliverables: ScheduledDeliverable[] = [];
  for (const definition of deliverablesFor(theme, option)) {
    const date = calendar.addWorkingDays(notifiedOn, definition.due.day);
    const dueAt = calendar.ukInstant(date, definition.due.time ?? calendar.settings.endOfDay);
    for (const owner of definition.owners) {
      const chase = !(INSPECTORATES as readonly string[]).includes(owner) && !definition.optional;
      deliverables.push({
        id: deliverableId(definition.key, owner, definition.owners.length),
        key: definition.key,
        title: definition.title,
        description: definition.description,
        kind: definition.kind,
        owner,
        day: definition.due.day,
        dueAt,
        ...(definition.requires ? { requires: definition.requires } : {}),
        ...(definition.list ? { list: definition.list } : {}),
        documents: [...documentsFor(definition, owner)],
        perTrackedChild: definition.perTrackedChild ?? false,
        ...(definition.optional ? { optional: true } : {}),
        chase,
        ladder: chase ? chaseLadder(dueAt, calendar, policy) : [],
        source: definition.source,
      });
    }
  }
  deliverables.sort((a, b) => a.dueAt - b.dueAt);
  const lastDue = Math.max(...deliverables.map((d) => d.dueAt));
  const closesAt = calendar.ukInstant(
    calendar.addWorkingDays(calendar.ukDate(lastDue), CLOSE_AFTER_WORKING_DAYS),
    calendar.settings.endOfDay,
  );
  const twentyAnswers =
    option === 'A' && theme.twentyAnswers
      ? twentyAnswersSchedule(input, input.twentyAnswersDue ?? theme.twentyAnswers.due, deliverables, policy)
      : undefined;
  return {
    themeId: theme.id,
    option,
    notifiedOn,
    endOfDay: calendar.settings.endOfDay,
    deliverables,
    closesAt,
    ...(twentyAnswers ? { twentyAnswers } : {}),
  };
}

/** The agencies' answers for the 20: due after the selection and before the local authority's return. */
function twentyAnswersSchedule(
  input: { notifiedOn: IsoDate; theme: Theme; calendar: WorkingDayCalendar },
  due: DueRule,
  deliverables: ScheduledDeliverable[],
  policy: ChasingPolicy,
): TwentyAnswersSchedule | undefined {
  const { calendar, theme } = input;
  const questions = theme.twentyAnswers?.questions ?? [];
  if (questions.length === 0) return undefined;
  const dueAt = calendar.ukInstant(
    calendar.addWorkingDays(input.notifiedOn, due.day),
    due.time ?? calendar.settings.endOfDay,
  );
  const ret = deliverables.find((d) => d.list === 'twenty');
  const selection = ret?.requires ? deliverables.find((d) => d.key === ret.requires) : undefined;
  if ((selection && dueAt <= selection.dueAt) || (ret && dueAt >= ret.dueAt))
    throw new Error(
      "The agencies' answers for the 20 children must be due after the lead inspector's selection and before the local authority's return.",
    );
  return { questions: [...questions], day: due.day, dueAt, ladder: chaseLadder(dueAt, calendar, policy) };
}

/** Is `at` inside working hours, counting the end of the working day itself as inside (17:00 deadlines). */
function withinWorkingDay(at: Instant, calendar: WorkingDayCalendar): boolean {
  const date = calendar.ukDate(at);
  return (
    calendar.isWorkingDay(date) &&
    at >= calendar.ukInstant(date, calendar.settings.workingHours.start) &&
    at <= calendar.ukInstant(date, calendar.settings.workingHours.end)
  );
}

/**
 * The reminder and escalation instants of a deadline. Emails go out in working hours unless the
 * deadline itself is outside them; a reminder that cannot land before its deadline is dropped, and
 * rungs keep their order with at least `minGapMinutes` between them.
 */
export function chaseLadder(dueAt: Instant, calendar: WorkingDayCalendar, policy: ChasingPolicy): Rung[] {
  const dueDate = calendar.ukDate(dueAt);
  const keepInHours = withinWorkingDay(dueAt, calendar);
  const ladder: Rung[] = [];
  for (const rung of policy.rungs) {
    let at = rawRungInstant(rung.rule, dueAt, dueDate, calendar);
    if (keepInHours && !calendar.isInWorkingHours(at)) at = calendar.nextWorkingHoursStart(at);
    const previous = ladder[ladder.length - 1];
    if (previous && at < previous.at + policy.minGapMinutes * 60_000) {
      at = previous.at + policy.minGapMinutes * 60_000;
      if (keepInHours && !calendar.isInWorkingHours(at)) at = calendar.nextWorkingHoursStart(at);
    }
    if (rung.kind === 'reminder' && at >= dueAt) continue;
    if (rung.kind === 'escalation' && at <= dueAt) continue;
    ladder.push({ id: rung.id, kind: rung.kind, to: rung.to, at });
  }
  return ladder;
}

function rawRungInstant(
  rule: RungRule,
  dueAt: Instant,
  dueDate: IsoDate,
  calendar: WorkingDayCalendar,
): Instant {
  if ('workingDaysBefore' in rule)
    return calendar.ukInstant(calendar.addWorkingDays(dueDate, -rule.workingDaysBefore), rule.at);
  if ('hoursBefore' in rule) return dueAt - rule.hoursBefore * HOUR;
  if ('hoursAfter' in rule) return dueAt + rule.hoursAfter * HOUR;
  return calendar.ukInstant(calendar.nextWorkingDay(dueDate), rule.nextWorkingDayAt);
}
