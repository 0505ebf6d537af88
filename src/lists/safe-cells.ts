/**
 * Text a spreadsheet would run as a formula (CSV injection): the one rule the validator refuses by and every
 * file jtai writes neutralises by. A cell is formula-like when its first visible character is = + - @, or a
 * tab or a carriage return comes before it, and it is not a plain number, a date or a lone dash (the common
 * placeholder for blank). Pure, no imports: the client can use it for the CSVs it writes.
 */

/** A plain number as people type it: sign, digits, thousands commas, decimals. */
export const NUMERIC = /^[-+]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$/;
/** "-", "--" or "---": a blank written as a dash. */
export const LONE_DASH = /^-{1,3}$/;
/** dd/mm/yyyy (also with . or -), optionally with a midnight time. */
export const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?$/;
/** yyyy-mm-dd, optionally with a midnight time. */
export const YMD = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?Z?)?$/;

const TRIGGER = /^[=+\-@]/;
/** A tab or carriage return before the first visible character. */
const LEADING_CONTROL = /^[^\S\t\r]*[\t\r]/;

/** Whether a spreadsheet opening this text as a cell might run it as a formula. */
export function formulaLike(text: string): boolean {
  const c = text.charCodeAt(0);
  // Starts with a letter or a digit: the usual case, decided at once.
  if (c >= 65 || (c >= 48 && c <= 57)) return false;
  const t = text.trim();
  if (t === '' || NUMERIC.test(t) || LONE_DASH.test(t) || DMY.test(t) || YMD.test(t)) return false;
  return TRIGGER.test(t) || LEADING_CONTROL.test(text);
}

/** What makes a formula-like cell so, in words for a message. */
export function formulaStart(text: string): string {
  const m = LEADING_CONTROL.exec(text);
  if (m) return m[0].endsWith('\t') ? 'a tab' : 'a carriage return';
  return `"${text.trim().charAt(0)}"`;
}

/** A text cell made safe to open in a spreadsheet: formula-like text gets a leading apostrophe. */
export function neutraliseCell(text: string): string {
  return formulaLike(text) ? `'${text}` : text;
}

/** One CSV field: neutralised, then quoted when it holds a comma, a quote or a line break. */
export function csvField(text: string): string {
  const safe = neutraliseCell(text);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * A whole CSV file for people: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), CRLF line ends, every
 * cell neutralised and quoted as needed.
 */
export function csvDocument(rows: readonly (readonly (string | number | undefined)[])[]): string {
  const line = (cells: readonly (string | number | undefined)[]) =>
    cells.map((c) => csvField(c === undefined ? '' : String(c))).join(',');
  return `\ufeff${rows.map(line).join('\r\n')}\r\n`;
}

/** Any cell value as written into a workbook: strings neutralised, everything else as it is. */
export function neutraliseValue<T>(value: T): T | string {
  return typeof value === 'string' ? neutraliseCell(value) : value;
}
