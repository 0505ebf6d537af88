import { z } from 'zod';
import type { WorkingDayCalendar } from '../../timeline/calendar';
import { formatUkDateTime } from '../../timeline/format';
import { isRehearsalId, standsFor, type RehearsalClock } from '../../timeline/rehearsal';
import type { Instant } from '../../timeline/types';
import type { InspectionRecord } from '../../workflows/types';

/**
 * How the views mark a rehearsal. Its id always says so (`-rehearsal-<n>`); its clock comes from workflow state
 * once the workflow keeps it there (`rehearsal`), else from the workflow's memo (read by the client).
 */

/** Workflow state as a rehearsal may carry it: the clock, once the workflow copies it from its input. */
export type RehearsalMarkedState = InspectionRecord & {
  rehearsal?: { dayMinutes?: number; startsAt?: Instant };
};

/** What a rehearsal's state says of its clock (perhaps nothing yet); undefined for an inspection. */
export function rehearsalMarkOf(
  state: Pick<InspectionRecord, 'inspectionId'>,
): { dayMinutes?: number; startsAt?: Instant } | undefined {
  const kept = (state as RehearsalMarkedState).rehearsal;
  if (kept) return kept;
  return isRehearsalId(state.inspectionId) ? {} : undefined;
}

export const isRehearsal = (state: Pick<InspectionRecord, 'inspectionId'>) =>
  rehearsalMarkOf(state) !== undefined;

/** A rehearsal's clock and the calendar of the week it rehearses: what the views need to say what times stand for. */
export interface RehearsalContext {
  clock: RehearsalClock;
  calendar: WorkingDayCalendar;
}

export const rehearsalViewSchema = z
  .object({
    dayMinutes: z.number().optional().describe('Real minutes one working day lasts'),
    startsAt: z.string().optional().describe('ISO instant that stands for day 0, 09:00'),
    startsUk: z.string().optional(),
  })
  .describe('Present when this is a rehearsal on a compressed clock, not a real inspection');
export type RehearsalView = z.infer<typeof rehearsalViewSchema>;

/** The rehearsal part of a view: its clock where known, and nothing at all for an inspection. */
export function rehearsalView(
  state: Pick<InspectionRecord, 'inspectionId'>,
  rehearsal?: RehearsalContext,
): { rehearsal?: RehearsalView } {
  if (!rehearsal && !isRehearsal(state)) return {};
  const clock = rehearsal?.clock;
  return {
    rehearsal: clock
      ? {
          dayMinutes: clock.dayMinutes,
          startsAt: new Date(clock.startsAt).toISOString(),
          startsUk: formatUkDateTime(clock.startsAt),
        }
      : {},
  };
}

/** "day 2, Wed 15 Jul 2026, 15:00": what a time of a rehearsal stands for in the week rehearsed. */
export function standsForIn(rehearsal: RehearsalContext | undefined, at: Instant): string | undefined {
  return rehearsal ? standsFor(rehearsal.clock, rehearsal.calendar, at) : undefined;
}

/** Real inspections and rehearsals, apart: a rehearsal is never counted with the inspections. */
export function apart<T extends { rehearsal?: true }>(all: T[]): { inspections: T[]; rehearsals: T[] } {
  return {
    inspections: all.filter((s) => !s.rehearsal),
    rehearsals: all.filter((s) => s.rehearsal),
  };
}
