import { Command, InvalidArgumentError, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import type { Deployment } from '../infra';
import type { MasterKeyState } from '../infra/master-key';
import type { WorkingDayCalendar } from '../timeline/calendar';
import { DEFAULT_THEME_ID } from '../timeline/themes';
import { AGENCIES, type AgencyId, type InspectionOption } from '../timeline/types';
import type { Stage } from '../workflows/types';
import { ContactsError, JtaiError } from './errors';
import type { FileToSubmit, InspectionsClient } from './inspections';
import { registerListsCommands } from './lists-commands';
import type { InspectionSummary, TimelineView } from './read-model';

// Each command loads what it runs when it runs: `jtai --help` loads commander and no more, `jtai timeline`
// no Temporal client, `jtai lists validate` no workbook writer. require rather than import(), as in
// lists-commands.ts: the same under tsx, jest and compiled code.
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = {
  commands: () => require('./commands') as typeof import('./commands'),
  contacts: () => require('./contacts') as typeof import('./contacts'),
  exports: () => require('./exports') as typeof import('./exports'),
  readModel: () => require('./read-model') as typeof import('./read-model'),
  // The timeline alone: the whole read model would load the Temporal SDK (through the workflow's rules).
  timeline: () => require('./read-model/timeline') as typeof import('./read-model/timeline'),
  terminal: () => require('./terminal') as typeof import('./terminal'),
  calendar: () => require('../timeline/calendar') as typeof import('../timeline/calendar'),
  format: () => require('../timeline/format') as typeof import('../timeline/format'),
  rehearsal: () => require('../timeline/rehearsal') as typeof import('../timeline/rehearsal'),
  config: () => require('../infra/config') as typeof import('../infra/config'),
  infra: () => require('../infra') as typeof import('../infra'),
  masterKey: () => require('../infra/master-key') as typeof import('../infra/master-key'),
  inspections: () => require('./inspections') as typeof import('./inspections'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * `jtai`: the command line of the business unit. Every command exits non-zero with one clear line on
 * failure; `--json` prints exactly one JSON object on stdout and nothing else.
 */

/** An argument parser from one of the shared value schemas: a bad value is a usage error (exit 2). */
function argument<T>(schemaOf: (fields: typeof import('./commands')) => z.ZodType<T>) {
  return (value: string): T => {
    const result = schemaOf(lazy.commands()).safeParse(value);
    if (!result.success) throw new InvalidArgumentError(result.error.issues[0]?.message ?? 'not valid.');
    return result.data;
  };
}
const parseOption = argument((f) => f.option);
const parseDate = argument((f) => f.date('the notification date'));
const parseAgency = argument((f) => f.agency);
const parseDayMinutes = argument((f) => f.dayMinutes);
const DAY_MINUTES = [
  '--day-minutes <n>',
  'rehearsal: real minutes one working day lasts (a night or weekend lasts n/8; fractions allowed)',
  parseDayMinutes,
] as const;
const UPDATE_ID = ['--update-id <id>', 'an id that makes a repeated request count once'] as const;

/** `CODE=path` attaches an Annex A or key-document code to a file; a bare path has none. */
export function parseFileArgument(arg: string): FileToSubmit {
  const match = /^([A-Za-z]{0,2}\d+(?:\.\d+)?)=(.+)$/.exec(arg);
  return match && match[1] && match[2]
    ? { code: match[1].toUpperCase().replace(/^KD/, 'KD'), path: match[2] }
    : { path: arg };
}

/** Read and check a contacts file; problems name the line and field. */
async function readContacts(file: string) {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new JtaiError(`Cannot read the contacts file ${file}.`);
  });
  return lazy.contacts().parseContacts(text, file);
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function buildProgram(deps: {
  deployment: () => Deployment;
  connect: (d: Deployment) => Promise<InspectionsClient>;
}): Command {
  const program = new Command('jtai')
    .description('Run the data side of a joint targeted area inspection (JTAI).')
    .showHelpAfterError('(run with --help for usage)');

  /** Run an action with a connected client, always closing it. */
  const withClient = async (action: (client: InspectionsClient) => Promise<void>) => {
    const client = await deps.connect(deps.deployment());
    try {
      await action(client);
    } finally {
      await client.close();
    }
  };

  program
    .command('timeline')
    .description(
      "Print every milestone of Annex C with its due time in UK time, who owes it and what it is; or a rehearsal's, on its compressed clock.",
    )
    .option('--notified <date>', 'notification date (day 0), YYYY-MM-DD or DD/MM/YYYY', parseDate)
    .option(
      '--rehearsal-from <instant>',
      'a rehearsal starting at this instant (day 0, 09:00), e.g. 2026-07-14T13:00:00+01:00',
    )
    .option(...DAY_MINUTES)
    .addOption(new Option('--option <A|B>', 'case-list option').argParser(parseOption).default('A'))
    .option('--theme <id>', 'deep-dive theme', DEFAULT_THEME_ID)
    .option('--json', 'print as JSON')
    .option('--ics', 'print as an iCalendar file (import into Outlook)')
    .action(
      (opts: {
        notified?: string;
        rehearsalFrom?: string;
        dayMinutes?: number;
        option: InspectionOption;
        theme: string;
        json?: boolean;
        ics?: boolean;
      }) => {
        // The timeline needs only the calendar: no keys, no Temporal.
        const calendar = lazy.calendar().createCalendar(lazy.config().loadConfig().calendar);
        const timeline = timelineFor(opts, calendar);
        if (opts.json) {
          const { themeId: theme, option, notifiedOn, rows: deliverables, rehearsal } = timeline;
          return printJson({
            theme,
            option,
            notifiedOn,
            ...(rehearsal
              ? {
                  rehearsal: {
                    startsAt: new Date(rehearsal.startsAt).toISOString(),
                    dayMinutes: rehearsal.dayMinutes,
                  },
                  closesAt: new Date(timeline.closesAt).toISOString(),
                }
              : {}),
            deliverables,
          });
        }
        if (opts.ics) return void process.stdout.write(timeline.ics());
        const { rehearsal } = timeline;
        if (rehearsal) {
          console.log(
            `REHEARSAL timeline, option ${timeline.option}: the week from ${timeline.notifiedOn} (day 0), starting ${lazy.format().formatUkDateTime(rehearsal.startsAt)}.\n` +
              `Each working day lasts ${lazy.rehearsal().dayLengthWords(rehearsal.dayMinutes)}, each night or weekend ${rehearsal.dayMinutes / 8}. ` +
              `Due is the real time (UK time); "Stands for" is the time of the week rehearsed. It ends ${lazy.format().formatUkDateTime(timeline.closesAt)}.\n`,
          );
          return console.log(
            lazy.terminal().table(
              ['Day', 'Due (UK time)', 'Stands for', 'Owed by', 'Deliverable', 'What'],
              timeline.rows.map((r) => [
                String(r.day),
                r.dueUk,
                r.standsFor ?? '',
                r.ownerName,
                r.id,
                r.title,
              ]),
            ),
          );
        }
        console.log(
          `JTAI timeline, option ${timeline.option}, notified ${timeline.notifiedOn} (day 0). Times are UK time.\n`,
        );
        console.log(
          lazy.terminal().table(
            ['Day', 'Due (UK time)', 'Owed by', 'Deliverable', 'What'],
            timeline.rows.map((r) => [String(r.day), r.dueUk, r.ownerName, r.id, r.title]),
          ),
        );
      },
    );

  program
    .command('start')
    .description(
      'Start an inspection, or with --rehearsal a rehearsal of one on a compressed clock starting now.',
    )
    .requiredOption('--local-authority <name>', 'the local authority inspected')
    .option('--notified <date>', 'notification date (day 0), YYYY-MM-DD or DD/MM/YYYY', parseDate)
    .requiredOption('--option <A|B>', 'case-list option', parseOption)
    .requiredOption('--contacts <file>', 'contacts file (YAML): coordinator and each agency')
    .option(
      '--rehearsal',
      'a rehearsal: the same inspection on a compressed clock, starting now (day 0 is today)',
    )
    .option(...DAY_MINUTES)
    .option('--theme <id>', 'deep-dive theme', DEFAULT_THEME_ID)
    .option(
      '--late-start',
      'start it though some deadlines have passed: each overdue deliverable is escalated at once',
    )
    .option(
      '--answers-due <HH:MM>',
      'Option A: when police, health, YOT and probation answer their questions on the 20 (default 14:00, day 3)',
    )
    .option('--json', 'print as JSON')
    .action(
      async (opts: {
        localAuthority: string;
        lateStart?: boolean;
        answersDue?: string;
        notified?: string;
        option: InspectionOption;
        contacts: string;
        rehearsal?: boolean;
        dayMinutes?: number;
        theme: string;
        json?: boolean;
      }) => {
        const command = lazy.commands().parseCommand('start', {
          localAuthority: opts.localAuthority,
          notifiedOn: opts.notified,
          option: opts.option,
          contacts: await readContacts(opts.contacts),
          themeId: opts.theme,
          rehearsal: opts.rehearsal,
          dayMinutes: opts.dayMinutes,
          lateStart: opts.lateStart,
          twentyAnswersTime: opts.answersDue,
        });
        await withClient(async (client) => {
          const { inspectionId, input } = await lazy.commands().startInspection(client, command);
          const { deliverables, closesAt, rehearsal } = input.schedule;
          if (opts.json)
            return printJson({
              inspectionId,
              deliverables: deliverables.length,
              ...(rehearsal
                ? { rehearsal: { ...rehearsal, startsAt: new Date(rehearsal.startsAt).toISOString() } }
                : {}),
            });
          if (rehearsal)
            console.log(
              `Started REHEARSAL ${inspectionId}: ${deliverables.length} deliverables; each working day lasts ${lazy.rehearsal().dayLengthWords(rehearsal.dayMinutes)} from now. ` +
                `It ends by ${lazy.format().formatUkDateTime(closesAt)} UK time and is purged a day later. Each agency has been sent what it owes (emails say REHEARSAL).`,
            );
          else
            console.log(
              `Started ${inspectionId}: ${deliverables.length} deliverables. Each agency has been sent what it owes.`,
            );
          console.log(`See it with: jtai status ${inspectionId}`);
        });
      },
    );

  program
    .command('status')
    .description('Show every deliverable of an inspection: due, owner, state, what was received, chase log.')
    .argument('<inspection>', 'inspection id')
    .option('--json', 'print as JSON')
    .action(async (inspection: string, opts: { json?: boolean }) =>
      withClient(async (client) => {
        // Run on the host, with the deployment's keys: what a coordinator sees, child IDs included.
        const view = await client.view(inspection, undefined, 'coordinator');
        if (opts.json) printJson(view);
        else console.log(lazy.terminal().formatStatus(view));
      }),
    );

  program
    .command('list')
    .description(
      'Inspections with their stage, next deadline and overdue count, open ones first, a page at a time; rehearsals apart.',
    )
    .option('--page <cursor>', 'the page to show (the command for the next page is printed under each page)')
    .option('--page-size <n>', 'inspections to a page (1 to 500)', '50')
    .option('--json', 'print as JSON')
    .action(async (opts: { page?: string; pageSize: string; json?: boolean }) => {
      const query = lazy.commands().parseCommand('list', opts);
      await withClient(async (client) => {
        const { inspections: all, nextPage } = await client.listPage(query);
        const { inspections, rehearsals } = lazy.readModel().apart(all);
        if (opts.json) return printJson({ inspections, rehearsals, ...(nextPage ? { nextPage } : {}) });
        if (all.length === 0)
          return console.log(
            opts.page ? 'No more inspections.' : 'No inspections yet. Start one with "jtai start".',
          );
        console.log(inspections.length > 0 ? listTable(inspections) : 'No inspections.');
        if (rehearsals.length > 0)
          console.log(`\nREHEARSALS (not real inspections, not counted above):\n${listTable(rehearsals)}`);
        if (nextPage)
          console.log(
            `\nMore: jtai list --page ${nextPage}${opts.pageSize === '50' ? '' : ` --page-size ${opts.pageSize}`}`,
          );
      });
    });

  program
    .command('debrief')
    .description(
      'For each agency and deliverable: sent on time or how late, refused submissions, how long the chase took.',
    )
    .argument('<inspection>', 'inspection id')
    .option('--csv', 'print as CSV (for a spreadsheet)')
    .option('--json', 'print as JSON')
    .action(async (inspection: string, opts: { csv?: boolean; json?: boolean }) =>
      withClient(async (client) => {
        const debrief = await client.debrief(inspection);
        if (opts.json) return printJson(debrief);
        if (opts.csv) return void process.stdout.write(lazy.readModel().debriefCsv(debrief));
        console.log(lazy.terminal().formatDebrief(debrief));
      }),
    );

  program
    .command('submit')
    .description(
      'Record what an agency sent. Files may be given as CODE=path (e.g. 3.1=structure.pdf, KD2=assessment.pdf).',
    )
    .argument('<inspection>', 'inspection id')
    .argument('<deliverable>', 'deliverable id or key (see status)')
    .argument('[files...]', 'files to submit')
    .requiredOption('--agency <agency>', `the agency submitting (${AGENCIES.join(', ')})`, parseAgency)
    .option('--child <id>', 'the tracked child this is for (key documents, joint evaluation, consent)')
    .option('--note <text>', 'a note (e.g. reasons, or "no involvement")')
    .option('--complete', 'documents: all the agency has, even if some codes are missing')
    .option(...UPDATE_ID)
    .option('--json', 'print as JSON')
    .action(
      async (
        inspection: string,
        deliverable: string,
        files: string[],
        opts: {
          agency: AgencyId;
          child?: string;
          note?: string;
          complete?: boolean;
          updateId?: string;
          json?: boolean;
        },
      ) => {
        const { childId, note, complete, updateId, ...c } = lazy.commands().parseCommand('submit', {
          deliverable,
          agency: opts.agency,
          childId: opts.child,
          note: opts.note,
          complete: opts.complete,
          updateId: opts.updateId,
        });
        await withClient(async (client) => {
          const receipt = await client.submit(
            inspection,
            c.deliverable,
            c.agency,
            files.map(parseFileArgument),
            {
              ...(childId ? { childId } : {}),
              ...(note ? { note } : {}),
              ...(complete ? { complete } : {}),
              ...(updateId ? { updateId } : {}),
            },
          );
          if (opts.json) return printJson(receipt);
          console.log(
            `Received ${receipt.deliverableId}${receipt.late ? ' (late)' : ''}${receipt.complete ? '' : '; more is still owed'}.`,
          );
          for (const q of receipt.queries)
            console.log(`  query: row ${q.row}, column "${q.column}": ${q.message}`);
        });
      },
    );

  program
    .command('select')
    .description("Record the lead inspector's selection: --twenty (option A) or --tracked (five to seven).")
    .argument('<inspection>', 'inspection id')
    .option('--twenty <ids...>', 'the children selected for more information (option A, up to 20)')
    .option('--tracked <ids...>', 'the children to be tracked (five to seven)')
    .option(...UPDATE_ID)
    .action(
      async (inspection: string, opts: { twenty?: string[]; tracked?: string[]; updateId?: string }) => {
        if (!!opts.twenty === !!opts.tracked)
          throw new JtaiError('Give either --twenty or --tracked with the child IDs.');
        const command = lazy.commands().parseCommand('select', {
          stage: opts.twenty ? 'twenty' : 'tracked',
          childIds: opts.twenty ?? opts.tracked,
          updateId: opts.updateId,
        });
        await withClient(async (client) => {
          await lazy.commands().perform.select(client, inspection, command);
          console.log(
            `Recorded ${command.childIds.length} children (${command.stage === 'twenty' ? 'selected for more information' : 'tracked'}).`,
          );
        });
      },
    );

  program
    .command('confirm')
    .description('Record a confirmation: "call" (the day-four call), or another confirmation deliverable.')
    .argument('<inspection>', 'inspection id')
    .argument('<what>', 'call, or a deliverable id')
    .option('--note <text>', 'a note')
    .option(...UPDATE_ID)
    .action(async (inspection: string, what: string, opts: { note?: string; updateId?: string }) => {
      const command = lazy.commands().parseCommand('confirm', { deliverable: what, ...opts });
      await withClient(async (client) => {
        const receipt = await lazy.commands().perform.confirm(client, inspection, command);
        console.log(`Recorded ${receipt.deliverableId}${receipt.late ? ' (late)' : ''}.`);
      });
    });

  /** A command on one deliverable of an inspection, with a reason (extend, waive). */
  const onDeliverable = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .argument('<inspection>', 'inspection id')
      .argument('<deliverable>', 'deliverable id or key')
      .requiredOption('--reason <text>', 'why')
      .option('--agency <agency>', 'which agency, when several owe it', parseAgency)
      .option(...UPDATE_ID);
  interface DeliverableOptions {
    reason: string;
    agency?: AgencyId;
    updateId?: string;
  }

  onDeliverable('extend', 'Move a deadline (reminders move with it).')
    .requiredOption(
      '--to <date time>',
      'new deadline, UK time: "2026-11-27 17:00" or "27/11/2026 17:00" (or an ISO instant with offset)',
    )
    .action(async (inspection: string, deliverable: string, opts: DeliverableOptions & { to: string }) => {
      const command = lazy.commands().parseCommand('extend', { deliverable, ...opts });
      await withClient(async (client) => {
        const dueAt = await lazy.commands().perform.extend(client, inspection, command);
        console.log(
          lazy.rehearsal().isRehearsalId(inspection)
            ? `Extended ${command.deliverable} to ${lazy.format().formatUkDateTime(command.to)} of the week rehearsed: ${lazy.format().formatUkDateTime(dueAt)} UK time on the rehearsal's clock.`
            : `Extended ${command.deliverable} to ${lazy.format().formatUkDateTime(dueAt)} UK time.`,
        );
      });
    });

  onDeliverable('waive', 'Waive a deliverable: nothing more is owed and chasing stops.').action(
    async (inspection: string, deliverable: string, opts: DeliverableOptions) => {
      const command = lazy.commands().parseCommand('waive', { deliverable, ...opts });
      await withClient(async (client) => {
        await lazy.commands().perform.waive(client, inspection, command);
        console.log(`Waived ${command.deliverable}.`);
      });
    },
  );

  program
    .command('cancel')
    .description('Cancel an inspection: all chasing stops.')
    .argument('<inspection>', 'inspection id')
    .requiredOption('--reason <text>', 'why')
    .option(...UPDATE_ID)
    .action(async (inspection: string, opts: { reason: string; updateId?: string }) => {
      const command = lazy.commands().parseCommand('cancel', opts);
      await withClient(async (client) => {
        await lazy.commands().perform.cancel(client, inspection, command);
        console.log(`Cancelled ${inspection}.`);
      });
    });

  program
    .command('message')
    .description(
      'Leave an agency a message on its page. Its contact is emailed that there is one, not what it says.',
    )
    .argument('<inspection>', 'inspection id')
    .argument('<agency>', `the agency (${AGENCIES.join(', ')})`)
    .requiredOption('--text <text>', 'the message, plain text (up to 2,000 characters)')
    .option(...UPDATE_ID)
    .action(async (inspection: string, agency: string, opts: { text: string; updateId?: string }) => {
      const command = lazy.commands().parseCommand('message', { agency, ...opts });
      await withClient(async (client) => {
        const id = await lazy.commands().perform.message(client, inspection, command);
        console.log(`Message ${id} left for ${command.agency}; its contact is emailed that there is one.`);
      });
    });

  program
    .command('request')
    .description(
      "Ask an agency for something more during the inspection (CQC's request, the lead inspector's ad-hoc request): chased like the rest.",
    )
    .argument('<inspection>', 'inspection id')
    .requiredOption('--owner <agency>', `the agency asked (${AGENCIES.join(', ')})`)
    .requiredOption('--title <text>', 'what is asked for, in a few words')
    .requiredOption('--description <text>', 'what is asked for')
    .requiredOption('--due <date time>', 'due, UK time: "2026-11-27 17:00" or "27/11/2026 17:00"')
    .option('--kind <kind>', 'documents or confirmation', 'documents')
    .option('--source <source>', 'cqc-request or ad-hoc', 'ad-hoc')
    .option('--child <id...>', 'tracked children it concerns')
    .option(...UPDATE_ID)
    .action(async (inspection: string, opts: Record<string, unknown>) => {
      const { child, ...rest } = opts;
      const command = lazy
        .commands()
        .parseCommand('request', { ...rest, ...(child ? { childIds: child } : {}) });
      await withClient(async (client) => {
        const id = await lazy.commands().perform.request(client, inspection, command);
        console.log(
          `Asked ${command.owner} for "${command.title}" (${id}), due ${lazy.format().formatUkDateTime(command.due)} UK time.`,
        );
      });
    });

  program
    .command('withdraw')
    .description("Withdraw a wrong file an agency sent, before its deadline (as the agency's page does).")
    .argument('<inspection>', 'inspection id')
    .argument('<deliverable>', 'deliverable id')
    .requiredOption('--agency <agency>', 'the agency that sent it', parseAgency)
    .requiredOption('--submission <id>', 'the submission (its id on the receipt or in jtai status --json)')
    .requiredOption('--sha256 <digest>', 'the SHA-256 of the file, as on the receipt')
    .requiredOption('--reason <text>', 'why it is withdrawn')
    .option(...UPDATE_ID)
    .action(
      async (
        inspection: string,
        deliverable: string,
        opts: { agency: AgencyId; submission: string; sha256: string; reason: string; updateId?: string },
      ) => {
        const { submission, ...rest } = opts;
        const command = lazy
          .commands()
          .parseCommand('withdraw', { deliverable, submissionId: submission, ...rest });
        await withClient(async (client) => {
          await lazy.commands().perform.withdraw(client, inspection, command);
          console.log(`Withdrawn from ${command.deliverable}; it no longer counts and is not in the pack.`);
        });
      },
    );

  program
    .command('contacts')
    .description(
      'Replace the contacts of an inspection (a contact has changed); later emails go to the new addresses.',
    )
    .argument('<inspection>', 'inspection id')
    .requiredOption('--contacts <file>', 'contacts file (YAML), as for start')
    .option(...UPDATE_ID)
    .action(async (inspection: string, opts: { contacts: string; updateId?: string }) => {
      const command = lazy.commands().parseCommand('contacts', {
        contacts: await readContacts(opts.contacts),
        updateId: opts.updateId,
      });
      await withClient(async (client) => {
        await lazy.commands().perform.contacts(client, inspection, command);
        console.log(`Contacts of ${inspection} replaced.`);
      });
    });

  program
    .command('candidates')
    .description(
      'Merge lists 6–8 and the YOT and NPS lists into one workbook of the children put forward, for the lead inspector.',
    )
    .argument('<inspection>', 'inspection id')
    .argument('[out]', 'workbook to write', 'candidates.xlsx')
    .action(async (inspection: string, out: string) =>
      withClient(async (client) => {
        const result = await lazy.exports().writeCandidates(client, inspection, out);
        console.log(
          `Wrote ${out}: ${result.candidates.length} children put forward from ${result.reports.length} list(s).`,
        );
      }),
    );

  program
    .command('pack')
    .description(
      'Every file received, in folders per deliverable and agency, with an index (HTML and CSV), as one zip.',
    )
    .argument('<inspection>', 'inspection id')
    .argument('<out.zip>', 'zip file to write')
    .action(async (inspection: string, out: string) =>
      withClient(async (client) => {
        const result = await lazy.exports().writePack(client, inspection, out);
        console.log(`Wrote ${out}: ${result.files} file(s) with index.html and index.csv.`);
      }),
    );

  program
    .command('keys')
    .description("The master key that wraps each inspection's data key.")
    .command('rotate')
    .description(
      'Add a new master key (a new key id) that wraps from now on, and re-wrap every inspection’s data key under it; older keys are kept until retired. With --retire <keyId>: remove that older key instead, once nothing uses it.',
    )
    .option('--retire <keyId>', 'retire this older master key (refused while any data key is wrapped by it)')
    .option('--json', 'print as JSON')
    .action(async (opts: { retire?: string; json?: boolean }) => {
      const masterKey = lazy.masterKey();
      const deployment = deps.deployment();
      let state: MasterKeyState & { rewrapped?: number };
      try {
        state = opts.retire
          ? await masterKey.retireMasterKey(deployment, opts.retire)
          : await masterKey.rotateMasterKey(deployment);
      } catch (err) {
        throw new JtaiError(err instanceof Error ? err.message : String(err));
      }
      if (opts.json) return printJson(state);
      if (opts.retire) console.log(`Master key ${opts.retire} retired.`);
      if (state.rewrapped !== undefined)
        console.log(`New master key ${state.current}: ${state.rewrapped} data key(s) re-wrapped under it.`);
      for (const k of state.keys)
        console.log(
          `  ${k.id}${k.id === state.current ? ' (current)' : ''}: wraps ${k.wraps} data key(s)${k.id !== state.current && k.wraps === 0 ? `; retire with: jtai keys rotate --retire ${k.id}` : ''}`,
        );
    });

  return program;
}

/** `jtai timeline`: a notification date's, or a rehearsal's (exactly one of the two). */
function timelineFor(
  opts: {
    notified?: string;
    rehearsalFrom?: string;
    dayMinutes?: number;
    option: InspectionOption;
    theme: string;
  },
  calendar: WorkingDayCalendar,
): TimelineView {
  if (opts.rehearsalFrom !== undefined) {
    if (opts.notified !== undefined)
      throw new JtaiError('Give either --notified or --rehearsal-from, not both.');
    const c = lazy.commands().parseCommand('rehearsalTimeline', {
      rehearsalFrom: opts.rehearsalFrom,
      dayMinutes: opts.dayMinutes,
      option: opts.option,
      themeId: opts.theme,
    });
    return lazy.timeline().rehearsalTimelineOf({
      startsAt: c.rehearsalFrom,
      dayMinutes: c.dayMinutes,
      option: c.option,
      ...(c.themeId ? { themeId: c.themeId } : {}),
      calendar,
    });
  }
  if (opts.dayMinutes !== undefined)
    throw new JtaiError('--day-minutes is for a rehearsal: give --rehearsal-from with it.');
  if (opts.notified === undefined)
    throw new JtaiError(
      'Give --notified <date>, or --rehearsal-from <instant> and --day-minutes <n> for a rehearsal.',
    );
  return lazy
    .timeline()
    .timelineOf({ notifiedOn: opts.notified, option: opts.option, themeId: opts.theme, calendar });
}

function listTable(summaries: InspectionSummary[]): string {
  return lazy.terminal().table(
    ['Inspection', 'Local authority', 'Stage', 'Next due (UK time)', 'Overdue'],
    summaries.map((s) => [
      s.inspectionId,
      s.localAuthority,
      (s.unavailable
        ? `unavailable: ${s.unavailable}`
        : (lazy.readModel().STAGE_LABELS[s.stage as Stage] ?? s.stage)) +
        (s.mailFailing ? ` (email failing: ${s.mailFailing})` : ''),
      s.nextDue ?? '-',
      String(s.overdue ?? '-'),
    ]),
  );
}

/** A refused list's findings, one line each (the first 20): what to fix, for the person who sent it. */
function listFindings(details: unknown): string[] {
  const findings = Array.isArray(details)
    ? (details as { row: number; column: string; message: string }[])
    : [];
  const lines = findings.slice(0, 20).map((f) => `  ${f.message}`);
  return findings.length > 20 ? [...lines, `  … and ${findings.length - 20} more`] : lines;
}

/** One line for a person; a stack trace only for the unexpected, and only with JTAI_DEBUG. */
export function describeFailure(err: unknown): string {
  if (err instanceof JtaiError && err.type === 'ListInvalid')
    return [err.message, ...listFindings(err.details[0])].join('\n');
  const updateId =
    err instanceof JtaiError ? (err.details[0] as { updateId?: unknown } | undefined)?.updateId : undefined;
  if (err instanceof JtaiError && typeof updateId === 'string')
    // Sent again with the same id, the request counts once whether or not the first was taken late.
    return `${err.message} To send it again, add --update-id ${updateId}: it then counts once.`;
  if (err instanceof JtaiError || err instanceof ContactsError) return err.message;
  if (err instanceof Error) return process.env.JTAI_DEBUG ? (err.stack ?? err.message) : err.message;
  return String(err);
}

/** The whole command line: every command, each loading what it runs when it runs. */
function jtaiProgram(): Command {
  let deployment: Deployment | undefined;
  const program = buildProgram({
    deployment: () => (deployment ??= lazy.infra().createDeployment(lazy.config().loadConfig())),
    connect: (d) => lazy.inspections().InspectionsClient.connect(d),
  });
  // The list commands (templates, validation) need no Temporal.
  registerListsCommands(program);
  return program.exitOverride();
}

/** Runs the command line; bin/jtai calls it in its own process (one node start, not two). */
export async function main(): Promise<void> {
  try {
    await jtaiProgram().parseAsync(process.argv);
  } catch (err) {
    // A gRPC failure's code is a number: only commander's own codes are strings starting "commander.".
    const raw = (err as { code?: unknown }).code;
    const code = typeof raw === 'string' ? raw : '';
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
      process.exit(0);
    if (code.startsWith('commander.')) process.exit(2);
    console.error(`jtai: ${describeFailure(err)}`);
    process.exit(1);
  }
}

/**
 * For the build's code cache (bin/compiled-cli.js): runs the commands that need nothing outside this process,
 * so that V8 caches their code compiled. What they print goes where the build sends it (nowhere). Not the
 * Temporal client's code: with it the cache doubled (2.1 MB), and in two tries with `npm run bench:cli`
 * `jtai timeline` lost about what `jtai list` and `jtai status` gained.
 */
export async function warmUp(): Promise<void> {
  const runs = [
    ['--help'],
    ['status', '--help'],
    ['timeline', '--notified', '2030-01-07'],
    ['timeline', '--notified', '2030-01-07', '--json'],
  ];
  // Every command, not only the top one, throws instead of ending the process on help.
  const quiet = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    command.commands.forEach(quiet);
  };
  for (const args of runs) {
    const program = jtaiProgram();
    quiet(program);
    await program.parseAsync(args, { from: 'user' }).catch(() => undefined); // "help displayed"
  }
}

if (require.main === module) void main();
