import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigurationError } from './config-error';
import { databaseSettings, type DatabaseSettings } from './db/settings';
import { LOOPBACK_HOSTS, type OidcSettings } from './oidc';
import { temporalSettings, type TemporalSettings } from './temporal-connection';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

/**
 * Environment -> one checked config object. Every setting has a default that works on a fresh
 * machine (dev server on localhost, mail to an outbox folder, data under .data/).
 */
const envSchema = z
  .object({
    JTAI_DATA_DIR: z.string().min(1).default('.data'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('jtai'),
    ...temporalEnv(),
    /** A real SMTP server, e.g. smtp://user:pass@mail.example.org:587; without it mail goes to the outbox. */
    SMTP_URL: z.url().optional(),
    MAIL_FROM: z.string().min(3).default('JTAI coordination <jtai@localhost>'),
    /** Where agency links point (the web app). */
    WEB_BASE_URL: z.url().default('http://localhost:3000'),
    WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    /** Hours of the working day, and end of day for "end of day" deadlines. */
    JTAI_END_OF_DAY: z
      .string()
      .regex(/^\d{2}:\d{2}$/)
      .default('17:00'),
    JTAI_WORKING_HOURS: z
      .string()
      .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/)
      .default('09:00-17:00'),
    /** Extra non-working days, comma-separated YYYY-MM-DD. */
    JTAI_CLOSURE_DAYS: z.string().default(''),
    /** Upsert the Jtai* search attributes (the dev server started by `npm start` has them registered). */
    JTAI_SEARCH_ATTRIBUTES: z.enum(['on', 'off']).default('on'),
    /** Days after an inspection closes (or is cancelled) before its files, keys and history are purged. */
    JTAI_RETENTION_DAYS: z.coerce.number().min(0).max(3650).default(90),
    /** The coordinator's digest of what arrived: at most every this many minutes; 0 for none. */
    /** How long the CLI, pages and API wait for a worker to take a request before saying it is not answering. */
    JTAI_ANSWER_WITHIN_SECONDS: z.coerce.number().min(1).max(600).default(10),
    JTAI_ARRIVALS_DIGEST_MINUTES: z.coerce
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(60),
    /** Read by src/infra/log.ts (before the configuration is loaded); here so that a bad value is refused too. */
    JTAI_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    JTAI_LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
    ...uploadEnv(),
    /** The relational store (users, sessions, audit log): PostgreSQL; unset, PGlite under the data dir. */
    DATABASE_URL: z.string().optional(),
    ...deploymentEnv(),
    ...oidcEnv(),
  })
  .superRefine(checkDeploymentEnv)
  .superRefine(checkOidcEnv);

export interface Config {
  dataDir: string;
  /** Address, namespace, TLS and API key: see ./temporal-connection.ts (`temporalConnection` connects with it). */
  temporal: TemporalSettings;
  mail: { smtpUrl?: string; from: string; outboxDir: string };
  web: {
    baseUrl: string;
    port: number;
    host: string;
    trustProxy: string | false;
    /** The payload codec endpoint for the Temporal UI (`/codec/decode`): who may call it from where. */
    codec: { corsOrigins: string[]; bearer?: string };
  };
  calendar: { endOfDay: string; workingHours: { start: string; end: string }; closureDays: string[] };
  searchAttributes: boolean;
  retentionDays: number;
  arrivalsDigestMinutes: number;
  answerWithinMs: number;
  keysDir: string;
  filesDir: string;
  /** Private scratch space for decrypted copies (see ./scratch.ts). */
  scratchDir: string;
  files: FileStoreConfig;
  uploads: UploadLimits;
  /** The relational store: PostgreSQL (`url`) or the embedded PGlite in `dir`. */
  database: DatabaseSettings;
  /** Single sign-on for staff, when an OpenID Connect provider is configured (JTAI_OIDC_ISSUER). */
  oidc?: OidcSettings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const resolved = withSecretFiles(env);
  const parsed = envSchema.safeParse(resolved);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigurationError(problems);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.JTAI_DATA_DIR);
  const [start = '09:00', end = '17:00'] = e.JTAI_WORKING_HOURS.split('-');
  let temporal: TemporalSettings | undefined;
  return {
    dataDir,
    // Read (and its files checked) when first used, as every process that connects does at start-up: a command
    // that needs no Temporal (the timeline) need not load the profile reader and the SDK under it.
    get temporal() {
      return (temporal ??= temporalSettings(resolved, e.TEMPORAL_TASK_QUEUE));
    },
    mail: {
      ...(e.SMTP_URL ? { smtpUrl: e.SMTP_URL } : {}),
      from: e.MAIL_FROM,
      outboxDir: path.join(dataDir, 'outbox'),
    },
    web: {
      baseUrl: e.WEB_BASE_URL.replace(/\/$/, ''),
      port: e.WEB_PORT,
      host: e.WEB_HOST,
      trustProxy: e.WEB_TRUST_PROXY ?? false,
      codec: {
        corsOrigins: (e.JTAI_CODEC_CORS_ORIGINS ?? '')
          .split(',')
          .map((o) => o.trim().replace(/\/$/, ''))
          .filter(Boolean),
        ...(e.JTAI_CODEC_BEARER ? { bearer: e.JTAI_CODEC_BEARER } : {}),
      },
    },
    calendar: {
      endOfDay: e.JTAI_END_OF_DAY,
      workingHours: { start, end },
      closureDays: e.JTAI_CLOSURE_DAYS.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
    searchAttributes: e.JTAI_SEARCH_ATTRIBUTES === 'on',
    retentionDays: e.JTAI_RETENTION_DAYS,
    arrivalsDigestMinutes: e.JTAI_ARRIVALS_DIGEST_MINUTES,
    answerWithinMs: e.JTAI_ANSWER_WITHIN_SECONDS * 1000,
    keysDir: e.JTAI_KEYS_DIR ? path.resolve(e.JTAI_KEYS_DIR) : path.join(dataDir, 'keys'),
    filesDir: path.join(dataDir, 'files'),
    scratchDir: path.join(dataDir, 'scratch'),
    files: fileStoreConfig(e),
    uploads: {
      quota: { files: e.JTAI_UPLOAD_QUOTA_FILES, bytes: e.JTAI_UPLOAD_QUOTA_MB * 1024 * 1024 },
      rate: { max: e.JTAI_UPLOAD_RATE_MAX, windowMs: e.JTAI_UPLOAD_RATE_MINUTES * 60_000 },
    },
    database: databaseSettings({ DATABASE_URL: e.DATABASE_URL }, dataDir),
    ...oidcSettings(e),
  };
}

// ---- Uploads through agency links ------------------------------------------------------------------------

/** What one agency may send through its links: in all, per inspection, and how often. */
export interface UploadLimits {
  /** Files and bytes of the agency's accepted submissions in one inspection (refused uploads are not kept). */
  quota: { files: number; bytes: number };
  /** Posts of an upload form per link within a sliding window, accepted or not. */
  rate: { max: number; windowMs: number };
}

function uploadEnv() {
  return {
    JTAI_UPLOAD_QUOTA_FILES: z.coerce.number().int().min(1).default(500),
    JTAI_UPLOAD_QUOTA_MB: z.coerce.number().int().min(1).default(2048),
    JTAI_UPLOAD_RATE_MAX: z.coerce.number().int().min(1).default(30),
    JTAI_UPLOAD_RATE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(10),
  };
}

// ---- Deployment settings (docker-compose, object storage, secrets in files) ------------------------------

/** Variables that may hold a secret: each may instead be given as `<NAME>_FILE`, a path to read it from. */
export const SECRET_VARIABLES = [
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'SMTP_URL',
  'DATABASE_URL',
  'TEMPORAL_API_KEY',
  'JTAI_OIDC_CLIENT_SECRET',
  'JTAI_CODEC_BEARER',
] as const;

/**
 * Temporal's standard client variables (read by `@temporalio/envconfig` in ./temporal-connection.ts, which also
 * reads the profile file); checked here for form, and so that deployment files may set them. Each overrides the
 * profile's setting. `TEMPORAL_GRPC_META_<NAME>` headers are applied too, but are not listed here.
 */
function temporalEnv() {
  const file = z.string().min(1).optional();
  const pem = z.string().includes('-----BEGIN ', { message: 'PEM text expected' }).optional();
  return {
    /** Unset: the profile's, else localhost:7233. */
    TEMPORAL_ADDRESS: z.string().min(1).optional(),
    /** Unset: the profile's, else `default`. */
    TEMPORAL_NAMESPACE: z.string().min(1).optional(),
    /** The TOML profile file; unset, ~/.config/temporalio/temporal.toml when it exists. */
    TEMPORAL_CONFIG_FILE: file,
    /** The profile to use from the file (`default` unless set). */
    TEMPORAL_PROFILE: z.string().min(1).optional(),
    /** Temporal Cloud's API key; turns TLS on unless TEMPORAL_TLS=false. Also as TEMPORAL_API_KEY_FILE. */
    TEMPORAL_API_KEY: z.string().min(1).optional(),
    /** TLS on or off whatever else is set (as the SDK reads it: `true`/`1` on, anything else off). */
    TEMPORAL_TLS: z.enum(['true', 'false', '1', '0']).optional(),
    TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: file,
    TEMPORAL_TLS_SERVER_CA_CERT_DATA: pem,
    TEMPORAL_TLS_CLIENT_CERT_PATH: file,
    TEMPORAL_TLS_CLIENT_CERT_DATA: pem,
    TEMPORAL_TLS_CLIENT_KEY_PATH: file,
    TEMPORAL_TLS_CLIENT_KEY_DATA: pem,
  };
}

function deploymentEnv() {
  return {
    /** Address the web app listens on (127.0.0.1: only this machine; 0.0.0.0 in a container). */
    WEB_HOST: z.string().min(1).default('127.0.0.1'),
    /**
     * The proxies in front of the web app whose X-Forwarded-For is believed (addresses or CIDR ranges,
     * comma-separated, or `loopback`), so lockout and the audit log see the client's address, not the proxy's.
     * Unset: none (the socket's address is the client's).
     */
    WEB_TRUST_PROXY: z.string().min(1).optional(),
    /**
     * The Temporal UI's origin(s) allowed to call the web app's payload codec endpoint (`/codec/decode`), comma-
     * separated (e.g. `http://localhost:8233`); unset: no cross-origin calls.
     */
    JTAI_CODEC_CORS_ORIGINS: z.string().optional(),
    /** A bearer token that may call the codec endpoint without a coordinator's session (the UI's codec setting). */
    JTAI_CODEC_BEARER: z.string().min(24).optional(),
    /** The keys folder, if not `<data>/keys` (docker secrets mount them read-only under /run/secrets). */
    JTAI_KEYS_DIR: z.string().min(1).optional(),
    /** Where agencies' files are kept: the local folder, or an S3-compatible object store. */
    JTAI_FILE_STORE: z.enum(['local', 's3']).default('local'),
    /** Unset for AWS itself; e.g. http://minio:9000 for another S3-compatible store. */
    S3_ENDPOINT: z.url().optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_BUCKET: z.string().min(3).max(63).optional(),
    /** Object keys are `<prefix>/<inspection id>/<sha256>`. */
    S3_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'segments of letters, digits, - and _, joined by /')
      .default('files'),
    /** Unset: the AWS SDK's own chain (instance role, AWS_* variables). */
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** `true` for most S3-compatible stores (MinIO): bucket in the path, not the host name. */
    S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  };
}

function checkDeploymentEnv(
  e: {
    JTAI_FILE_STORE: string;
    S3_BUCKET?: string;
    S3_ACCESS_KEY_ID?: string;
    S3_SECRET_ACCESS_KEY?: string;
  },
  ctx: z.RefinementCtx,
): void {
  if (e.JTAI_FILE_STORE === 's3' && !e.S3_BUCKET)
    ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'required when JTAI_FILE_STORE=s3' });
  if (!e.S3_ACCESS_KEY_ID !== !e.S3_SECRET_ACCESS_KEY)
    ctx.addIssue({
      code: 'custom',
      path: ['S3_SECRET_ACCESS_KEY'],
      message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together',
    });
}

// ---- Single sign-on (OpenID Connect) ----------------------------------------------------------------------

/**
 * A comma-separated list of group ids or names, as the provider puts them in the groups claim (a function
 * declaration: the schema above is built before this line runs).
 */
function groupList() {
  return z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean),
    );
}

function oidcEnv() {
  // Empty is unset here: docker-compose.yml passes these through from `.env`, empty unless set there.
  const optional = <T extends z.ZodType>(schema: T) =>
    z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
  return {
    /** The provider's issuer URL, e.g. https://login.microsoftonline.com/<tenant id>/v2.0. Unset: no SSO. */
    JTAI_OIDC_ISSUER: optional(z.url()),
    JTAI_OIDC_CLIENT_ID: optional(z.string().min(1)),
    /** Unset for a public client (PKCE alone). Also as JTAI_OIDC_CLIENT_SECRET_FILE. */
    JTAI_OIDC_CLIENT_SECRET: optional(z.string().min(1)),
    /** The button on the sign-in page: "Sign in with <label>". */
    JTAI_OIDC_LABEL: optional(z.string().min(1).max(80)),
    JTAI_OIDC_SCOPES: optional(z.string().min(1)),
    /** The claim that names the person (then `email`): Entra ID's `preferred_username` is the sign-in name. */
    JTAI_OIDC_USERNAME_CLAIM: optional(z.string().min(1)),
    JTAI_OIDC_GROUPS_CLAIM: optional(z.string().min(1)),
    /**
     * Groups whose members are coordinators / managers. Either set: roles come from the groups at every
     * sign-in; neither: only people on jtai's Users page get in, with the role given there.
     */
    JTAI_OIDC_COORDINATOR_GROUPS: groupList(),
    JTAI_OIDC_MANAGER_GROUPS: groupList(),
  };
}

function checkOidcEnv(
  e: { JTAI_OIDC_ISSUER?: string; JTAI_OIDC_CLIENT_ID?: string; JTAI_OIDC_SCOPES?: string },
  ctx: z.RefinementCtx,
): void {
  if (!e.JTAI_OIDC_ISSUER) return;
  if (!e.JTAI_OIDC_CLIENT_ID)
    ctx.addIssue({
      code: 'custom',
      path: ['JTAI_OIDC_CLIENT_ID'],
      message: 'required when JTAI_OIDC_ISSUER is set',
    });
  if (e.JTAI_OIDC_SCOPES && !e.JTAI_OIDC_SCOPES.split(/\s+/).includes('openid'))
    ctx.addIssue({ code: 'custom', path: ['JTAI_OIDC_SCOPES'], message: 'must include openid' });
  const issuer = new URL(e.JTAI_OIDC_ISSUER);
  if (issuer.protocol !== 'https:' && !LOOPBACK_HOSTS.includes(issuer.hostname))
    ctx.addIssue({
      code: 'custom',
      path: ['JTAI_OIDC_ISSUER'],
      message: 'must be https (plain http only for a provider on this machine)',
    });
}

function oidcSettings(e: z.infer<typeof envSchema>): { oidc?: OidcSettings } {
  if (!e.JTAI_OIDC_ISSUER || !e.JTAI_OIDC_CLIENT_ID) return {};
  const groups = { coordinator: e.JTAI_OIDC_COORDINATOR_GROUPS, manager: e.JTAI_OIDC_MANAGER_GROUPS };
  return {
    oidc: {
      issuer: e.JTAI_OIDC_ISSUER,
      clientId: e.JTAI_OIDC_CLIENT_ID,
      ...(e.JTAI_OIDC_CLIENT_SECRET ? { clientSecret: e.JTAI_OIDC_CLIENT_SECRET } : {}),
      label: e.JTAI_OIDC_LABEL ?? 'your organisation account',
      redirectUri: `${e.WEB_BASE_URL.replace(/\/$/, '')}/sign-in/sso/callback`,
      scopes: e.JTAI_OIDC_SCOPES ?? 'openid profile email',
      usernameClaim: e.JTAI_OIDC_USERNAME_CLAIM ?? 'preferred_username',
      groupsClaim: e.JTAI_OIDC_GROUPS_CLAIM ?? 'groups',
      roles:
        groups.coordinator.length + groups.manager.length > 0
          ? { from: 'groups', groups }
          : { from: 'users' },
    },
  };
}

export interface S3Settings {
  endpoint?: string;
  region: string;
  bucket: string;
  prefix: string;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}
/** `local`: encrypted files under `filesDir`; `s3`: encrypted objects in a bucket. */
export type FileStoreConfig = { kind: 'local' } | { kind: 's3'; s3: S3Settings };

function fileStoreConfig(e: z.infer<typeof envSchema>): FileStoreConfig {
  if (e.JTAI_FILE_STORE === 'local' || !e.S3_BUCKET) return { kind: 'local' };
  return {
    kind: 's3',
    s3: {
      ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
      region: e.S3_REGION,
      bucket: e.S3_BUCKET,
      prefix: e.S3_PREFIX,
      forcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
      ...(e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
        ? { credentials: { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY } }
        : {}),
    },
  };
}

/**
 * `NAME_FILE=/run/secrets/x` -> `NAME=<contents of x, without the final newline>`, for the secret variables.
 * Giving both is refused rather than guessed; the error names the variable and path, never the contents.
 */
function withSecretFiles(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new ConfigurationError(`give ${name} or ${name}_FILE, not both.`);
    try {
      out[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigurationError(
        `${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
  }
  return out;
}

/** Every variable `loadConfig` reads (the `_FILE` forms included), for checking deployment files against it. */
export function configVariables(): string[] {
  return [...Object.keys(envSchema.shape), ...SECRET_VARIABLES.map((name) => `${name}_FILE`)];
}
