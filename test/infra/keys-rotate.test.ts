import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildProgram } from '../../src/client/cli';
import { writePack } from '../../src/client/exports';
import { InspectionsClient } from '../../src/client/inspections';
import { createDeployment } from '../../src/infra';
import { unwrapKey } from '../../src/infra/files/data-keys';
import type { MasterKeyState } from '../../src/infra/master-key';
import { purgeInspectionData } from '../../src/infra/purge';
import { at, CONTACTS, notificationMonday, skipTo, useHarness } from '../support/harness';

/**
 * `jtai keys rotate`: a new master key wraps from then on and every inspection's data key is re-wrapped under
 * it; the old key stays until `--retire`, and is refused retirement while it is the current one. Files are never
 * touched: they still open (in a fresh process, no key cached) after the rotation and after the old key is
 * retired, and the pack builds; a purged inspection's files stay unreadable, even with its old wrapped key from a
 * backup. The running process (this harness's worker and client) follows the keyring file. Time-skipping server.
 */
jest.setTimeout(240_000);
const ctx = useHarness();

/** Run `jtai keys rotate …` in this process on the harness's deployment; its JSON answer. */
async function keys(...args: string[]): Promise<MasterKeyState & { rewrapped?: number }> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const program = buildProgram({
      deployment: () => ctx.h.deployment,
      connect: () => Promise.reject(new Error('keys needs no Temporal')),
    });
    program.exitOverride();
    await program.parseAsync(['node', 'jtai', 'keys', 'rotate', '--json', ...args]);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(written.join('')) as MasterKeyState & { rewrapped?: number };
}

test('rotate, then retire the old master key: files still open and the pack builds; a purged inspection stays unreadable', async () => {
  const { env, h } = ctx;
  const notifiedOn = notificationMonday('2092-01-01');
  await skipTo(env, at(notifiedOn, 1, '10:00'));
  const keyRecord = (id: string) => path.join(h.deployment.config.filesDir, '.keys', `${id}.key`);
  const wrappedBy = async (id: string) =>
    (JSON.parse(await readFile(keyRecord(id), 'utf8')) as { master: string }).master;
  const start = (localAuthority: string) => ({
    localAuthority,
    notifiedOn,
    option: 'A' as const,
    contacts: CONTACTS,
  });
  await h.run(() =>
    h.withInspection(start('Keptshire'), async (kept) =>
      h.withInspection(start('Purgeton'), async (purged) => {
        const content = 'synthetic police structure chart';
        await h.client.submit(kept.inspectionId, 'annex-a-documents', 'police', [
          { path: await h.file('structure.pdf', content), code: '3.1' },
        ]);
        await h.client.submit(purged.inspectionId, 'annex-a-documents', 'police', [
          { path: await h.file('structure.pdf', 'synthetic purged chart'), code: '3.1' },
        ]);
        const [file] = await h.client.files(kept.inspectionId);
        const oldMaster = h.deployment.masterKeyring.current.id;
        expect(await wrappedBy(kept.inspectionId)).toBe(oldMaster);
        // A backup taken before the purge holds the purged inspection's wrapped key.
        const backup = await readFile(keyRecord(purged.inspectionId), 'utf8');
        await purgeInspectionData(h.deployment, purged.inspectionId);

        const rotated = await keys();
        expect(rotated.current).not.toBe(oldMaster);
        expect(rotated.rewrapped).toBe(1); // the kept inspection's; the purged one has no key
        expect(rotated.keys).toEqual([
          { id: rotated.current, wraps: 1 },
          { id: oldMaster, wraps: 0 },
        ]);
        expect(await wrappedBy(kept.inspectionId)).toBe(rotated.current);

        /** In a fresh process (nothing cached): the kept inspection's file opens, and the pack builds. */
        const opensAfresh = async (label: string) => {
          const fresh = createDeployment(h.deployment.config);
          const out = path.join(h.dir, `${label}.pdf`);
          await fresh.fileStoreFor(kept.inspectionId).exportTo(file?.sha256 ?? '', out);
          expect(await readFile(out, 'utf8')).toBe(content);
          const client = new InspectionsClient(h.client.client, fresh);
          const pack = path.join(h.dir, `${label}.zip`);
          expect((await writePack(client, kept.inspectionId, pack)).files).toBe(1);
          expect(existsSync(pack)).toBe(true);
          return fresh;
        };
        await opensAfresh('after-rotate');

        // The current key cannot be retired; the old one can, now that nothing uses it.
        await expect(keys('--retire', rotated.current)).rejects.toThrow(/is the current one/);
        const retired = await keys('--retire', oldMaster);
        expect(retired.keys.map((k) => k.id)).toEqual([rotated.current]);
        expect(await readFile(path.join(h.deployment.config.keysDir, 'files.key'), 'utf8')).not.toContain(
          oldMaster,
        );
        const fresh = await opensAfresh('after-retire');

        // The purged inspection: no key is made for it again, and its backed-up wrapped key no longer opens.
        await expect(fresh.dataKeys.keyFor(purged.inspectionId)).rejects.toThrow(/has been purged/);
        expect(() => unwrapKey(fresh.masterKeyring, purged.inspectionId, backup)).toThrow(/does not hold/);

        // The running process follows the keyring file: what it seals now is wrapped by the new key.
        await h.withInspection(start('Newfield'), async (later) => {
          await h.client.submit(later.inspectionId, 'annex-a-documents', 'police', [
            { path: await h.file('structure.pdf', 'synthetic later chart'), code: '3.1' },
          ]);
          expect(await wrappedBy(later.inspectionId)).toBe(rotated.current);
        });
      }),
    ),
  );
});
