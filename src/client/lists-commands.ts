/**
 * `jtai lists ...`: templates, validation and the candidates workbook, straight on files (no Temporal).
 *
 *   jtai lists template --list 6 [--option B] out.xlsx
 *   jtai lists template --all <dir> [--option B]
 *   jtai lists validate --list <N> <file> [--notified <date>] [--option A|B] [--json]
 *   jtai lists candidates <out.xlsx> --from 6=<file> --from yot=<file> ... [--option A|B]
 *
 * validate exits 0 when there are no errors, 1 when there are, 2 when the file cannot be read as a list.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { UnreadableListError } from '../lists/errors';
import { isListId, LIST_IDS, LIST_TITLES, type ListId } from '../lists/ids';

// Only the light modules up front: each command loads what it runs when it runs (a validation need not load
// the template writer, nor a template the validator). require rather than import(): it loads TypeScript the
// same way under tsx (either loader), jest and compiled code.
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = {
  validate: () => require('../lists/validate') as typeof import('../lists/validate'),
  report: () => require('../lists/report') as typeof import('../lists/report'),
  template: () => require('../lists/template') as typeof import('../lists/template'),
  candidates: () => require('../lists/candidates') as typeof import('../lists/candidates'),
  commands: () => require('./commands') as typeof import('./commands'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * Writes text and resolves once the stream has taken all of it (pipes included), so that an exit straight
 * after never truncates the output. A reader that goes away early (`| head`) is not an error.
 */
export function writeAll(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

/** A usage error: exit status 2, as the rest of the CLI does for bad arguments (1 means "the list has errors"). */
function usage(cmd: Command, message: string): never {
  return cmd.error(message, { exitCode: 2 });
}

function parseList(value: string): ListId {
  if (!isListId(value)) throw new Error(`Unknown list "${value}". Lists are: ${LIST_IDS.join(', ')}.`);
  return value;
}

function parseOption(value: string | undefined): 'A' | 'B' {
  const parsed = lazy.commands().option.safeParse(value ?? 'A');
  if (!parsed.success) throw new Error(`--option must be A or B, not "${value}".`);
  return parsed.data;
}

function parseCount(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${option} must be a whole number of 1 or more, not "${value}".`);
  return n;
}

/** Accepts YYYY-MM-DD or dd/mm/yyyy (the one date parser of every command); returns YYYY-MM-DD. */
export function parseNotified(value: string): string {
  const date = lazy.commands().readDate(value);
  if (!date) throw new Error(`--notified must be a date as YYYY-MM-DD or dd/mm/yyyy, not "${value}".`);
  return date;
}

/** Progress on stderr for files that take more than a moment: a live counter on a terminal, else a line now and then. */
function progressReporter(label: string): { update: (rows: number) => void; stop: () => void } {
  const started = Date.now();
  const tty = Boolean(process.stderr.isTTY);
  let rows = 0;
  let shown = false;
  let lastLine = 0;
  const tick = (): void => {
    const elapsed = Date.now() - started;
    if (elapsed < 1500) return;
    const text = `${label}: ${rows.toLocaleString('en-GB')} rows read (${(elapsed / 1000).toFixed(0)} s)`;
    if (tty) {
      process.stderr.write(`\r${text}\u001b[K`);
      shown = true;
    } else if (elapsed - lastLine >= 5000 || lastLine === 0) {
      process.stderr.write(`${text}\n`);
      lastLine = elapsed || 1;
    }
  };
  const timer = setInterval(tick, 250);
  timer.unref();
  return {
    update: (n) => {
      rows = n;
    },
    stop: () => {
      clearInterval(timer);
      if (shown) process.stderr.write('\r\u001b[K');
    },
  };
}

export function registerListsCommands(program: Command): void {
  const lists = program
    .command('lists')
    .description('Child-level lists (Annex A): templates to fill in, validation, the candidates workbook');

  lists
    .command('template')
    .description(
      'Write a template workbook for a list (header frozen, notes sheet, drop-downs, dd/mm/yyyy dates)',
    )
    .argument('[out]', 'the .xlsx file to write')
    .option('--list <id>', `the list: ${LIST_IDS.join(', ')}`)
    .option('--option <A|B>', 'the inspection option (B adds the seven questions to lists 6-8)', 'A')
    .option('--all <dir>', 'write every list template into this directory')
    .action(
      async (
        out: string | undefined,
        opts: { list?: string; option?: string; all?: string },
        cmd: Command,
      ) => {
        let option: 'A' | 'B';
        try {
          option = parseOption(opts.option);
        } catch (err) {
          return usage(cmd, (err as Error).message);
        }
        const { writeAllTemplates, writeListTemplate } = lazy.template();
        if (opts.all) {
          const written = await writeAllTemplates(opts.all, option);
          await writeAll(process.stdout, `${written.map((p) => `wrote ${p}`).join('\n')}\n`);
          return;
        }
        if (!opts.list || !out) return usage(cmd, 'Give --list <id> and the output file, or --all <dir>.');
        let list: ListId;
        try {
          list = parseList(opts.list);
        } catch (err) {
          return usage(cmd, (err as Error).message);
        }
        await writeListTemplate(list, option, out);
        await writeAll(
          process.stdout,
          `wrote ${out} (${LIST_TITLES[list]}${option === 'B' ? ', Option B' : ''})\n`,
        );
      },
    );

  lists
    .command('validate')
    .description('Check a list (.xlsx or .csv) and report every problem by row and column')
    .argument('<file>', 'the list file')
    .requiredOption('--list <id>', `the list: ${LIST_IDS.join(', ')}`)
    .option('--notified <date>', 'notification date (YYYY-MM-DD or dd/mm/yyyy); ages are checked at it')
    .option('--option <A|B>', 'the inspection option (B: lists 6-8 carry the seven questions)', 'A')
    .option('--json', 'print one JSON object on stdout')
    .option('--max-findings <n>', 'keep at most n errors and n warnings; the rest are counted', '1000')
    .action(
      async (
        file: string,
        opts: { list: string; notified?: string; option?: string; json?: boolean; maxFindings: string },
        cmd: Command,
      ) => {
        let list: ListId;
        let option: 'A' | 'B';
        let notifiedOn: string | undefined;
        let maxFindings: number;
        try {
          list = parseList(opts.list);
          option = parseOption(opts.option);
          notifiedOn = opts.notified === undefined ? undefined : parseNotified(opts.notified);
          maxFindings = parseCount(opts.maxFindings, '--max-findings');
        } catch (err) {
          return usage(cmd, (err as Error).message);
        }
        const progress = progressReporter(`Checking ${basename(file)}`);
        try {
          const { validateListFile } = lazy.validate();
          const report = await validateListFile(list, file, {
            notifiedOn,
            option,
            onProgress: progress.update,
            limits: { errors: maxFindings, warnings: maxFindings },
          });
          progress.stop();
          if (opts.json) {
            const { list: l, file: f, rows, valid, findings, counts } = report;
            // "omitted" only when the findings limit left some out, so a full report keeps its shape.
            const omitted = {
              errors: counts.errors - findings.filter((x) => x.severity === 'error').length,
              warnings: counts.warnings - findings.filter((x) => x.severity === 'warning').length,
            };
            const out = { list: l, file: f, rows, valid, findings };
            await writeAll(
              process.stdout,
              `${JSON.stringify(omitted.errors + omitted.warnings > 0 ? { ...out, omitted } : out)}\n`,
            );
          } else {
            const { formatReport } = lazy.report();
            await writeAll(process.stdout, formatReport(report));
          }
          process.exitCode = report.valid ? 0 : 1;
        } catch (err) {
          progress.stop();
          if (!(err instanceof UnreadableListError)) throw err;
          const message = `cannot read ${basename(file)} as ${LIST_TITLES[list]}: ${err.reason}. ${err.message}`;
          if (opts.json)
            await writeAll(
              process.stdout,
              `${JSON.stringify({ list, file: basename(file), error: err.reason, message: err.message })}\n`,
            );
          await writeAll(process.stderr, `jtai: ${message}\n`);
          process.exitCode = 2;
        }
      },
    );

  lists
    .command('candidates')
    .description(
      'Merge lists 6-8 and the YOT/NPS lists into one workbook of the children put forward for selection',
    )
    .argument('<out>', 'the .xlsx file to write')
    .option(
      '--from <list=file>',
      'a list and its file, for example 6=list6.xlsx (repeat for each list)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--option <A|B>', 'the inspection option (B: with the seven answers)', 'A')
    .option('--notified <date>', 'notification date (YYYY-MM-DD or dd/mm/yyyy)')
    .action(
      async (out: string, opts: { from: string[]; option?: string; notified?: string }, cmd: Command) => {
        let inputs: { list: ListId; filePath: string }[];
        let option: 'A' | 'B';
        let notifiedOn: string | undefined;
        try {
          option = parseOption(opts.option);
          notifiedOn = opts.notified === undefined ? undefined : parseNotified(opts.notified);
          inputs = opts.from.map((s) => {
            const eq = s.indexOf('=');
            if (eq < 1) throw new Error(`--from takes list=file, not "${s}".`);
            return { list: parseList(s.slice(0, eq)), filePath: s.slice(eq + 1) };
          });
          if (inputs.length === 0) throw new Error('Give at least one --from list=file.');
        } catch (err) {
          return usage(cmd, (err as Error).message);
        }
        try {
          const { buildCandidates } = lazy.candidates();
          const result = await buildCandidates(inputs, option, out, { notifiedOn });
          const errors = result.reports.reduce(
            (n, r) => n + r.findings.filter((f) => f.severity === 'error').length,
            0,
          );
          await writeAll(
            process.stdout,
            `wrote ${out}: ${result.candidates.length} children put forward` +
              (errors ? ` (the lists have ${errors} errors: run lists validate on each)` : '') +
              '\n',
          );
        } catch (err) {
          if (!(err instanceof UnreadableListError)) throw err;
          await writeAll(process.stderr, `jtai: ${err.reason}: ${err.message}\n`);
          process.exitCode = 2;
        }
      },
    );
}
