/**
 * The inspector pack, printed for the inspectors' arrival: a folder per tracked child ("Tracked child 1" …, the
 * child's ID only on the cover sheet inside), the Annex A documents by agency and code, the lists, and an index
 * (HTML to print, CSV to sort) of everything asked for: received when, late, outstanding, waived or extended.
 * What goes where is decided by the caller (src/client/read-model/pack.ts); here every name is made a safe path
 * segment, every text escaped, and every file checked against its SHA-256 before the zip is written. Files are
 * named by what they are (code, title, agency), never by the name an uploader gave them (it may name a child).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { DateTime } from 'luxon';
import { csvDocument, neutraliseCell } from './safe-cells';

/** A received file and where it goes: its folders and its name, both for people. */
export interface PackFile {
  folder: string[];
  /** What it is, without extension: `KD9 Chronology of significant events`, `Joint evaluation`. */
  name: string;
  /** `.pdf`, `.xlsx`, or empty. */
  extension: string;
  /** Its decrypted copy on disk. */
  path: string;
  sha256: string;
}

/** A line of the index: something asked for, its state, and the file that answers it (if one does). */
export interface PackRow {
  /** `Tracked child 1`, `Annex A documents`, `Lists`: the index's sections, in order of first appearance. */
  section: string;
  agency: string;
  code?: string;
  title: string;
  /** `received`, `received late`, `outstanding`, `overdue`, `waived: reason`, `extended to …` */
  status: string;
  due?: string;
  received?: string;
  file?: PackFile;
  /** A note sent instead of (or with) files: written into the pack as a page of its own, where `folder` says. */
  note?: { folder: string[]; name: string; text: string };
}

/** A tracked child's cover sheet: the facts (the child's ID among them) and the agencies' notes. */
export interface PackCover {
  /** The section (and folder) it heads: `Tracked child 1`. */
  section: string;
  facts: { label: string; value: string }[];
  notes: { label: string; text: string }[];
}

export interface PackContent {
  title: string;
  /** About the inspection (local authority, notification date, option). */
  facts: { label: string; value: string }[];
  rows: PackRow[];
  covers: PackCover[];
}

export interface PackResult {
  files: number;
  /** Paths inside the zip, in index order. */
  paths: string[];
}

const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
const MAX_NAME = 120;

/** A safe single path segment: no separators, no control characters, no leading dots, not reserved. */
export function sanitiseName(raw: string, fallback: string): string {
  let s = raw.normalize('NFC');
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  s = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  s = s.replace(/[/\\:*?"<>|]/g, '_');
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (RESERVED.test(s)) s = `_${s}`;
  if (s.length > MAX_NAME) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 10 ? s.slice(dot) : '';
    s = s.slice(0, MAX_NAME - ext.length) + ext;
  }
  return s || fallback;
}

function uniqueIn(used: Set<string>, name: string): string {
  let candidate = name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 2; used.has(candidate.toLowerCase()); i++) candidate = `${stem} (${i})${ext}`;
  used.add(candidate.toLowerCase());
  return candidate;
}

export function ukTime(receivedAt: string): string {
  const dt = /^\d+$/.test(receivedAt)
    ? DateTime.fromMillis(Number(receivedAt), { zone: 'utc' })
    : DateTime.fromISO(receivedAt, { zone: 'utc' });
  if (!dt.isValid) return receivedAt;
  return `${dt.setZone('Europe/London').toFormat('ccc d LLL yyyy, HH:mm')} UK time`;
}

async function sha256Of(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function escapeHtml(v: string): string {
  return v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text shown in the HTML index: neutralised (it may be pasted into a spreadsheet), then escaped. */
function html(v: string): string {
  return escapeHtml(neutraliseCell(v));
}

/** A relative link inside the pack, from the folder `from` ('' for the top) to the file at `path`. */
function href(path: string, from: string): string {
  const inside = from && path.startsWith(`${from}/`);
  const rest = inside ? path.slice(from.length + 1) : path;
  const up = from && !inside ? from.split('/').map(() => '..') : [];
  return escapeHtml([...up, ...rest.split('/').map(encodeURIComponent)].join('/'));
}

const INDEX_COLUMNS = ['Agency', 'Code', 'What', 'Status', 'Due', 'Received', 'File in pack'];

function rowsTable(rows: (PackRow & { path?: string })[], from: string): string {
  const body = rows
    .map((r) => {
      const cls = /^(outstanding|overdue)/.test(r.status) ? ' class="open"' : '';
      const file = r.path
        ? `<a href="${href(r.path, from)}">${html(r.path.split('/').at(-1) ?? '')}</a>`
        : '';
      return `<tr${cls}><td>${html(r.agency)}</td><td>${html(r.code ?? '')}</td><td>${html(r.title)}</td><td>${html(r.status)}</td><td>${html(r.due ?? '')}</td><td>${html(r.received ?? '')}</td><td>${file}</td></tr>`;
    })
    .join('\n');
  return `<table>
<thead><tr>${INDEX_COLUMNS.map((c) => `<th scope="col">${c}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${html(title)}</title>
<style>
body { font-family: Arial, sans-serif; font-size: 11pt; margin: 1.5em; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }
th, td { border: 1px solid #999; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #ddebf7; }
tr.open td:nth-child(4) { font-weight: bold; }
dl { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; }
dt { font-weight: bold; }
dd { margin: 0; }
h2 { break-before: auto; margin-top: 1.5em; }
.note { white-space: pre-wrap; border-left: 4px solid #999; padding-left: 8px; }
@media print { a { color: inherit; text-decoration: none; } section.child { break-before: page; } }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

const facts = (xs: { label: string; value: string }[]) =>
  `<dl>\n${xs.map((f) => `<dt>${html(f.label)}</dt><dd>${html(f.value)}</dd>`).join('\n')}\n</dl>`;

function coverHtml(
  content: PackContent,
  cover: PackCover,
  folder: string,
  rows: (PackRow & { path?: string })[],
): string {
  const notes = cover.notes
    .map((n) => `<h3>${html(n.label)}</h3>\n<p class="note">${html(n.text)}</p>`)
    .join('\n');
  return page(
    `${cover.section}: cover sheet`,
    `<h1>${html(cover.section)}</h1>
${facts([...cover.facts, ...content.facts])}
<h2>What the agencies sent for this child</h2>
${rowsTable(rows, folder)}
${notes ? `<h2>Notes from the agencies</h2>\n${notes}` : ''}`,
  );
}

function indexHtml(
  content: PackContent,
  rows: (PackRow & { path?: string })[],
  covers: Map<string, string>,
  generated: string,
): string {
  const sections = [...new Set(rows.map((r) => r.section))];
  const body = sections
    .map((section) => {
      const cover = covers.get(section);
      const link = cover ? `<p><a href="${href(cover, '')}">Cover sheet</a></p>\n` : '';
      const cls = cover ? ' class="child"' : '';
      return `<section${cls}>\n<h2>${html(section)}</h2>\n${link}${rowsTable(
        rows.filter((r) => r.section === section),
        '',
      )}\n</section>`;
    })
    .join('\n');
  const files = rows.filter((r) => r.path).length;
  return page(
    `${content.title}: index`,
    `<h1>${html(content.title)}</h1>
${facts([...content.facts, { label: 'Generated', value: generated }])}
<p>${files} file${files === 1 ? '' : 's'} received. Each tracked child's folder holds a cover sheet with the child's ID.</p>
${body}`,
  );
}

function indexCsv(rows: (PackRow & { path?: string })[]): string {
  const head = ['section', 'agency', 'code', 'what', 'status', 'due', 'received', 'file in pack', 'sha256'];
  return csvDocument([
    head,
    ...rows.map((r) => [
      r.section,
      r.agency,
      r.code,
      r.title,
      r.status,
      r.due,
      r.received,
      r.path,
      r.file?.sha256,
    ]),
  ]);
}

/** The warnings a list was accepted with (the store's queries file, every one), for people: one line each. */
export function listWarningsCsv(
  warnings: readonly { row: number; column: string; code: string; message: string }[],
): string {
  return csvDocument([
    ['Row', 'Column', 'Check', 'What to check'],
    ...warnings.map((w) => [w.row, w.column, w.code, w.message]),
  ]);
}

const TOP_RESERVED = /^index\.(html|csv)$/i;

/** Writes the pack. Each file is checked against its recorded SHA-256 first; a mismatch stops the pack. */
export async function writeInspectorPack(content: PackContent, outZip: string): Promise<PackResult> {
  const usedFolders = new Map<string, Set<string>>();
  const placed = new Map<PackFile, string>();
  const plan: { source: string; name: string }[] = [];
  const folderOf = (segments: string[]) =>
    segments
      .map((s, i) => {
        const name = sanitiseName(s, 'folder');
        return i === 0 && TOP_RESERVED.test(name) ? `_${name}` : name;
      })
      .join('/');
  const rows: (PackRow & { path?: string })[] = [];
  const notes: { name: string; text: string }[] = [];
  for (const row of content.rows) {
    const f = row.file;
    if (row.note) {
      const folder = folderOf(row.note.folder);
      let used = usedFolders.get(folder);
      if (!used) usedFolders.set(folder, (used = new Set(['cover sheet.html'])));
      const name = uniqueIn(used, sanitiseName(`${row.note.name}.html`, 'Note.html'));
      const path = folder ? `${folder}/${name}` : name;
      notes.push({
        name: path,
        text: page(
          row.title,
          `<h1>${html(row.title)}</h1>\n${facts([
            { label: 'From', value: row.agency },
            ...(row.received ? [{ label: 'Received', value: row.received }] : []),
          ])}\n<p class="note">${html(row.note.text)}</p>`,
        ),
      });
      rows.push({ ...row, path });
      continue;
    }
    if (!f) {
      rows.push(row);
      continue;
    }
    let path = placed.get(f);
    if (!path) {
      const actual = await sha256Of(f.path);
      if (actual !== f.sha256.toLowerCase())
        throw new Error(
          `The stored copy of "${sanitiseName(f.name, 'file')}" (${row.agency}) does not match its recorded SHA-256; the pack was not written.`,
        );
      const folder = folderOf(f.folder);
      let used = usedFolders.get(folder);
      if (!used) usedFolders.set(folder, (used = new Set(['cover sheet.html'])));
      const extension = /^\.[A-Za-z0-9]{1,8}$/.test(f.extension) ? f.extension.toLowerCase() : '';
      const name = uniqueIn(used, sanitiseName(`${f.name}${extension}`, `file${extension}`));
      path = folder ? `${folder}/${name}` : name;
      placed.set(f, path);
      plan.push({ source: f.path, name: path });
    }
    rows.push({ ...row, path });
  }

  const covers = new Map<string, string>();
  const coverPages: { name: string; text: string }[] = [];
  for (const cover of content.covers) {
    const folder = folderOf([cover.section]);
    const name = `${folder}/Cover sheet.html`;
    covers.set(cover.section, name);
    coverPages.push({
      name,
      text: coverHtml(
        content,
        cover,
        folder,
        rows.filter((r) => r.section === cover.section),
      ),
    });
  }

  const output = createWriteStream(outZip);
  // archiver is loaded when a pack is written, not when the lists are imported.
  const { default: archiver } = await import('archiver');
  const archive = archiver('zip', { zlib: { level: 6 } });
  const done = new Promise<void>((resolve, reject) => {
    output.on('close', () => resolve());
    output.on('error', reject);
    archive.on('error', reject);
    archive.on('warning', reject);
  });
  archive.pipe(output);
  const generated = ukTime(new Date().toISOString());
  archive.append(indexHtml(content, rows, covers, generated), { name: 'index.html' });
  archive.append(indexCsv(rows), { name: 'index.csv' });
  for (const c of [...coverPages, ...notes]) archive.append(c.text, { name: c.name });
  for (const p of plan) archive.file(p.source, { name: p.name });
  await archive.finalize();
  await done;
  return { files: plan.length, paths: plan.map((p) => p.name) };
}
