import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Configuration } from 'openid-client';
import type { Role } from './db/users';

/**
 * Single sign-on with OpenID Connect: councils and police forces sign their staff in with their own identity
 * provider (Microsoft Entra ID, Okta, Keycloak, …), authorization code flow with PKCE, state and nonce,
 * through `openid-client`. Who may do what comes from the provider's groups claim or from jtai's own list of
 * users (./config.ts, `JTAI_OIDC_*`; the decision is the store's, ./db/sign-in.ts).
 *
 * `openid-client` is ES modules only and this project is CommonJS: it is loaded with a dynamic `import()`,
 * on first use (the CLI and worker, which make the same deployment, never load it). esbuild (scripts/build.ts)
 * and tsx keep `import()` as it is, so Node loads the package as the ES module it is. Under jest, swc turns
 * `import()` into `require()` and jest.config.js has swc compile the package and its dependencies to CommonJS
 * (jest's module system loads ES modules only with --experimental-vm-modules).
 */

/** Where roles come from: the provider's groups at every sign-in, or jtai's Users page. */
export type RolePolicy = { from: 'groups'; groups: Record<Role, string[]> } | { from: 'users' };

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Unset for a public client (PKCE only). */
  clientSecret?: string;
  /** The button: "Sign in with <label>". */
  label: string;
  redirectUri: string;
  scopes: string;
  /** The claim that names the person (`preferred_username`, Entra ID's sign-in name), then `email`. */
  usernameClaim: string;
  groupsClaim: string;
  roles: RolePolicy;
}

/** Who the provider says signed in. */
export interface OidcClaims {
  issuer: string;
  subject: string;
  /** From the username claim (or email), trimmed and in lower case. */
  username?: string;
  groups: string[];
}

/** A sign-in the protocol refused: `reason` is fit for the log (no token, code or claim values). */
export class OidcRefused extends Error {
  constructor(readonly reason: string) {
    super(`Single sign-on refused: ${reason}`);
    this.name = 'OidcRefused';
  }
}

/** Plain http is allowed only to a provider on this machine (tests, a local Keycloak). */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** Roles in the order they are granted: the first whose groups the person is in. */
const ROLE_ORDER: readonly Role[] = ['coordinator', 'manager'];

/** The role the provider's groups give, or none. */
export function roleFromGroups(groups: readonly string[], mapping: Record<Role, string[]>): Role | undefined {
  return ROLE_ORDER.find((role) => mapping[role].some((g) => groups.includes(g)));
}

/** A sign-in at the provider that takes longer than this is refused: start again. */
export const PENDING_MS = 10 * 60_000;

/** What one sign-in keeps between the redirect to the provider and the way back (sealed in a cookie). */
interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  /** Where to go afterwards (the caller checks it is a path on this site). */
  next: string;
  startedAt: number;
}

const stringsOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? [value]
      : [];

/**
 * An error of openid-client or the provider, as a line for the log: its code (and the provider's error code),
 * its message and the message of the oauth4webapi error under it, and the name of a claim that did not match,
 * cut short, with anything shaped like a token (a JWT, a long base64url run) taken out. Never the values its
 * `cause` holds (expected and received claims, the response body).
 */
export function loggableReason(err: unknown): string {
  if (err instanceof OidcRefused) return err.reason;
  const e = err as { code?: unknown; name?: unknown; error?: unknown; message?: unknown; cause?: unknown };
  const cause = e.cause as { message?: unknown; cause?: { claim?: unknown } } | undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const kind = [text(e.code) ?? text(e.name) ?? 'Error', text(e.error)].filter(Boolean).join(' ');
  const detail = [
    text(e.message),
    text(cause?.message),
    text(cause?.cause?.claim) && `claim ${String(cause?.cause?.claim)}`,
  ]
    .filter(Boolean)
    .join('; ')
    .replace(/eyJ[\w-]*\.[\w-]*\.?[\w-]*/g, '[token]')
    .replace(/[\w-]{32,}/g, '[redacted]');
  return `${kind}: ${detail}`.slice(0, 300);
}

/**
 * @param sealingKey the web app's cookie key: the pending sign-in is sealed (AES-256-GCM, a key derived from
 *   it) so the browser holds but cannot read or change its PKCE verifier, state and nonce.
 */
export function createOidcSignIn(settings: OidcSettings, sealingKey: () => Buffer) {
  const load = () => import('openid-client');
  let configuration: Promise<Configuration> | undefined;
  /** Discovery once, on first use (a provider down at start does not stop the web app); again after a failure. */
  const configured = () =>
    (configuration ??= load()
      .then(async (client) => {
        const issuer = new URL(settings.issuer);
        const local = issuer.protocol === 'http:' && LOOPBACK_HOSTS.includes(issuer.hostname);
        const config = await client.discovery(
          issuer,
          settings.clientId,
          settings.clientSecret,
          settings.clientSecret ? client.ClientSecretPost(settings.clientSecret) : client.None(),
          { timeout: 10, ...(local ? { execute: [client.allowInsecureRequests] } : {}) },
        );
        // The ID token's signature checked against the provider's published keys: openid-client otherwise
        // trusts the token endpoint's TLS for it (OpenID Connect Core 3.1.3.7), and a tampered token passes.
        client.enableNonRepudiationChecks(config);
        return config;
      })
      .catch((err: unknown) => {
        configuration = undefined;
        throw err;
      }));

  let key: Buffer | undefined;
  const aesKey = () =>
    (key ??= Buffer.from(hkdfSync('sha256', sealingKey(), '', 'jtai oidc pending sign-in', 32)));
  const seal = (pending: Pending): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', aesKey(), iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(pending), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  };
  const unseal = (sealed: string, now: number): Pending => {
    let pending: Pending;
    try {
      const raw = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', aesKey(), raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      pending = JSON.parse(
        Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'),
      ) as Pending;
    } catch {
      throw new OidcRefused('the sign-in cookie is not one this service made');
    }
    if (!(now - pending.startedAt < PENDING_MS && now >= pending.startedAt))
      throw new OidcRefused('the sign-in took too long');
    return pending;
  };

  return {
    label: settings.label,
    roles: settings.roles,
    /** An error of `begin` or `finish` as a line for the log. */
    reasonOf: loggableReason,

    /**
     * The provider's sign-in page to send the browser to, and what the browser keeps until it comes back
     * (sealed). Throws when the provider cannot be reached or its discovery document names another issuer.
     */
    async begin(next: string, now: number): Promise<{ url: string; pending: string }> {
      const client = await load();
      const config = await configured();
      const pending: Pending = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
        next,
        startedAt: now,
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        scope: settings.scopes,
        code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url: url.href, pending: seal(pending) };
    },

    /**
     * The way back: the code exchanged for tokens at the provider, checking state, PKCE, the issuer of the
     * response, the nonce and the ID token's signature, issuer, audience and expiry; who it says signed in,
     * and where they were going. Throws on any mismatch, and on an error the provider sent back.
     */
    async finish(
      callbackUrl: URL,
      sealed: string,
      now: number,
    ): Promise<{ claims: OidcClaims; next: string }> {
      const pending = unseal(sealed, now);
      const client = await load();
      const config = await configured();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new OidcRefused('the identity provider sent no ID token');
      const username = [claims[settings.usernameClaim], claims.email].find(
        (v): v is string => typeof v === 'string' && v.trim() !== '',
      );
      return {
        claims: {
          issuer: claims.iss,
          subject: claims.sub,
          ...(username ? { username: username.trim().toLowerCase() } : {}),
          groups: stringsOf(claims[settings.groupsClaim]),
        },
        next: pending.next,
      };
    },
  };
}
export type OidcSignIn = ReturnType<typeof createOidcSignIn>;
