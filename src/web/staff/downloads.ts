import type { FastifyInstance } from 'fastify';
import { writeCandidates, writePack } from '../../client/exports';
import { receivedFileName } from '../../client/read-model';
import { auditCsv, auditStaff, inspectionAudit } from '../audit';
import { sendAttachment, sendError, sendInspectionCalendar, sendScratchFile } from '../http';
import { coordinator, signedIn, type IdParams } from './guards';

/** Kinds a browser shows without running anything: these may be viewed; the rest are only downloaded. */
const VIEWABLE: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};
const DOWNLOAD_TYPES: Record<string, string> = {
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.csv': 'text/csv; charset=utf-8',
};

/** Downloads of an inspection: the inspector pack, the children put forward, the calendar file. */
export function downloads(app: FastifyInstance): void {
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const files = [
    { path: 'pack.zip', type: 'application/zip', write: writePack, action: 'pack.downloaded' },
    { path: 'candidates.xlsx', type: XLSX, write: writeCandidates, action: 'candidates.downloaded' },
  ] as const;
  for (const file of files) {
    app.get<{ Params: IdParams }>(
      `/inspections/:id/${file.path}`,
      // Child IDs: a coordinator's downloads only (managers see counts and progress).
      { preHandler: coordinator },
      async (request, reply) => {
        const { id } = request.params;
        // Child data: written to the audit log before it is sent (no line, no download).
        await auditStaff(app, request, file.action, id);
        return sendScratchFile(app, reply, { name: `${id}-${file.path}`, type: file.type }, (target) =>
          file.write(app.inspections, id, target),
        );
      },
    );
  }

  // The inspection's audit log (who saw or did what, never a child ID): the download is itself a line in it.
  app.get<{ Params: IdParams }>(
    '/inspections/:id/audit.csv',
    { preHandler: coordinator },
    async (request, reply) => {
      const { id } = request.params;
      await app.inspections.state(id); // an inspection that does not exist is a 404, not an empty file
      await auditStaff(app, request, 'audit.exported', id);
      const csv = auditCsv(await inspectionAudit(app, id), app.store.audit.labelOf);
      return sendAttachment(reply, `${id}-audit.csv`, 'text/csv; charset=utf-8', csv);
    },
  );

  /**
   * One received file, viewed or downloaded by a coordinator: found by its SHA-256 among the files received,
   * decrypted into a private scratch folder (its integrity checked there, before a byte is sent), streamed,
   * and removed. Named by what it is, never by the name it was sent with. Audited before it is sent.
   */
  app.get<{ Params: IdParams & { sha256: string }; Querystring: { view?: string } }>(
    '/inspections/:id/files/:sha256',
    { preHandler: coordinator },
    async (request, reply) => {
      const { id, sha256 } = request.params;
      if (!/^[0-9a-f]{64}$/.test(sha256))
        return sendError(request, reply, 404, 'NotFound', 'There is no such file.');
      const [state, received] = await Promise.all([app.inspections.state(id), app.inspections.files(id)]);
      const file = received.find((f) => f.sha256 === sha256);
      if (!file)
        return sendError(request, reply, 404, 'NotFound', 'There is no such file in this inspection.');
      const name = receivedFileName(state, file);
      const extension = /\.[a-z0-9]+$/.exec(name)?.[0] ?? '';
      const inline = request.query.view !== undefined && extension in VIEWABLE;
      const tracked = file.childId === undefined ? -1 : state.selection.tracked.indexOf(file.childId);
      // Child data: written to the audit log before it is sent (no line, no file). The child by position only.
      await auditStaff(app, request, inline ? 'file.viewed' : 'file.downloaded', id, {
        deliverable: file.deliverableId,
        agency: file.agency,
        sha256,
        ...(file.code ? { code: file.code } : {}),
        ...(tracked >= 0 ? { trackedChild: tracked + 1 } : {}),
      });
      if (inline) reply.header('content-security-policy', "sandbox; default-src 'none'; img-src 'self'");
      reply.header('x-content-type-options', 'nosniff');
      const type = VIEWABLE[extension] ?? DOWNLOAD_TYPES[extension] ?? 'application/octet-stream';
      return sendScratchFile(app, reply, { name, type, inline }, (target) =>
        app.deployment.fileStoreFor(id).exportTo(sha256, target),
      );
    },
  );

  app.get<{ Params: IdParams }>(
    '/inspections/:id/timeline.ics',
    { preHandler: signedIn },
    async (request, reply) => sendInspectionCalendar(app, reply, request.params.id),
  );
}
