import {
  DefaultFailureConverter,
  METADATA_ENCODING_KEY,
  type LoadedDataConverter,
  type Payload,
  type PayloadCodec,
} from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { UNTRUSTED_KEY } from '../workflows/trust';
import type { Keyring } from './keys';

/**
 * Encrypts every Temporal payload (AES-256-GCM) with the current payload key, naming its key id, so child IDs
 * in selections and list findings are never readable in the server's database or the Temporal UI, and keys
 * can be rotated (older payloads decode with the key they name). Client and worker share the keyring.
 *
 * Decoding never throws: a payload that is not ours (plain JSON sent to Temporal directly, an unknown key id,
 * a failed tag) becomes an "untrusted" marker that the workflow refuses (src/workflows/trust.ts).
 */
const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const untrusted = (why: string): Payload => ({
  metadata: { [METADATA_ENCODING_KEY]: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify({ [UNTRUSTED_KEY]: why })),
});

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keyring.current;
    return Promise.resolve(
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        const plain = temporal.api.common.v1.Payload.encode(payload).finish();
        const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return {
          metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCODING), [KEY_ID]: Buffer.from(id) },
          data,
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads.map((payload) => this.decodeOne(payload)));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || Buffer.from(encoding).toString() !== ENCODING) return untrusted('not encrypted');
    const keyId = payload.metadata?.[KEY_ID];
    const key = keyId ? this.keyring.find(Buffer.from(keyId).toString()) : undefined;
    if (!key) return untrusted('unknown key');
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) return untrusted('malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    } catch {
      return untrusted('failed its integrity check');
    }
  }
}

/**
 * The data converter of client and worker alike: payloads encrypted, and failure messages and stack traces
 * too (`encodeCommonAttributes` moves them into an encrypted payload), so a refusal or an error that names a
 * value is not kept in clear in history.
 */
export function encryptedDataConverter(payloads: Keyring) {
  return {
    payloadCodecs: [new EncryptionCodec(payloads)],
    failureConverter: new DefaultFailureConverter({ encodeCommonAttributes: true }),
  } satisfies Partial<LoadedDataConverter> & { payloadCodecs: PayloadCodec[] };
}
