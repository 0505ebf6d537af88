import type { Deployment } from '.';
import { retireKey, rotateKeyring } from './keys';

/**
 * The master key that wraps each inspection's data key (`files` keyring), rotated and retired by `jtai keys`.
 * Files are never touched: a rotation re-wraps the data keys only. Running processes follow the keyring file
 * (liveKeyring), so they wrap with the new key and open what was re-wrapped without a restart.
 */
export interface MasterKeyState {
  current: string;
  /** Each key id in the keyring, with how many inspections' data keys it wraps. */
  keys: { id: string; wraps: number }[];
}

async function stateOf(deployment: Deployment): Promise<MasterKeyState> {
  const usage = await deployment.dataKeys.usage();
  const keyring = deployment.masterKeyring;
  return {
    current: keyring.current.id,
    keys: keyring.keys.map((k) => ({ id: k.id, wraps: usage.get(k.id) ?? 0 })),
  };
}

/** A new master key, first in the keyring (it wraps from now on); every data key re-wrapped under it. */
export async function rotateMasterKey(
  deployment: Deployment,
): Promise<MasterKeyState & { rewrapped: number }> {
  rotateKeyring(deployment.config.keysDir, 'files');
  const rewrapped = await deployment.dataKeys.rewrapAll();
  return { ...(await stateOf(deployment)), rewrapped };
}

/**
 * Take an older master key out of the keyring, once no data key is wrapped by it (a rotation that stopped midway
 * is finished first: every data key is re-wrapped again before the check).
 */
export async function retireMasterKey(deployment: Deployment, keyId: string): Promise<MasterKeyState> {
  const keyring = deployment.masterKeyring;
  if (!keyring.find(keyId)) throw new Error(`There is no master key ${keyId}.`);
  if (keyring.current.id === keyId)
    throw new Error(`The master key ${keyId} is the current one: rotate first, then retire it.`);
  await deployment.dataKeys.rewrapAll();
  const wraps = (await deployment.dataKeys.usage()).get(keyId) ?? 0;
  if (wraps > 0)
    throw new Error(
      `The master key ${keyId} still wraps ${wraps} inspection data key(s): run "jtai keys rotate" to re-wrap them first.`,
    );
  retireKey(deployment.config.keysDir, 'files', keyId);
  return stateOf(deployment);
}
