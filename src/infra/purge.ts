import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Deployment } from '.';
import { safeSegment } from './files';

/**
 * Delete what jtai itself holds of an inspection: its files, then its data key (crypto-shredding: any copy of
 * the files left anywhere, a backup included, can no longer be opened), and the copies of its emails in the
 * outbox folder. Its Temporal history is deleted by the caller. Safe to run again after a crash midway.
 */
export async function purgeInspectionData(deployment: Deployment, inspectionId: string): Promise<void> {
  const id = safeSegment(inspectionId);
  await deployment.fileStoreFor(id).deleteAll();
  await deployment.dataKeys.destroy(id);
  const outbox = deployment.config.mail.outboxDir;
  const copies = (await readdir(outbox).catch(() => [] as string[])).filter((name) =>
    name.startsWith(`${id}--`),
  );
  for (const name of copies) await rm(path.join(outbox, name), { force: true });
}

/** The outbox file name of an email: the inspection first, so a purge finds its copies. */
export function outboxFileName(inspectionId: string, stamp: string, id: string): string {
  return `${safeSegment(inspectionId)}--${stamp}-${id}.eml`;
}
