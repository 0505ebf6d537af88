import type { FastifyInstance } from 'fastify';
import { writeCandidates, writePack } from '../../client/exports';
import { auditStaff } from '../audit';
import { sendInspectionCalendar, sendScratchFile } from '../http';
import { signedIn, type IdParams } from './guards';

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
      { preHandler: signedIn },
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

  app.get<{ Params: IdParams }>(
    '/inspections/:id/timeline.ics',
    { preHandler: signedIn },
    async (request, reply) => sendInspectionCalendar(app, reply, request.params.id),
  );
}
