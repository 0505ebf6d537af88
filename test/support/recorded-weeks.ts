import type { TestWorkflowEnvironment } from '@temporalio/testing';
import path from 'node:path';
import type { ActivityDependencies } from '../../src/activities';
import { ANNEX_A_DOCUMENTS } from '../../src/timeline/themes/csa-family';
import { AGENCIES, type AgencyId } from '../../src/timeline/types';
import { eventually } from './eventually';
import type { InspectionStatus } from '../../src/workflows/types';
import { at, CONTACTS, notificationMonday, skipTo, type Harness } from './harness';
import { childIds, readingValidator, syntheticCsv } from './list-double';

/**
 * The scripted inspection weeks whose histories test/histories/ holds: `npm run record-history`
 * (scripts/record-history.ts) runs each on a fresh time-skipping server and writes its history, and the
 * tests run the same weeks and check what they did. No assertions here (the script runs outside jest):
 * a step the workflow refuses throws, and the replay test checks what the histories cover.
 */
export interface RecordedWeek {
  /** The history's file in test/histories/. */
  file: string;
  /** Activity dependencies the week runs with (the list-reading double for lists). */
  overrides: Partial<ActivityDependencies>;
  /**
   * Run the week (on a harness whose worker is running) to the workflow's end. `listFile` writes each list it
   * submits (default: the CSV the list-reading double reads; a worker with the real validator needs real lists).
   */
  run(env: TestWorkflowEnvironment, h: Harness, listFile?: ListFile): Promise<WeekOutcome>;
}

/** Writes the file of a list that puts forward `ids`, for `deliverable`; returns its path. */
export type ListFile = (h: Harness, deliverable: string, ids: string[]) => Promise<string>;

const csvListFile: ListFile = (h, deliverable, ids) => h.file(`${deliverable}.csv`, syntheticCsv(ids));

export interface WeekOutcome {
  inspectionId: string;
  notifiedOn: string;
  final: InspectionStatus;
}

export const HISTORIES_DIR = path.join(__dirname, '../histories');
export const HISTORY_KEY = path.join(HISTORIES_DIR, 'payloads.key');

type Client = Harness['client'];

async function submitList(
  h: Harness,
  inspectionId: string,
  deliverable: string,
  agency: AgencyId,
  csv: string,
): ReturnType<Client['submit']> {
  return h.client.submit(inspectionId, deliverable, agency, [
    { path: await h.file(`${deliverable}.csv`, csv) },
  ]);
}

/** The state once the inspection has ended (it then waits out its retention period before it is purged). */
async function finalState(h: Harness, inspectionId: string): Promise<InspectionStatus> {
  return eventually(
    'the inspection to end',
    () => h.client.state(inspectionId),
    (state) => state.endedAt !== undefined || state.cancelled !== undefined,
  );
}

/** Skip to 08:30 on the first holiday-free notification Monday of 2090 and start an Option A inspection. */
async function startOptionA(env: TestWorkflowEnvironment, h: Harness, localAuthority: string) {
  const notifiedOn = notificationMonday('2090-01-01');
  await skipTo(env, at(notifiedOn, 0, '08:30'));
  const { inspectionId } = await h.client.start({
    localAuthority,
    notifiedOn,
    option: 'A',
    contacts: CONTACTS,
  });
  return { inspectionId, notifiedOn };
}

/** A whole Option A inspection, notification to the end of week two, with every agency on time. */
export const OPTION_A_ON_TIME: RecordedWeek = {
  file: 'option-a-on-time.json',
  overrides: { validateListFile: readingValidator },
  async run(env, h, listFile = csvListFile) {
    const { inspectionId, notifiedOn } = await startOptionA(env, h, 'Example Borough');
    const cl = h.client;
    const flagged = childIds('SYN', 30);
    const list = async (deliverable: string, agency: AgencyId, ids: string[]) =>
      cl.submit(inspectionId, deliverable, agency, [{ path: await listFile(h, deliverable, ids) }]);

    // Day 2, before 15:00: lists 6-8, YOT and NPS lists.
    await skipTo(env, at(notifiedOn, 2, '14:00'));
    await list('list-6', 'local-authority', flagged.slice(0, 15));
    await list('list-7', 'local-authority', flagged.slice(10, 25));
    await list('list-8', 'local-authority', flagged.slice(20, 30));
    await list('list-yot', 'youth-justice', flagged.slice(0, 5));
    await list('list-nps', 'probation', flagged.slice(5, 10));

    // Day 3: the lead inspector picks 20; the answers on them; the meetings of the fieldwork week.
    await skipTo(env, at(notifiedOn, 3, '09:20'));
    const twenty = flagged.slice(0, 20);
    await cl.select(inspectionId, 'twenty', twenty);
    // The agencies answer their own questions on the 20 by 14:00 (issue 14).
    await skipTo(env, at(notifiedOn, 3, '11:00'));
    for (const d of (await cl.state(inspectionId)).deliverables.filter((x) => x.kind === 'answers')) {
      const answers = twenty.flatMap((childId, i) =>
        (d.answers?.columns ?? []).map((column) => ({
          childId,
          column,
          value: i % 3 ? ('N' as const) : ('Y' as const),
        })),
      );
      await cl.answerTwenty(inspectionId, d.id, d.owner as AgencyId, answers);
    }
    await skipTo(env, at(notifiedOn, 3, '15:00'));
    await list('list-twenty', 'local-authority', twenty);
    await list('list-meetings', 'local-authority', flagged.slice(0, 3));

    // Day 4: five tracked children, then the call.
    await skipTo(env, at(notifiedOn, 4, '09:50'));
    const tracked = twenty.slice(0, 5);
    await cl.select(inspectionId, 'tracked', tracked);
    await skipTo(env, at(notifiedOn, 4, '11:30'));
    await cl.confirm(inspectionId, 'call', 'Cases confirmed as multi-agency with current work.');

    // Day 6: key documents for each tracked child from each agency; every agency's Annex A documents.
    await skipTo(env, at(notifiedOn, 6, '12:00'));
    for (const agency of ['local-authority', 'police', 'health', 'probation', 'youth-justice'] as const) {
      for (const [i, child] of tracked.entries()) {
        if (i % 2 === 0) {
          await cl.submit(
            inspectionId,
            'key-documents',
            agency,
            [{ path: await h.file('chronology.pdf', `chronology ${agency} ${i}`), code: 'KD9' }],
            { childId: child },
          );
        } else {
          await cl.submit(inspectionId, 'key-documents', agency, [], {
            childId: child,
            note: 'No involvement with this child.',
          });
        }
      }
    }
    for (const agency of AGENCIES) {
      const files = await Promise.all(
        ANNEX_A_DOCUMENTS[agency].map(async (d) => ({
          path: await h.file(`doc-${d.code}.pdf`, `${agency} ${d.code}`),
          code: d.code,
        })),
      );
      await cl.submit(inspectionId, 'annex-a-documents', agency, files);
    }

    // Day 7 10:00: lists 1, 3, 4, 5. Day 8: referrals and joint evaluations. Day 9: consent; CQC request.
    await skipTo(env, at(notifiedOn, 7, '09:00'));
    for (const n of ['1', '3', '4', '5']) await list(`list-${n}`, 'local-authority', flagged.slice(0, 8));
    await skipTo(env, at(notifiedOn, 8, '11:00'));
    await list('list-referrals', 'local-authority', flagged.slice(0, 4));
    for (const child of tracked) {
      await cl.submit(
        inspectionId,
        'joint-evaluation',
        'partnership',
        [{ path: await h.file('evaluation.docx', `evaluation`) }],
        { childId: child },
      );
    }
    await skipTo(env, at(notifiedOn, 9, '10:00'));
    for (const child of tracked) {
      await cl.submit(inspectionId, 'consent', 'local-authority', [], {
        childId: child,
        note: 'Family agreed to meet inspectors.',
      });
    }
    await cl.confirm(inspectionId, 'cqc-health-request');
    return { inspectionId, notifiedOn, final: await finalState(h, inspectionId) };
  },
};

/**
 * An Option A week that uses every update the workflow has, and is cancelled on day 5: a refused list (its
 * refusal comes from the validation activity, so it is in history), a list with a query and the answer to
 * it, both selections and the call, a waiver after a reminder went out, an extension, a link resent and one
 * revoked, new contacts, a document withdrawn, a message, a deliverable added (CQC's request), answers for
 * the 20 (Option A), deadlines
 * missed (escalations), then the cancellation.
 */
export const OPTION_A_EVERY_UPDATE: RecordedWeek = {
  file: 'option-a-every-update.json',
  overrides: { validateListFile: readingValidator, deleteExecution: () => Promise.resolve() },
  async run(env, h) {
    const { inspectionId, notifiedOn } = await startOptionA(env, h, 'Every Borough');
    const cl = h.client;
    const ids = childIds('SYN', 25);

    // Day 1: probation has no cases (after its reminder at 09:00); links resent, one agency's revoked.
    await skipTo(env, at(notifiedOn, 1, '10:00'));
    await cl.waive(inspectionId, 'list-nps', 'No NPS cases meet the criteria.');
    await cl.sendLink(inspectionId, 'police', false);
    await cl.sendLink(inspectionId, 'health', true);

    // Day 2: list 6 refused (an error), then sent again with a query, which the local authority answers.
    await skipTo(env, at(notifiedOn, 2, '10:00'));
    const refused = await submitList(
      h,
      inspectionId,
      'list-6',
      'local-authority',
      `${syntheticCsv(ids.slice(0, 3))}\nSYN0099,b) Female,BAD`,
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    if (!(refused instanceof Error && 'type' in refused && refused.type === 'ListInvalid'))
      throw new Error(`The list with an error was not refused as ListInvalid: ${String(refused)}`);
    const receipt = await submitList(
      h,
      inspectionId,
      'list-6',
      'local-authority',
      `${syntheticCsv(ids)}\nSYN0026,QUERY,N`,
    );
    const query = receipt.queries[0];
    if (!query) throw new Error('The list with a query was recorded without it.');
    await cl.answerQueries(inspectionId, 'list-6', 'local-authority', receipt.submissionId, [
      { row: query.row, column: query.column, query: query.message, answer: 'Checked: the value is right.' },
    ]);
    await skipTo(env, at(notifiedOn, 2, '11:00'));
    await cl.extend(inspectionId, 'list-7', at(notifiedOn, 4, '17:00'), 'The export is being rebuilt.');
    await cl.changeContacts(inspectionId, {
      ...CONTACTS,
      agencies: {
        ...CONTACTS.agencies,
        'local-authority': { ...CONTACTS.agencies['local-authority'], contact: 'la-new@example.org' },
      },
    });
    await submitList(h, inspectionId, 'list-8', 'local-authority', syntheticCsv(ids.slice(20, 25)));
    await submitList(h, inspectionId, 'list-yot', 'youth-justice', syntheticCsv(ids.slice(0, 5)));

    // Days 3 and 4: the selections and the call; the answers on the 20 and the meetings are never sent.
    await skipTo(env, at(notifiedOn, 3, '09:20'));
    const twenty = ids.slice(0, 20);
    await cl.select(inspectionId, 'twenty', twenty);
    // Probation answers its question for five of the 20; the rest is never answered (escalated).
    const probationAnswers = twenty
      .slice(0, 5)
      .map((childId) => ({ childId, column: 'npsAdult', value: 'N' as const }));
    await cl.answerTwenty(inspectionId, 'twenty-answers.probation', 'probation', probationAnswers);
    // The local authority shows probation the 20 children's (synthetic) identifying details.
    await cl.shareTwentyDetails(
      inspectionId,
      ['probation'],
      twenty.map((childId, i) => ({
        childId,
        name: `Synthetic Child ${i + 1}`,
        dateOfBirth: '01/01/2080',
        address: `${i + 1} Example Street`,
      })),
    );
    await skipTo(env, at(notifiedOn, 4, '09:50'));
    await cl.select(inspectionId, 'tracked', twenty.slice(0, 6));
    await skipTo(env, at(notifiedOn, 4, '11:30'));
    await cl.confirm(inspectionId, 'call');

    // Day 4 afternoon: police send a wrong document and withdraw it; the coordinator leaves police a
    // message; CQC asks health for the records of two tracked children, chased as a deliverable of its own.
    await skipTo(env, at(notifiedOn, 4, '14:00'));
    const wrong = await cl.submit(inspectionId, 'annex-a-documents', 'police', [
      { path: await h.file('doc-3.1.pdf', 'police 3.1, the wrong one'), code: '3.1' },
    ]);
    const annexA = (await cl.state(inspectionId)).deliverables.find((d) => d.id === wrong.deliverableId);
    const wrongFile = annexA?.submissions.find((x) => x.id === wrong.submissionId)?.files[0];
    if (!wrongFile) throw new Error('The document police sent was not recorded.');
    await cl.withdraw(
      inspectionId,
      { deliverableId: wrong.deliverableId, submissionId: wrong.submissionId, sha256: wrongFile.sha256 },
      'police',
      'Sent the wrong version.',
    );
    await cl.message(inspectionId, 'police', 'Please send the corrected structure chart by Thursday.');
    await cl.addDeliverable(inspectionId, {
      title: 'CQC request: health records',
      description: 'Health records of two tracked children, as CQC asked.',
      owner: 'health',
      kind: 'documents',
      dueAt: at(notifiedOn, 5, '17:00'),
      source: 'cqc-request',
      childIds: twenty.slice(0, 2),
    });

    // Day 5: escalations for what was missed have gone out; Ofsted postpones the inspection.
    await skipTo(env, at(notifiedOn, 5, '12:00'));
    await cl.cancel(inspectionId, 'Inspection postponed by Ofsted.');
    const final = await finalState(h, inspectionId);
    // Purged at once rather than after its retention: its files and key go; the week keeps its history
    // (deleteExecution does nothing here), so the workflow completes and the history can be recorded.
    await cl.purge(inspectionId);
    await h.client.client.workflow.getHandle(inspectionId).result();
    return { inspectionId, notifiedOn, final };
  },
};

/** Every recorded week, in the order the script records them. */
export const RECORDED_WEEKS: readonly RecordedWeek[] = [OPTION_A_ON_TIME, OPTION_A_EVERY_UPDATE];
