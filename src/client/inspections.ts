import {
  Client,
  Connection,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, type QueryDefinition, type UpdateDefinition } from '@temporalio/common';
import { createReadStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { csvDocument } from '../lists/safe-cells';
import path from 'node:path';
import type { Deployment } from '../infra';
import { processIntakes, type Intake } from '../infra/files/intake';
import { temporalConnection } from '../infra/temporal-connection';
import { formatUkDateTime } from '../timeline/format';
import { LOCAL_AUTHORITY_KEY, STAGE_KEY } from '../workflows/search-attributes';
import {
  isRehearsalId,
  rehearsalExtension,
  rehearsalInspectionId,
  rehearsalSchedule,
  REHEARSAL_RETENTION_DAYS,
  type RehearsalClock,
} from '../timeline/rehearsal';
import {
  buildSchedule,
  chaseLadder,
  DEFAULT_CHASING_POLICY,
  type InspectionSchedule,
} from '../timeline/schedule';
import type { Theme } from '../timeline/theme';
import { themeById, DEFAULT_THEME_ID } from '../timeline/themes';
import type { AgencyId, InspectionOption, Instant, IsoDate } from '../timeline/types';
import type { inspection } from '../workflows/inspection';
import * as messages from '../workflows/messages';
import { findDeliverable, isEnded, linkExpiresAt } from '../workflows/rules';
import type {
  FileUsage,
  InspectionContacts,
  InspectionInput,
  InspectionRecord,
  InspectionStatus,
  ReceivedFile,
  Receipt,
  Stage,
  SubmittedFile,
  TwentyAnswersRequest,
  UploadQuota,
} from '../workflows/types';
import { JtaiError, outcomeOfFailure, type Outcome } from './errors';
import { listExecutionPage, MAX_PAGE_SIZE, type ListedExecution } from './listing';
import {
  agencyView,
  coordinatorPage,
  debriefOf,
  rehearsalMarkOf,
  type Debrief,
  inspectionIcs,
  inspectionView,
  type AgencyView,
  type CoordinatorPage,
  type InspectionSummary,
  type InspectionView,
  type Viewer,
  twentyReturn,
  type TwentyReturnView,
} from './read-model';
import { twentyColumns } from '../lists/twenty-answers';
import type { DueRule } from '../timeline/theme';

/** A page of inspections (see listing.ts): give `nextPage` back as `page` for the next. */
export interface InspectionPage {
  inspections: InspectionSummary[];
  nextPage?: string;
}

/** Refusals are JtaiErrors, wherever they are caught. */
export { JtaiError };

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

/** Workflow id: `inspection-<local-authority-slug>-<notification-date>`. */
export function inspectionIdFor(localAuthority: string, notifiedOn: IsoDate): string {
  const slug = slugify(localAuthority);
  if (!slug) throw new JtaiError('The local authority name must contain letters or digits.');
  return `inspection-${slug}-${notifiedOn}`;
}

/**
 * A file to submit: a path on this machine, or a file already streamed into the inspection's store (the web
 * app's uploads, with the name the agency gave it, shown and never used as a path); and an optional Annex A
 * or key-document code.
 */
export type FileToSubmit =
  { path: string; code?: string } | { stored: { sha256: string; size: number }; name: string; code?: string };

/** A child's identifying details from the local authority's records (Option A, shared for the 20 only). */
export interface ChildDetails {
  childId: string;
  name: string;
  dateOfBirth: string;
  address: string;
}

/** The workflow type of an inspection: the name of the workflow function the worker registers. */
const INSPECTION_WORKFLOW = 'inspection';

/** Runs of one local authority's inspection notified on one day (restarts after a cancellation): up to this. */
const MAX_RUNS = 20;
/** The id of the nth run: the first has the plain id, a restart `-2`, `-3` … */
const restartId = (baseId: string, n: number) => (n === 1 ? baseId : `${baseId}-${n}`);

/** Rehearsals of one local authority on one day: `-rehearsal-1` up to this. */
const MAX_REHEARSALS_A_DAY = 50;

/**
 * What a rehearsal's workflow input carries beyond an inspection's: its day length (the schedule carries the
 * whole clock, `schedule.rehearsal`). The workflow does not read it yet; the memo holds the clock for the
 * client meanwhile.
 */
type RehearsalInput = InspectionInput & { rehearsal: { dayMinutes: number } };
/** The memo of a rehearsal's workflow: its clock, readable without querying the workflow. */
interface RehearsalMemo {
  rehearsal: { startsAt: Instant; dayMinutes: number };
}

/** The one typed client of inspections, used by the CLI and the web app alike. */
export class InspectionsClient {
  constructor(
    readonly client: Client,
    readonly deployment: Deployment,
    private readonly clock: () => Instant = Date.now,
    /** Where what the client could not read is reported (stderr by default; never child data). */
    private readonly warn: (message: string) => void = (message) => console.warn(`jtai: ${message}`),
  ) {}

  static async connect(deployment: Deployment): Promise<InspectionsClient> {
    // A certificate or key that cannot be used is a ConfigurationError here, before connecting.
    const { connectionOptions, namespace } = temporalConnection(deployment.config);
    const connection = await Connection.connect({ ...connectionOptions, connectTimeout: '5s' }).catch(
      (err: unknown) => {
        throw new JtaiError(
          `Cannot reach Temporal at ${connectionOptions.address} (${err instanceof Error ? err.message : String(err)}). Is it running? Start everything with "npm start".`,
        );
      },
    );
    return new InspectionsClient(
      new Client({ connection, namespace, dataConverter: deployment.dataConverter }),
      deployment,
    );
  }

  private answerSeconds(): number {
    return Math.round(this.deployment.config.answerWithinMs / 1000);
  }

  /** Run Temporal calls with the deployment's answer time as their deadline. */
  private withinAnswerTime<T>(work: () => Promise<T>): Promise<T> {
    return this.client.connection.withDeadline(Date.now() + this.deployment.config.answerWithinMs, work);
  }

  /** Whether the Temporal frontend answers within `timeoutMs` (for readiness checks); throws when not. */
  async ready(timeoutMs = 3_000): Promise<void> {
    await this.client.connection.withDeadline(Date.now() + timeoutMs, () =>
      this.client.workflowService.getSystemInfo({}),
    );
  }

  async close(): Promise<void> {
    await this.client.connection.close();
  }

  /** Start an inspection: computes its schedule from the calendar and theme, then starts its workflow. */
  async start(input: {
    localAuthority: string;
    notifiedOn: IsoDate;
    option: InspectionOption;
    contacts: InspectionContacts;
    themeId?: string;
    /** Start it though some of its deadlines have passed (refused otherwise). */
    lateStart?: boolean;
    /** Option A: when the agencies' answers for the 20 are due, if not the theme's time (14:00 on day 3). */
    twentyAnswersDue?: DueRule;
    /** The same, as a time on the theme's day (the coordinator's setting). */
    twentyAnswersTime?: string;
  }): Promise<{ inspectionId: string; input: InspectionInput }> {
    const theme = themeById(input.themeId ?? DEFAULT_THEME_ID);
    const themeDue = theme.twentyAnswers?.due;
    const twentyAnswersDue =
      input.twentyAnswersDue ??
      (input.twentyAnswersTime && themeDue
        ? { day: themeDue.day, time: input.twentyAnswersTime }
        : undefined);
    const { calendar, config } = this.deployment;
    const schedule = refusing(() =>
      buildSchedule({
        notifiedOn: input.notifiedOn,
        option: input.option,
        theme,
        calendar,
        ...(twentyAnswersDue ? { twentyAnswersDue } : {}),
      }),
    );
    const requestedAt = this.clock();
    // A notification date in the past is a mistake more often than a late start: said, and started only if meant.
    const passed = schedule.deliverables.filter((d) => d.chase && d.dueAt < requestedAt);
    const first = passed[0];
    if (first && !input.lateStart)
      throw new JtaiError(
        `Notified on ${input.notifiedOn}, ${passed.length} deadline${passed.length === 1 ? ' has' : 's have'} already passed ` +
          `(the first: ${first.title}, due ${formatUkDateTime(first.dueAt)}). Check the date; to start it anyway, ` +
          'say it is a late start: each overdue deliverable is then escalated at once and the first emails say what is overdue.',
        'LateStart',
      );
    const baseId = inspectionIdFor(input.localAuthority, input.notifiedOn);
    // A restart after a cancellation gets the next id (`-2`, `-3` …): files, keys, links, audit lines and purge
    // of the two runs never mix. A running inspection of the same authority and date is refused.
    for (let n = 1; n <= MAX_RUNS; n++) {
      const inspectionId = restartId(baseId, n);
      const standing = await this.idStanding(inspectionId);
      if (standing === 'running')
        throw new JtaiError(`An inspection ${inspectionId} already exists and is running.`, 'AlreadyStarted');
      if (standing === 'used') continue;
      const workflowInput: InspectionInput = {
        ...this.inputFor(inspectionId, input, schedule, theme),
        ...(first && input.lateStart ? { lateStart: true } : {}),
        requestedAt,
        retentionDays: config.retentionDays,
        ...(config.arrivalsDigestMinutes > 0 ? { arrivalsDigestMinutes: config.arrivalsDigestMinutes } : {}),
      };
      // REJECT_DUPLICATE: another start of the same inspection at the same moment loses (already exists).
      await this.launch(workflowInput, { workflowIdReusePolicy: 'REJECT_DUPLICATE' });
      return { inspectionId, input: workflowInput };
    }
    throw new JtaiError(
      `${MAX_RUNS} runs of ${baseId} are already kept: purge the ones cancelled first.`,
      'AlreadyStarted',
    );
  }

  /**
   * Whether an inspection id may be given to a new run: not while its inspection is open ('running'), nor while
   * an ended one is kept (cancelled or completed, waiting for its purge), nor once it has had a data key (files,
   * or the mark a purge leaves), so an id whose execution was purged is not taken again.
   */
  private async idStanding(inspectionId: string): Promise<'running' | 'used' | 'free'> {
    try {
      const described = await this.withinAnswerTime(() => this.handle(inspectionId).describe());
      if (described.status.name !== 'RUNNING') return 'used';
      return isEnded(await this.state(inspectionId)) ? 'used' : 'running';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw asJtaiError(err, inspectionId);
    }
    return (await this.deployment.dataKeys.used(inspectionId)) ? 'used' : 'free';
  }

  /**
   * Start a rehearsal: the same inspection on a compressed clock (src/timeline/rehearsal.ts) whose day 0 is
   * today and whose 09:00 is now. Its id is the inspection's with `-rehearsal-<n>` (the first n free), so it
   * never collides with a real inspection or another rehearsal; no deadline of it has passed, so the late-start
   * rule never applies; it is purged a day after it ends.
   */
  async startRehearsal(input: {
    localAuthority: string;
    option: InspectionOption;
    contacts: InspectionContacts;
    themeId?: string;
    dayMinutes: number;
  }): Promise<{ inspectionId: string; input: InspectionInput; clock: RehearsalClock }> {
    const theme = themeById(input.themeId ?? DEFAULT_THEME_ID);
    const startsAt = this.clock();
    const { schedule, clock } = refusing(() =>
      rehearsalSchedule({
        startsAt,
        dayMinutes: input.dayMinutes,
        option: input.option,
        theme,
        calendar: this.deployment.calendar,
      }),
    );
    const baseId = inspectionIdFor(input.localAuthority, clock.day0);
    const memo: RehearsalMemo = { rehearsal: { startsAt, dayMinutes: input.dayMinutes } };
    for (let n = 1; n <= MAX_REHEARSALS_A_DAY; n++) {
      const inspectionId = rehearsalInspectionId(baseId, n);
      // A closed rehearsal still kept, or a purged one, holds its id: its files and key are its own.
      if ((await this.idStanding(inspectionId)) !== 'free') continue;
      const workflowInput: RehearsalInput = {
        ...this.inputFor(inspectionId, input, schedule, theme),
        requestedAt: startsAt,
        retentionDays: REHEARSAL_RETENTION_DAYS,
        rehearsal: { dayMinutes: input.dayMinutes },
      };
      try {
        await this.launch(workflowInput, { memo: { ...memo }, workflowIdReusePolicy: 'REJECT_DUPLICATE' });
        return { inspectionId, input: workflowInput, clock };
      } catch (err) {
        if (err instanceof JtaiError && err.type === 'AlreadyStarted') continue;
        throw err;
      }
    }
    throw new JtaiError(
      `${MAX_REHEARSALS_A_DAY} rehearsals of ${baseId} are already kept: purge the old ones first.`,
      'AlreadyStarted',
    );
  }

  private inputFor(
    inspectionId: string,
    input: { localAuthority: string; contacts: InspectionContacts },
    schedule: InspectionSchedule,
    theme: Theme,
  ): Omit<InspectionInput, 'requestedAt'> {
    return {
      inspectionId,
      localAuthority: input.localAuthority.trim(),
      schedule,
      contacts: input.contacts,
      limits: { maxSelected: theme.maxSelected, tracked: theme.tracked },
      searchAttributes: this.deployment.config.searchAttributes,
    };
  }

  private async launch(
    input: InspectionInput,
    options: { memo?: Record<string, unknown>; workflowIdReusePolicy?: 'REJECT_DUPLICATE' } = {},
  ): Promise<void> {
    try {
      await this.client.workflow.start<typeof inspection>(INSPECTION_WORKFLOW, {
        workflowId: input.inspectionId,
        taskQueue: this.deployment.config.temporal.taskQueue,
        args: [input],
        // Listed from the start, before its first workflow task (which may lag the start under load).
        ...(input.searchAttributes
          ? {
              typedSearchAttributes: [
                { key: LOCAL_AUTHORITY_KEY, value: input.localAuthority },
                { key: STAGE_KEY, value: 'case-lists' satisfies Stage },
              ],
            }
          : {}),
        ...options,
      });
    } catch (err) {
      if (err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError') {
        throw new JtaiError(`An inspection ${input.inspectionId} already exists.`, 'AlreadyStarted');
      }
      throw err;
    }
  }

  /**
   * A rehearsal's compressed clock: from its state once the workflow keeps it there, else from its memo;
   * undefined for an inspection (and for a rehearsal whose clock cannot be read: it is still marked one).
   */
  async rehearsalClock(state: InspectionRecord): Promise<RehearsalClock | undefined> {
    const mark = rehearsalMarkOf(state);
    if (!mark) return undefined;
    const day0 = state.notifiedOn;
    if (mark.startsAt !== undefined && mark.dayMinutes !== undefined)
      return { startsAt: mark.startsAt, dayMinutes: mark.dayMinutes, day0 };
    const memo = await this.handle(state.inspectionId)
      .describe()
      .then((d) => (d.memo as Partial<RehearsalMemo> | undefined)?.rehearsal)
      .catch(() => undefined);
    if (memo && Number.isFinite(memo.startsAt) && Number.isFinite(memo.dayMinutes))
      return { startsAt: memo.startsAt, dayMinutes: memo.dayMinutes, day0 };
    return mark.dayMinutes !== undefined
      ? { startsAt: state.startedAt, dayMinutes: mark.dayMinutes, day0 }
      : undefined;
  }

  private handle(inspectionId: string) {
    return this.client.workflow.getHandle(inspectionId);
  }

  async state(inspectionId: string): Promise<InspectionStatus> {
    return this.query(inspectionId, messages.status);
  }

  private async query<T, A extends unknown[] = []>(
    inspectionId: string,
    def: QueryDefinition<T, A>,
    ...args: A
  ): Promise<T> {
    try {
      return await this.withinAnswerTime(() => this.handle(inspectionId).query(def, ...args));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw new JtaiError(`There is no inspection "${inspectionId}".`, 'NotFound');
      if (isDeadlineExceeded(err))
        throw new JtaiError(
          `The inspection's worker did not answer within ${this.answerSeconds()} s: nothing can be read until it is back. ` +
            'Try again shortly; if it goes on, the worker needs restarting (npm start restarts one that has stopped).',
          'Unavailable',
        );
      throw err;
    }
  }

  /**
   * Which of `hashes` the inspection's whole state names (not only the bounded status), and each agency's
   * accepted files and bytes (its upload quota).
   */
  async fileUsage(inspectionId: string, hashes: string[] = []): Promise<FileUsage> {
    return this.query(inspectionId, messages.fileUsage, hashes);
  }

  /**
   * The inspection as `jtai status` and the API show it, at `at` (now unless given); with child IDs only for a
   * viewer who may see them (a manager's view unless said).
   */
  async view(
    inspectionId: string,
    at: Instant = this.clock(),
    viewer: Viewer = 'manager',
  ): Promise<InspectionView> {
    const state = await this.state(inspectionId);
    return inspectionView(state, at, await this.rehearsalOn(state), viewer);
  }

  /** A rehearsal's clock with the calendar it runs on, for the views that say what its times stand for. */
  private async rehearsalOn(state: InspectionRecord) {
    const clock = await this.rehearsalClock(state);
    return clock ? { clock, calendar: this.deployment.calendar } : undefined;
  }

  /** How each agency did, deliverable by deliverable: on time or how late, refusals, how long the chase took. */
  async debrief(inspectionId: string, at: Instant = this.clock()): Promise<Debrief> {
    const state = await this.state(inspectionId);
    return debriefOf(state, at, await this.rehearsalOn(state));
  }

  /**
   * The coordinator's page of an inspection, as `viewer` may see it (a manager's: no child IDs); with
   * `withLinks`, each agency's current link.
   */
  async coordinatorPage(
    inspectionId: string,
    options: { withLinks: boolean; at?: Instant; viewer: Viewer },
  ): Promise<CoordinatorPage> {
    const [state, candidates] = await Promise.all([this.state(inspectionId), this.candidates(inspectionId)]);
    const linkFor = (agency: AgencyId) => this.agencyLink(state, agency);
    return coordinatorPage(
      state,
      candidates,
      options.at ?? this.clock(),
      options.withLinks ? linkFor : undefined,
      await this.rehearsalOn(state),
      options.viewer,
    );
  }

  /** The children put forward on the lists received, and on which lists. */
  async candidates(inspectionId: string): Promise<Record<string, string[]>> {
    return this.query(inspectionId, messages.candidates);
  }

  /** Every file received (for the pack and single-file downloads). */
  async files(inspectionId: string): Promise<ReceivedFile[]> {
    return this.query(inspectionId, messages.files);
  }

  /** What one agency's link pages show of an inspection. */
  async agencyPage(inspectionId: string, agency: AgencyId, at: Instant = this.clock()): Promise<AgencyView> {
    return agencyView(await this.state(inspectionId), agency, at);
  }

  /** Option A: the local authority's 20-case return pre-filled with the agencies' answers, each with its source. */
  async twentyReturn(
    inspectionId: string,
    at: Instant = this.clock(),
  ): Promise<TwentyReturnView | undefined> {
    const keys = twentyColumns()
      .map((c) => c.key)
      .filter((k) => k !== 'childId');
    return twentyReturn(await this.state(inspectionId), keys, at);
  }

  /** The inspection's deadlines as they are now (extensions included), as an iCalendar file. */
  async calendar(inspectionId: string): Promise<string> {
    return inspectionIcs(await this.state(inspectionId));
  }

  /** An agency's current link: signed for its link version, valid until 14 days after the inspection closes. */
  agencyLink(
    state: Pick<InspectionRecord, 'inspectionId' | 'linkVersions' | 'closesAt' | 'runNonce'>,
    agency: AgencyId,
  ) {
    const token = this.deployment.links.sign({
      inspectionId: state.inspectionId,
      agency,
      version: state.linkVersions[agency],
      run: state.runNonce,
      expiresAt: linkExpiresAt(state),
    });
    return `${this.deployment.config.web.baseUrl}/a/${token}`;
  }

  /**
   * One page of inspections, open ones first, each with stage, next deadline and overdue count: read from the
   * search attributes (one or two visibility calls, no child data), or by querying the workflow where they are
   * absent (an inspection whose first workflow task has not run yet).
   */
  async listPage(options: { pageSize?: number; page?: string } = {}): Promise<InspectionPage> {
    const { executions, nextPage } = await listExecutionPage(this.client, {
      workflowType: INSPECTION_WORKFLOW,
      searchAttributes: this.deployment.config.searchAttributes,
      ...options,
    });
    const inspections = await Promise.all(executions.map((wf) => this.summaryOf(wf)));
    return { inspections, ...(nextPage ? { nextPage } : {}) };
  }

  /** Every inspection, page by page (for a few hundred at most: the pages and the CLI show one page). */
  async list(): Promise<InspectionSummary[]> {
    const all: InspectionSummary[] = [];
    let page: string | undefined;
    do {
      const next = await this.listPage({ pageSize: MAX_PAGE_SIZE, ...(page ? { page } : {}) });
      all.push(...next.inspections);
      page = next.nextPage;
    } while (page);
    return all;
  }

  private async summaryOf(wf: ListedExecution): Promise<InspectionSummary> {
    const { workflowId: inspectionId, status, stage, localAuthority } = wf;
    const common = { inspectionId, ...rehearsalFlag(inspectionId), status };
    if (stage !== undefined && localAuthority !== undefined) {
      const open = stage !== 'completed' && stage !== 'cancelled';
      return {
        ...common,
        localAuthority,
        stage,
        ...(wf.nextDue && open ? { nextDue: formatUkDateTime(wf.nextDue.getTime()) } : {}),
        overdue: wf.overdue ?? 0,
        ...(wf.mailFailing ? { mailFailing: wf.mailFailing } : {}),
      };
    }
    try {
      const view = await this.view(inspectionId);
      return {
        ...common,
        localAuthority: view.localAuthority,
        stage: view.stage,
        ...(view.nextDueUk ? { nextDue: view.nextDueUk } : {}),
        overdue: view.overdue,
        ...(view.mailProblems.length
          ? { mailFailing: view.mailProblems.reduce((n, p) => n + p.waiting, 0) }
          : {}),
      };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.warn(`cannot read ${inspectionId}: ${reason}`);
      return { ...common, localAuthority: UNAVAILABLE, stage: UNAVAILABLE, unavailable: reason };
    }
  }

  /**
   * An intake into the inspection's store (infra/files/intake.ts): what is put through it for a command that is
   * then refused is deleted again, unless the inspection's state names it or another intake holds it.
   */
  openIntake(inspectionId: string): Intake {
    return processIntakes.open(
      inspectionId,
      this.deployment.fileStoreFor(inspectionId),
      async (hashes) => new Set((await this.fileUsage(inspectionId, hashes)).referenced),
    );
  }

  /** Run `action` with an intake, and settle it by how the action ended. */
  private async withIntake<T>(inspectionId: string, action: (intake: Intake) => Promise<T>): Promise<T> {
    const intake = this.openIntake(inspectionId);
    let outcome: Outcome = 'unknown';
    try {
      const result = await action(intake);
      outcome = 'accepted';
      return result;
    } catch (err) {
      outcome = outcomeOfFailure(err);
      throw err;
    } finally {
      await intake.settle(outcome).catch((err: unknown) => {
        this.warn(
          `files of a refused command were kept: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
    }
  }

  /** Put files in the encrypted store, then record the submission (a list is checked first). */
  async submit(
    inspectionId: string,
    deliverable: string,
    agency: AgencyId,
    files: FileToSubmit[],
    extra: {
      childId?: string;
      note?: string;
      complete?: boolean;
      updateId?: string;
      /** The agency's upload quota, checked by the workflow (the web app's agency links). */
      quota?: UploadQuota;
    } = {},
  ): Promise<Receipt> {
    return this.withIntake(inspectionId, async (intake) => {
      const submitted: SubmittedFile[] = [];
      for (const file of files) {
        if ('stored' in file) {
          submitted.push({ name: file.name, ...file.stored, ...(file.code ? { code: file.code } : {}) });
          continue;
        }
        const info = await stat(file.path).catch(() => undefined);
        if (!info?.isFile()) throw new JtaiError(`Cannot read the file ${file.path}.`, 'FileUnreadable');
        const stored = await intake.put(createReadStream(file.path));
        submitted.push({
          name: path.basename(file.path),
          sha256: stored.sha256,
          size: stored.size,
          ...(file.code ? { code: file.code } : {}),
        });
      }
      return this.update(
        inspectionId,
        messages.submit,
        [
          {
            deliverableId: deliverable,
            agency,
            files: submitted,
            ...withoutUndefined(extra, ['childId', 'note', 'complete', 'quota']),
          },
        ],
        extra.updateId,
      );
    });
  }

  /** Keep an agency's answers to the queries on a list as a CSV in the file store, and record them. */
  async answerQueries(
    inspectionId: string,
    deliverable: string,
    agency: AgencyId,
    submissionId: string,
    answers: { row: number; column: string; query: string; answer: string }[],
    updateId?: string,
  ): Promise<void> {
    // Free text typed by an agency, opened later in a spreadsheet: no cell may start a formula.
    const csv = csvDocument([
      ['Row', 'Column', 'Query', 'Answer'],
      ...answers.map((a) => [a.row, a.column, a.query, a.answer]),
    ]);
    await this.withIntake(inspectionId, async (intake) => {
      const stored = await intake.put(Readable.from([Buffer.from(csv)]));
      const file = { name: 'answers-to-queries.csv', ...stored };
      await this.update(
        inspectionId,
        messages.answerQueries,
        [{ deliverableId: deliverable, agency, submissionId, file }],
        updateId,
      );
    });
  }

  /**
   * Option A: an agency's Y/N answers to its own questions for the 20, from its page's form or a sheet (the
   * sheet itself kept in the encrypted store like an upload).
   */
  async answerTwenty(
    inspectionId: string,
    deliverable: string,
    agency: AgencyId,
    answers: TwentyAnswersRequest['answers'],
    extra: { sheet?: FileToSubmit; updateId?: string } = {},
  ): Promise<Receipt> {
    return this.withIntake(inspectionId, async (intake) => {
      const sheet = extra.sheet;
      let file: SubmittedFile | undefined;
      if (sheet && 'stored' in sheet) file = { name: sheet.name, ...sheet.stored };
      else if (sheet)
        file = { name: path.basename(sheet.path), ...(await intake.put(createReadStream(sheet.path))) };
      return this.update(
        inspectionId,
        messages.answerTwenty,
        [{ deliverableId: deliverable, agency, answers, ...(file ? { file } : {}), sentAt: this.clock() }],
        extra.updateId,
      );
    });
  }

  /**
   * Option A: share the 20 children's identifying details with these agencies (on their pages only), kept as a
   * document in the inspection's encrypted store; with no agencies, the local authority relays the questions.
   */
  async shareTwentyDetails(
    inspectionId: string,
    sharedWith: AgencyId[],
    details: ChildDetails[],
    updateId?: string,
  ): Promise<void> {
    await this.withIntake(inspectionId, async (intake) => {
      const file =
        sharedWith.length > 0
          ? {
              name: 'details.json',
              ...(await intake.put(Readable.from([Buffer.from(JSON.stringify(details))]))),
            }
          : undefined;
      await this.update(
        inspectionId,
        messages.shareTwentyDetails,
        [{ sharedWith, ...(file ? { file } : {}) }],
        updateId,
      );
    });
  }

  /**
   * For `agency`'s page: the identifying details the local authority shared with it (if it did), and the local
   * authority's contact (who relays the questions otherwise).
   */
  async twentyDetailsFor(
    inspectionId: string,
    agency: AgencyId,
  ): Promise<{ details?: ChildDetails[]; localAuthority: { name: string; contact: string } }> {
    const state = await this.state(inspectionId);
    const la = state.contacts.agencies['local-authority'];
    const localAuthority = { name: la.name, contact: la.contact };
    const shared = state.twentyDetails;
    if (!shared?.file || !shared.sharedWith.includes(agency)) return { localAuthority };
    const dir = await this.deployment.scratch.make('details');
    try {
      const copy = path.join(dir, 'details.json');
      await this.deployment.fileStoreFor(inspectionId).exportTo(shared.file.sha256, copy);
      return { details: JSON.parse(await readFile(copy, 'utf8')) as ChildDetails[], localAuthority };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async select(
    inspectionId: string,
    stage: 'twenty' | 'tracked',
    childIds: string[],
    updateId?: string,
  ): Promise<Receipt> {
    return this.update(inspectionId, messages.select, [{ stage, childIds }], updateId);
  }

  async confirm(
    inspectionId: string,
    deliverable: string,
    note?: string,
    updateId?: string,
  ): Promise<Receipt> {
    const state = await this.state(inspectionId);
    const d = resolve(state, deliverable === 'call' ? 'confirmation-call' : deliverable);
    return this.update(
      inspectionId,
      messages.confirm,
      [{ deliverableId: d.id, ...(note ? { note } : {}) }],
      updateId,
    );
  }

  /**
   * Move a deadline: the new chasing ladder is computed here from the calendar, not in the workflow. For a
   * rehearsal, `dueAt` is a time of the week rehearsed (as its schedule stands for it: "Friday 17:00"), and the
   * deadline and its ladder are worked out on that week, then compressed. Answers the deadline as it now is.
   */
  async extend(
    inspectionId: string,
    deliverable: string,
    dueAt: Instant,
    reason: string,
    agency?: AgencyId,
    updateId?: string,
  ): Promise<Instant> {
    // Refused here as the workflow would, before a chasing ladder is computed for a date in the past
    // (the calendar may have no bank-holiday data for it).
    const inPast = (message: string) => new JtaiError(message, 'ExtensionInPast');
    if (!isRehearsalId(inspectionId) && dueAt <= this.clock())
      throw inPast('The new deadline has already passed: choose a later date and time.');
    const state = await this.state(inspectionId);
    const rehearsal = await this.rehearsalClock(state);
    const { calendar } = this.deployment;
    const d = resolve(state, deliverable, agency);
    const moved = rehearsal
      ? refusing(() => rehearsalExtension(rehearsal, calendar, dueAt))
      : { dueAt, ladder: chaseLadder(dueAt, calendar, DEFAULT_CHASING_POLICY) };
    if (moved.dueAt <= this.clock())
      throw inPast(
        "The new deadline has already passed on the rehearsal's clock: choose a later time of the week rehearsed.",
      );
    await this.update(
      inspectionId,
      messages.extendDeadline,
      [{ deliverableId: d.id, dueAt: moved.dueAt, ladder: d.chase ? moved.ladder : [], reason }],
      updateId,
    );
    return moved.dueAt;
  }

  async waive(
    inspectionId: string,
    deliverable: string,
    reason: string,
    agency?: AgencyId,
    updateId?: string,
  ): Promise<void> {
    const state = await this.state(inspectionId);
    await this.update(
      inspectionId,
      messages.waive,
      [{ deliverableId: resolve(state, deliverable, agency).id, reason }],
      updateId,
    );
  }

  /** An agency takes back a file it sent, before the deadline: kept in the record, no longer counted or packed. */
  async withdraw(
    inspectionId: string,
    file: { deliverableId: string; submissionId: string; sha256: string },
    agency: AgencyId,
    reason: string,
    updateId?: string,
  ): Promise<void> {
    await this.update(inspectionId, messages.withdraw, [{ ...file, agency, reason }], updateId);
  }

  /** Leave an agency a message on its page; its contact is emailed that there is one. Returns its id. */
  async message(inspectionId: string, agency: AgencyId, text: string, updateId?: string): Promise<string> {
    return this.update(inspectionId, messages.message, [{ agency, text }], updateId);
  }

  /**
   * Ask an agency for something more during the inspection (CQC's request to health, the lead inspector's
   * ad-hoc request): chased like any deliverable, on the chasing ladder of its due time. Returns its id.
   */
  async addDeliverable(
    inspectionId: string,
    request: {
      title: string;
      description: string;
      owner: AgencyId;
      kind: 'documents' | 'confirmation';
      dueAt: Instant;
      source: 'cqc-request' | 'ad-hoc';
      childIds?: string[];
    },
    updateId?: string,
  ): Promise<string> {
    if (request.dueAt <= this.clock())
      throw new JtaiError(
        'The due time has already passed: choose a later date and time.',
        'ExtensionInPast',
      );
    const state = await this.state(inspectionId);
    const { calendar } = this.deployment;
    const dueOn = calendar.ukDate(request.dueAt);
    let day = 0;
    for (let d = state.notifiedOn; d < dueOn && day < 400; d = calendar.addWorkingDays(d, 1)) day++;
    const ladder = refusing(() => chaseLadder(request.dueAt, calendar, DEFAULT_CHASING_POLICY));
    return this.update(inspectionId, messages.addDeliverable, [{ ...request, day, ladder }], updateId);
  }

  /** Email an agency its link again; with `revoke`, its earlier links stop working. */
  async sendLink(
    inspectionId: string,
    agency: AgencyId,
    revoke: boolean,
    updateId?: string,
  ): Promise<number> {
    return this.update(inspectionId, messages.sendLink, [{ agency, revoke }], updateId);
  }

  /** Replace the inspection's contacts (e.g. a contact has left); later emails go to the new addresses. */
  async changeContacts(inspectionId: string, contacts: InspectionContacts, updateId?: string): Promise<void> {
    await this.update(inspectionId, messages.changeContacts, [{ contacts }], updateId);
  }

  async cancel(inspectionId: string, reason: string, updateId?: string): Promise<void> {
    await this.update(inspectionId, messages.cancel, [{ reason }], updateId);
  }

  /** Whether the workflow has closed; false when there is none; a refusal saying why when it cannot tell. */
  private async isClosed(inspectionId: string): Promise<boolean> {
    try {
      return (await this.handle(inspectionId).describe()).status.name !== 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      const reason = err instanceof Error ? err.message : String(err);
      this.warn(`cannot describe ${inspectionId}: ${reason}`);
      throw new JtaiError(
        `The inspection "${inspectionId}" is unavailable: ${reason}. Nothing was recorded; try again.`,
        'Unavailable',
      );
    }
  }

  /** Purge an inspection that has ended, now: its files, their key and its history are deleted. */
  async purge(inspectionId: string, updateId?: string): Promise<void> {
    await this.update(inspectionId, messages.purge, [{}], updateId);
  }

  private async update<Ret, Args extends [unknown]>(
    inspectionId: string,
    def: UpdateDefinition<Ret, Args>,
    args: Args,
    updateId?: string,
  ): Promise<Ret> {
    // Always an id: a request that was not taken in time may still be taken later, and sent again with the
    // same id it counts once.
    const id = updateId ?? randomUUID();
    try {
      // Taken (accepted by the workflow's validator) within the answer time, or said not to have been; once
      // taken, its result is awaited however long the work takes (a large list's check).
      const taken = await this.withinAnswerTime(() =>
        this.handle(inspectionId).startUpdate(def, {
          args,
          updateId: id,
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        }),
      );
      return await taken.result();
    } catch (err) {
      if (isDeadlineExceeded(err))
        throw new JtaiError(
          `The inspection's worker did not take the request within ${this.answerSeconds()} s. It may still be ` +
            'recorded when the worker is back: look at the status before sending it again.',
          'Unavailable',
          [{ updateId: id }],
        );
      if (err instanceof WorkflowNotFoundError) {
        // Updates cannot reach a closed workflow: say that it has ended, not that it does not exist.
        const closed = await this.isClosed(inspectionId);
        if (closed) {
          throw new JtaiError(
            `The inspection "${inspectionId}" has ended: nothing more can be recorded.`,
            'InspectionEnded',
          );
        }
      }
      throw asJtaiError(err, inspectionId);
    }
  }
}

/** What the list shows of an inspection it could not read (with the reason beside it). */
const UNAVAILABLE = 'unavailable';

/** Rehearsals are marked in the list, so that they are counted apart from real inspections. */
const rehearsalFlag = (inspectionId: string): { rehearsal?: true } =>
  isRehearsalId(inspectionId) ? { rehearsal: true } : {};

/** Run a pure step whose error is the person's to fix (a date that is not a working day), as a refusal. */
function refusing<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw new JtaiError(err instanceof Error ? err.message : String(err));
  }
}

function resolve(state: InspectionRecord, deliverable: string, agency?: AgencyId) {
  try {
    return findDeliverable(state, deliverable, agency);
  } catch (err) {
    throw asJtaiError(err, state.inspectionId);
  }
}

function withoutUndefined<T extends object>(obj: T, keys: (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const key of keys) if (obj[key] !== undefined) out[key] = obj[key];
  return out;
}

/** Turn Temporal's errors into one line a person can act on. */
export function asJtaiError(err: unknown, inspectionId: string): Error {
  if (err instanceof JtaiError) return err;
  if (err instanceof WorkflowNotFoundError)
    return new JtaiError(`There is no running inspection "${inspectionId}".`, 'NotFound');
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    return new JtaiError(err.cause.message, err.cause.type ?? 'Error', err.cause.details ?? []);
  }
  if (err instanceof ApplicationFailure)
    return new JtaiError(err.message, err.type ?? 'Error', err.details ?? []);
  if (err instanceof Error && /workflow execution already completed/i.test(err.message)) {
    return new JtaiError(
      `The inspection "${inspectionId}" has ended: nothing more can be recorded.`,
      'InspectionEnded',
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** A Temporal call that ran out of its deadline (gRPC DEADLINE_EXCEEDED), however the SDK wrapped it. */
function isDeadlineExceeded(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === 4 || /deadline exceeded/i.test(e.message)) return true;
    // Nothing here cancels an update call, so this is the deadline too: grpc-js sometimes reports a deadline
    // that passes while the call is still being set up as "Call cancelled" (seen on a loaded machine).
    if (e.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return true;
  }
  return false;
}
