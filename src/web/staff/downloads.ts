import type { FastifyInstance } from 'fastify';
import { writeCandidates, writePack } from '../../client/exports';
import { auditCsv, auditStaff, inspectionAudit } from '../audit';
import { sendAttachment, sendInspectionCalendar, sendScratchFile } from '../http';
import { coordinator, signedIn, type IdParams } from './guards';

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

  app.get<{ Params: IdParams }>(
    '/inspections/:id/timeline.ics',
    { preHandler: signedIn },
    async (request, reply) => sendInspectionCalendar(app, reply, request.params.id),
  );
}
