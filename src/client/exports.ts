import path from 'node:path';
import { buildCandidates, CANDIDATE_LISTS, writeInspectorPack, type ListId, type PackEntry } from '../lists';
import type { SubmittedFile } from '../workflows/types';
import { JtaiError, type InspectionsClient } from './inspections';

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
  const extension =
    /\.(xlsx|csv|pdf|docx?|xls|txt|zip|png|jpe?g|odt|ods)$/i.exec(file.name)?.[0]?.toLowerCase() ?? '';
  const target = path.join(dir, `${file.sha256}${extension}`);
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

/** Every file received, in folders per deliverable and agency, with an index (HTML and CSV). */
export async function writePack(client: InspectionsClient, inspectionId: string, outZip: string) {
  const received = await client.files(inspectionId);
  return client.deployment.scratch.use('export', async (dir) => {
    const entries: PackEntry[] = [];
    const bySubmission = new Map<string, PackEntry>();
    for (const f of received) {
      let entry = bySubmission.get(f.submissionId);
      if (!entry) {
        entry = {
          deliverable: f.deliverableId,
          agency: f.agency,
          receivedAt: new Date(f.at).toISOString(),
          late: f.late,
          files: [],
        };
        bySubmission.set(f.submissionId, entry);
        entries.push(entry);
      }
      entry.files.push({
        name: f.name,
        sha256: f.sha256,
        path: await exportFile(client, inspectionId, f, dir),
      });
    }
    if (entries.length === 0) throw new JtaiError('Nothing has been received yet: the pack would be empty.');
    return writeInspectorPack(entries, outZip);
  });
}
