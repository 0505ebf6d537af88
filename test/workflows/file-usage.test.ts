import { fileUsageOf, statusView, SUBMISSIONS_SHOWN } from '../../src/workflows/status';
import type { InspectionState, Submission } from '../../src/workflows/types';

/** The `fileUsage` query's answer, from the whole state: what a refused upload may delete, and the quotas. */
const hash = (n: number) => n.toString(16).padStart(64, '0');

function submission(n: number, extra: Partial<Submission> = {}): Submission {
  return {
    id: `s${n}`,
    agency: 'police',
    at: 0,
    late: false,
    files: [{ name: `synthetic-${n}.pdf`, sha256: hash(n), size: 100 }],
    ...extra,
  };
}

// Only what fileUsageOf reads; the rest of an inspection's state plays no part in it.
const state = {
  candidates: { SYN0001: ['6'] },
  deliverables: [
    {
      id: 'annex-a-documents.police',
      submissions: Array.from({ length: SUBMISSIONS_SHOWN + 5 }, (_, i) =>
        submission(
          i + 1,
          i === 0 ? { queriesFile: { name: 'queries.csv', sha256: hash(900), size: 7 } } : {},
        ),
      ),
    },
    {
      id: 'list-6',
      submissions: [{ ...submission(500), agency: 'local-authority' }],
      queryAnswers: [
        {
          submissionId: 's500',
          agency: 'local-authority',
          at: 0,
          file: { name: 'answers-to-queries.csv', sha256: hash(501), size: 50 },
        },
      ],
    },
  ],
} as unknown as InspectionState;

test('hashes named anywhere in the state count, including submissions the bounded status leaves out', () => {
  // The status shows the latest submissions only: the first (and its warnings file) is not in it.
  expect(JSON.stringify(statusView(state))).not.toContain(hash(1));
  const asked = [hash(1), hash(900), hash(25), hash(501), hash(777)];
  expect(fileUsageOf(state, asked).referenced).toEqual([hash(1), hash(900), hash(25), hash(501)]);
  expect(fileUsageOf(state, []).referenced).toEqual([]);
});

test("each agency's accepted files and bytes: its submissions' files and its answers, not warnings files", () => {
  expect(fileUsageOf(state, []).byAgency).toEqual({
    police: { files: SUBMISSIONS_SHOWN + 5, bytes: (SUBMISSIONS_SHOWN + 5) * 100 },
    'local-authority': { files: 2, bytes: 150 },
  });
});
