import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AgencyId } from '../timeline/types';

/**
 * What an agency link grants: one agency of one run of one inspection (`run` is the workflow run's random
 * nonce), until it expires or its version is revoked.
 */
export interface LinkGrant {
  inspectionId: string;
  agency: AgencyId;
  version: number;
  run: string;
  expiresAt: number;
}

/** Signed agency links (HMAC-SHA256): `<base64url(json)>.<base64url(mac)>`. */
export function createLinkSigner(key: Buffer) {
  const mac = (body: string) => createHmac('sha256', key).update(body).digest('base64url');
  return {
    sign(grant: LinkGrant): string {
      const body = Buffer.from(JSON.stringify(grant)).toString('base64url');
      return `${body}.${mac(body)}`;
    },
    /**
     * The opaque reference of a tracked child in an agency page's URL (`?child=<ref>`), so no child ID is in a
     * URL (browser history, proxy logs): a keyed hash of the child ID within one run of one inspection.
     */
    childRef(inspectionId: string, run: string, childId: string): string {
      return createHmac('sha256', key)
        .update(`child\u0000${inspectionId}\u0000${run}\u0000${childId}`)
        .digest('base64url')
        .slice(0, 16);
    },
    /** The grant if the token is genuine and unexpired at `at`; undefined otherwise (no detail, by design). */
    verify(token: string, at: number): LinkGrant | undefined {
      const parts = token.split('.');
      const [body, signature] = parts;
      if (parts.length !== 2 || !body || !signature) return undefined;
      const expected = Buffer.from(mac(body));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
      try {
        const grant = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<LinkGrant>;
        const wellFormed =
          typeof grant.inspectionId === 'string' &&
          typeof grant.agency === 'string' &&
          typeof grant.version === 'number' &&
          typeof grant.run === 'string' &&
          typeof grant.expiresAt === 'number';
        return wellFormed && grant.expiresAt! > at ? (grant as LinkGrant) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
export type LinkSigner = ReturnType<typeof createLinkSigner>;
