import { defaultPayloadConverter, METADATA_ENCODING_KEY } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { EncryptionCodec } from '../../src/infra/codec';
import { parseKeyring } from '../../src/infra/keys';
import { isUntrusted } from '../../src/workflows/trust';

/** The payload codec: encrypted with the current key, decoded by the key a payload names, never throwing. */
const ring = (...ids: string[]) =>
  parseKeyring(ids.map((id) => `${id} ${randomBytes(32).toString('base64')}`).join('\n'), 'payloads');
const value = { childIds: ['SYN0001', 'SYN0002'] };
const decoded = async (codec: EncryptionCodec, payloads: Parameters<EncryptionCodec['decode']>[0]) =>
  (await codec.decode(payloads)).map((p) => defaultPayloadConverter.fromPayload(p));

test('payloads are encrypted with the current key and name it; after a rotation old payloads still decode', async () => {
  const before = ring('p1');
  const [payload] = await new EncryptionCodec(before).encode([defaultPayloadConverter.toPayload(value)]);
  expect(Buffer.from(payload?.data ?? []).toString('latin1')).not.toContain('SYN0001');
  expect(Buffer.from(payload?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('p1');
  const after = parseKeyring(
    `p2 ${randomBytes(32).toString('base64')}\np1 ${before.current.key.toString('base64')}`,
    'payloads',
  );
  const codec = new EncryptionCodec(after);
  expect(await decoded(codec, [payload!])).toEqual([value]);
  const [fresh] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  expect(Buffer.from(fresh?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('p2');
});

test('a payload jtai did not encrypt decodes as untrusted, never as its content and never by throwing', async () => {
  const codec = new EncryptionCodec(ring('p1'));
  const [ours] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  const tampered = { ...ours!, data: Buffer.from(ours!.data ?? []).map((b, i) => (i === 20 ? b ^ 1 : b)) };
  const foreign = (
    await new EncryptionCodec(ring('p1')).encode([defaultPayloadConverter.toPayload(value)])
  )[0]!;
  const plain = defaultPayloadConverter.toPayload({ deliverableId: 'list-8', reason: 'x' });
  const claimsEncrypted = {
    metadata: { [METADATA_ENCODING_KEY]: Buffer.from('binary/encrypted') },
    data: Buffer.from('x'),
  };
  for (const payload of [plain, tampered, foreign, claimsEncrypted]) {
    const [result] = await decoded(codec, [payload]);
    expect(isUntrusted(result)).toBe(true);
  }
});
