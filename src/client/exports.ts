import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { themeById } from '../timeline/themes';
import { buildCandidates, CANDIDATE_LISTS, listWarningsCsv, writeInspectorPack, type ListId } from '../lists';
import type { Instant } from '../timeline/types';
import type { InspectionRecord, ListQuery, SubmittedFile } from '../workflows/types';
import { JtaiError, type InspectionsClient } from './inspections';
import {
  evaluationHeaderOf,
  extensionOf,
  packContent,
  packedListSubmission,
  packedQueryAnswers,
  type ListQueriesInPack,
} from './read-model/pack';

/**
 * What leaves the file store: the candidates workbook the lead inspector chooses from, and the
 * inspector pack. Files are decrypted into a private scratch folder that is removed afterwards.
 */

/** Decrypt a stored file under `dir`, named by its hash (never by the name an agency gave it). */
async function exportFile(
  client: InspectionsClient,
  inspectionId: string,
  file: SubmittedFile,
  dir: string,
): Promise<string> {
  const target = path.join(dir, `${file.sha256}${extensionOf(file.name)}`);
  await client.deployment.fileStoreFor(inspectionId).exportTo(file.sha256, target);
  return target;
}

/** Merge the lists received (6–8, YOT, NPS) into one workbook of the children put forward for selection. */
export async function writeCandidates(client: InspectionsClient, inspectionId: string, outPath: string) {
  const state = await client.state(inspectionId);
  const received = state.deliverables.filter(
    (d) => d.list && (CANDIDATE_LISTS as readonly string[]).includes(d.list) && d.submissions.length > 0,
  );
  if (received.length === 0) throw new JtaiError('No lists 6, 7, 8, YOT or NPS have been received yet.');
  return client.deployment.scratch.use('export', async (dir) => {
    const inputs = [];
    for (const d of received) {
      const latest = d.submissions.at(-1)?.files[0];
      if (latest)
        inputs.push({
          list: d.list as ListId,
          filePath: await exportFile(client, inspectionId, latest, dir),
        });
    }
    return buildCandidates(inputs, state.option, outPath, { notifiedOn: state.notifiedOn });
  });
}

/**
 * The inspector pack (see read-model/pack.ts): a folder per tracked child, the Annex A documents, the lists, and
 * an index of everything asked for, as it stands at `at`.
 */
export async function writePack(
  client: InspectionsClient,
  inspectionId: string,
  outZip: string,
  at: Instant = Date.now(),
) {
  const [state, received] = await Promise.all([client.state(inspectionId), client.files(inspectionId)]);
  if (received.length === 0) throw new JtaiError('Nothing has been received yet: the pack would be empty.');
  return client.deployment.scratch.use('export', async (dir) => {
    const paths = new Map<string, string>();
    for (const f of received)
      if (!paths.has(f.sha256)) paths.set(f.sha256, await exportFile(client, inspectionId, f, dir));
    // Annex B's header items (age, individual needs) from each child's latest joint evaluation made with the form.
    const labels = (themeById(state.themeId).evaluationHeader ?? []).map((h) => h.label);
    const childFacts: Record<string, { label: string; value: string }[]> = {};
    for (const f of received) {
      const d = state.deliverables.find((x) => x.id === f.deliverableId);
      if (!f.childId || d?.kind !== 'evaluation' || d.owner !== 'partnership' || !f.name.endsWith('.txt'))
        continue;
      const facts = evaluationHeaderOf(await readFile(paths.get(f.sha256) ?? '', 'utf8'), labels);
      if (facts.length > 0) childFacts[f.childId] = facts;
    }
    const listQueries = await listQueriesForPack(client, inspectionId, state, dir);
    return writeInspectorPack(
      packContent(state, received, at, (f) => paths.get(f.sha256) ?? '', { childFacts, listQueries }),
      outZip,
    );
  });
}

/**
 * Each list's warnings (every one, from the store's JSON, written out as a CSV under `dir`) and the agency's
 * answers to them, for the lists the pack holds.
 */
async function listQueriesForPack(
  client: InspectionsClient,
  inspectionId: string,
  state: InspectionRecord,
  dir: string,
): Promise<Record<string, ListQueriesInPack>> {
  const found: Record<string, ListQueriesInPack> = {};
  for (const d of state.deliverables) {
    const warningsFile = packedListSubmission(d)?.queriesFile;
    if (!warningsFile) continue;
    const warnings = JSON.parse(
      await readFile(await exportFile(client, inspectionId, warningsFile, dir), 'utf8'),
    ) as ListQuery[];
    const csv = listWarningsCsv(warnings);
    const csvPath = path.join(dir, `${warningsFile.sha256}.csv`);
    await writeFile(csvPath, csv, { mode: 0o600 });
    const answers = packedQueryAnswers(d);
    found[d.id] = {
      warnings: { path: csvPath, sha256: createHash('sha256').update(csv).digest('hex') },
      ...(answers && {
        answers: {
          path: await exportFile(client, inspectionId, answers.file, dir),
          sha256: answers.file.sha256,
          at: answers.at,
        },
      }),
    };
  }
  return found;
}
