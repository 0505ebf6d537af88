/**
 * A payload that did not come from jtai: not encrypted with the deployment's key (sent straight to Temporal,
 * from its CLI or UI, by whoever can reach it), or encrypted with a key it does not hold, or tampered with.
 * The payload codec (src/infra/codec.ts) turns such a payload into this marker instead of failing (a codec
 * that throws fails the workflow task, again at every retry, and so wedges the inspection); the workflow's
 * validators refuse any request that is the marker, and the workflow refuses to start from one.
 */
export const UNTRUSTED_KEY = 'jtaiUntrustedPayload';

export function isUntrusted(value: unknown): boolean {
  return typeof value === 'object' && value !== null && UNTRUSTED_KEY in value;
}
