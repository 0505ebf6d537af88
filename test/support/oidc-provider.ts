import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OpenID Connect provider (`oidc-provider`, the certified implementation) on 127.0.0.1 and a random port,
 * for the single sign-on tests: authorization code flow with PKCE required, one confidential client (jtai),
 * accounts with a username, email and groups (as Entra ID puts them in the ID token). The person "signs in"
 * at `/interaction/<uid>?as=<account>` (its form, for a browser, asks only that); consent is taken as given.
 *
 * `tamperIdToken`, when set, rewrites the ID token in the token endpoint's answer on its way to jtai (its
 * payload changed, its signature kept): what a provider impostor or a meddling proxy would send.
 */
export interface TestAccount {
  preferred_username?: string;
  email?: string;
  groups?: string[];
}

export interface TestProvider {
  issuer: string;
  client: { id: string; secret: string };
  /** Changes an ID token's claims in transit while set; cleared with undefined. */
  tamperIdToken: ((claims: Record<string, unknown>) => Record<string, unknown>) | undefined;
  /** The ID tokens the token endpoint sent (as sent, before any tampering): to check no log holds one. */
  idTokens: string[];
  close(): Promise<void>;
}

interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: unknown,
    options: { mergeWithLastSubmission: boolean },
  ): Promise<void>;
  Grant: new (init: { clientId: string; accountId: string }) => {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  };
}
interface GrantContext {
  oidc: { client: { clientId: string }; session: { accountId: string } };
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

export async function startTestProvider(options: {
  accounts: Record<string, TestAccount>;
  redirectUris: string[];
}): Promise<TestProvider> {
  // An ES module only: jest.config.js compiles it to CommonJS for jest.
  // (No types of its own: the name through a variable, and the parts used typed above.)
  const name: string = 'oidc-provider';
  // Its start-up warnings (Node 20 is older than it asks for; the in-memory store, which is what a test wants)
  // are not this test's news: kept out of the output while it loads and starts.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('oidc-provider WARNING')) warn(...args);
  };
  const { default: Provider } = (await import(name)) as { default: ProviderClass };
  const client = { id: 'jtai-test', secret: 'jtai-test-client-secret-0123456789' };
  /** The provider, made once the server listens (its issuer has the port in it). */
  const late: { provider?: ProviderInstance; handler?: (req: IncomingMessage, res: ServerResponse) => void } =
    {};
  const self: TestProvider = {
    issuer: '',
    client,
    tamperIdToken: undefined,
    idTokens: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', self.issuer);
    const interaction = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
    const provider = late.provider;
    if (interaction && provider) {
      const accountId = url.searchParams.get('as') ?? '';
      if (!(accountId in options.accounts)) {
        // The provider's sign-in page, for a browser: who signs in (no password: a test provider).
        res.statusCode = accountId ? 400 : 200;
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(
          '<!doctype html><html lang="en"><title>Test provider</title><form method="get">' +
            '<label for="as">Account</label><input id="as" name="as"><button>Continue</button></form></html>',
        );
        return;
      }
      provider
        .interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false })
        .catch((err: unknown) => {
          res.statusCode = 500;
          res.end(String(err));
        });
      return;
    }
    if (url.pathname === '/token') watchTokenResponse(res);
    late.handler?.(req, res);
  });

  /** Keeps the ID token the token endpoint sends, and changes it when asked. */
  function watchTokenResponse(res: ServerResponse): void {
    const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
    res.end = ((chunk?: unknown) => {
      const text = Buffer.isBuffer(chunk)
        ? chunk.toString('utf8')
        : typeof chunk === 'string'
          ? chunk
          : undefined;
      if (text === undefined) return end(chunk);
      let body: { id_token?: string };
      try {
        body = JSON.parse(text) as { id_token?: string };
      } catch {
        return end(chunk);
      }
      if (!body.id_token) return end(chunk);
      self.idTokens.push(body.id_token);
      if (!self.tamperIdToken) return end(chunk);
      const [header, payload, signature] = body.id_token.split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const changed = Buffer.from(JSON.stringify(self.tamperIdToken(claims))).toString('base64url');
      const out = JSON.stringify({ ...body, id_token: `${header}.${changed}.${signature}` });
      res.setHeader('content-length', Buffer.byteLength(out));
      return end(out);
    }) as typeof res.end;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(self.issuer, {
    clients: [
      {
        client_id: client.id,
        client_secret: client.secret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    // The claims in the ID token itself, as Entra ID sends groups (not only from the userinfo endpoint).
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email'], profile: ['preferred_username', 'groups'] },
    findAccount: (_ctx: unknown, id: string) => {
      const account = options.accounts[id];
      return account ? { accountId: id, claims: () => ({ sub: id, ...account }) } : undefined;
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    // Consent is taken as given: the tests are about jtai's side.
    loadExistingGrant: async (ctx: GrantContext) => {
      const grant = new provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile email');
      await grant.save();
      return grant;
    },
    ttl: {
      Interaction: 600,
      Grant: 3600,
      Session: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    cookies: { keys: ['test-provider-cookie-key-0123456789'] },
    jwks: {
      keys: [generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })],
    },
  });
  console.warn = warn;
  late.provider = provider;
  late.handler = provider.callback();
  return self;
}
