/**
 * The inspector pack: every file received, in folders per deliverable and agency, with an index in HTML (to
 * print for the inspectors' arrival) and CSV (deliverable, agency, received when, late or not, file names,
 * SHA-256). File names come from uploaders: they are sanitised and never used as paths.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { DateTime } from 'luxon';
import { csvField, neutraliseCell } from './safe-cells';

export interface PackEntry {
  deliverable: string;
  agency: string;
  /** When it was received: an ISO 8601 instant (or epoch milliseconds as a string). */
  receivedAt: string;
  late: boolean;
  files: { name: string; path: string; sha256: string }[];
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

interface IndexRow {
  deliverable: string;
  agency: string;
  received: string;
  late: boolean;
  file: string;
  path: string;
  sha256: string;
}

function indexCsv(rows: IndexRow[]): string {
  const lines = [['deliverable', 'agency', 'received', 'late', 'file', 'path in pack', 'sha256'].join(',')];
  for (const r of rows)
    lines.push(
      [r.deliverable, r.agency, r.received, r.late ? 'late' : 'on time', r.file, r.path, r.sha256]
        .map(csvField)
        .join(','),
    );
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

function indexHtml(rows: IndexRow[], generated: string): string {
  const body = rows
    .map(
      (r) =>
        `<tr${r.late ? ' class="late"' : ''}><td>${html(r.deliverable)}</td><td>${html(r.agency)}</td><td>${html(r.received)}</td><td>${r.late ? 'Late' : 'On time'}</td><td><a href="${escapeHtml(r.path.split('/').map(encodeURIComponent).join('/'))}">${html(r.file)}</a></td><td><code>${html(r.sha256)}</code></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>JTAI inspector pack: index</title>
<style>
body { font-family: Arial, sans-serif; font-size: 11pt; margin: 1.5em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #ddebf7; }
tr.late td:nth-child(4) { font-weight: bold; }
code { font-size: 8pt; word-break: break-all; }
@media print { a { color: inherit; text-decoration: none; } }
</style>
</head>
<body>
<h1>JTAI inspector pack</h1>
<p>Every file received, by deliverable and agency. Generated ${html(generated)}. ${rows.length} file${rows.length === 1 ? '' : 's'}.</p>
<table>
<thead><tr><th>Deliverable</th><th>Agency</th><th>Received</th><th>Late</th><th>File</th><th>SHA-256</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}

/** Writes the pack. Each file is checked against its recorded SHA-256 first; a mismatch stops the pack. */
export async function writeInspectorPack(entries: PackEntry[], outZip: string): Promise<PackResult> {
  const rows: IndexRow[] = [];
  const plan: { source: string; name: string }[] = [];
  const usedFolders = new Map<string, Set<string>>();
  for (const e of entries) {
    let top = sanitiseName(e.deliverable, 'deliverable');
    if (/^index\.(html|csv)$/i.test(top)) top = `_${top}`;
    const folder = `${top}/${sanitiseName(e.agency, 'agency')}`;
    let used = usedFolders.get(folder);
    if (!used) usedFolders.set(folder, (used = new Set()));
    for (const f of e.files) {
      const actual = await sha256Of(f.path);
      if (actual !== f.sha256.toLowerCase())
        throw new Error(
          `The stored copy of "${sanitiseName(f.name, 'file')}" (${e.deliverable}, ${e.agency}) does not match its recorded SHA-256; the pack was not written.`,
        );
      const name = uniqueIn(used, sanitiseName(f.name, 'file'));
      const path = `${folder}/${name}`;
      plan.push({ source: f.path, name: path });
      rows.push({
        deliverable: e.deliverable,
        agency: e.agency,
        received: ukTime(e.receivedAt),
        late: e.late,
        // eslint-disable-next-line no-control-regex -- removing control characters is the point
        file: f.name.replace(/[\u0000-\u001f\u007f]/g, ''),
        path,
        sha256: actual,
      });
    }
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
  archive.append(indexHtml(rows, generated), { name: 'index.html' });
  archive.append(indexCsv(rows), { name: 'index.csv' });
  for (const p of plan) archive.file(p.source, { name: p.name });
  await archive.finalize();
  await done;
  return { files: plan.length, paths: plan.map((p) => p.name) };
}
