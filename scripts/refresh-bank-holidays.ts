/**
 * Refreshes the vendored bank holiday snapshot from gov.uk (for deployments with internet access):
 *
 *   npx tsx scripts/refresh-bank-holidays.ts
 *
 * Takes `england-and-wales.events`, merges it into src/timeline/data/bank-holidays-england-and-wales.json
 * (gov.uk is authoritative for the years it lists; other years are kept), writes the file sorted and
 * reports what changed. Offline or on a bad response it fails with one line and leaves the file alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  bankHolidayYears,
  fromGovUkEvent,
  mergeBankHolidays,
  serialiseBankHolidays,
  type BankHoliday,
} from '../src/timeline/bank-holidays';

const SOURCE_URL = 'https://www.gov.uk/bank-holidays.json';
const DATA_FILE = join(__dirname, '..', 'src', 'timeline', 'data', 'bank-holidays-england-and-wales.json');

const govUkSchema = z.object({
  'england-and-wales': z.object({
    events: z
      .array(
        z.object({
          date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          title: z.string().min(1),
          notes: z.string().optional(),
        }),
      )
      .min(1),
  }),
});

class RefreshError extends Error {}

async function download(): Promise<BankHoliday[]> {
  let response: Response;
  try {
    response = await fetch(SOURCE_URL, { signal: AbortSignal.timeout(20_000) });
  } catch (error) {
    // fetch hides the useful part (ENOTFOUND, ECONNREFUSED, timeout) in `cause`.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    throw new RefreshError(`cannot download ${SOURCE_URL} (${describe(cause)})`);
  }
  if (!response.ok)
    throw new RefreshError(`${SOURCE_URL} answered HTTP ${response.status} ${response.statusText}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new RefreshError(`${SOURCE_URL} did not return JSON`);
  }
  const parsed = govUkSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RefreshError(
      `${SOURCE_URL} is not in the expected shape (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown'})`,
    );
  }
  return parsed.data['england-and-wales'].events.map(fromGovUkEvent);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}

async function main(): Promise<void> {
  const snapshot = JSON.parse(readFileSync(DATA_FILE, 'utf8')) as BankHoliday[];
  const { merged, added, removed, retitled } = mergeBankHolidays(snapshot, await download());
  writeFileSync(DATA_FILE, serialiseBankHolidays(merged));
  const years = bankHolidayYears(merged);
  console.log(
    `Bank holidays: ${added.length} added, ${removed.length} removed, ${retitled.length} retitled; ` +
      `${merged.length} in the snapshot${years ? ` (${years.first}–${years.last})` : ''}.`,
  );
  for (const holiday of added) console.log(`  + ${holiday.date} ${holiday.title}`);
  for (const holiday of removed) console.log(`  - ${holiday.date} ${holiday.title}`);
  for (const holiday of retitled) console.log(`  ~ ${holiday.date} ${holiday.title}`);
}

main().catch((error: unknown) => {
  const message = error instanceof RefreshError ? error.message : describe(error);
  console.error(`refresh-bank-holidays: ${message}; the snapshot is unchanged.`);
  process.exitCode = 1;
});
