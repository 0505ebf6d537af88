/**
 * How jtai reaches Temporal: address, namespace, TLS (server CA, client certificate and key, server name) and API
 * key, from Temporal's own client settings (`@temporalio/envconfig`): a profile in a TOML file
 * (`TEMPORAL_CONFIG_FILE`, or the default `~/.config/temporalio/temporal.toml`; `TEMPORAL_PROFILE`, or `default`)
 * and the `TEMPORAL_*` variables, which override the profile. With none of them: `localhost:7233`, namespace
 * `default`, no TLS.
 *
 * Two steps: `temporalSettings` (part of `loadConfig`) works out what was asked for, reading only the profile
 * file; `temporalConnection` reads and checks the certificate and key files and gives the connect options and
 * namespace that the worker (NativeConnection), the client (Connection) and the health check all use. Either
 * step refuses a problem with a one-line ConfigurationError, before anything connects. The API key, inline PEM
 * text and gRPC headers are kept behind functions, so that printing or logging the configuration cannot show them.
 */
import type { TLSConfig } from '@temporalio/client';
import type { ConfigDataSource } from '@temporalio/envconfig';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from './config-error';

/** Loaded when a connection's settings are first read: it loads the Temporal SDK's common library. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const envconfig = () => require('@temporalio/envconfig') as typeof import('@temporalio/envconfig');

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** A certificate or key: a file, or PEM text given inline, and the variable or profile key that named it. */
export interface PemSource {
  origin: string;
  path?: string;
  data?: () => Uint8Array;
}

export interface TemporalTls {
  serverName?: string;
  serverCACert?: PemSource;
  clientCert?: PemSource;
  clientKey?: PemSource;
}

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** The profile read from a file, if one was. */
  profile?: { name: string; file: string };
  apiKey?: () => string;
  /** On (an object, possibly empty), off (`false`), or not said: then on exactly when there is an API key. */
  tls?: TemporalTls | false;
  /** gRPC headers (the profile's `grpc_meta`, `TEMPORAL_GRPC_META_<NAME>`); they may carry credentials. */
  metadata?: () => Record<string, string>;
}

/** What all three connecting sites pass to `Connection.connect` / `NativeConnection.connect`, and the namespace. */
export interface TemporalConnection {
  connectionOptions: {
    address: string;
    tls?: TLSConfig;
    apiKey?: string;
    metadata?: Record<string, string>;
  };
  namespace: string;
  /** For logs: how it connects, without any secret. */
  summary: {
    address: string;
    namespace: string;
    tls: 'off' | 'on' | 'mutual';
    apiKey: boolean;
    profile?: string;
  };
}

type Env = Record<string, string | undefined>;

const TLS_ITEMS = {
  serverCACert: 'SERVER_CA_CERT',
  clientCert: 'CLIENT_CERT',
  clientKey: 'CLIENT_KEY',
} as const;

/** Where Temporal's tools look for the profile file when `TEMPORAL_CONFIG_FILE` is not set (as the SDK does). */
export function defaultProfileFile(env: Env, platform: NodeJS.Platform = os.platform()): string | undefined {
  const file = (dir: string) => path.join(dir, 'temporalio', 'temporal.toml');
  if (platform === 'win32') return env.APPDATA ? file(env.APPDATA) : undefined;
  if (platform === 'darwin')
    return env.HOME ? file(path.join(env.HOME, 'Library', 'Application Support')) : undefined;
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg) return path.isAbsolute(xdg) ? file(xdg) : undefined;
  return env.HOME ? file(path.join(env.HOME, '.config')) : undefined;
}

/** The profile file's text and name, or undefined when there is none (only the default location may be absent). */
function readProfileFile(env: Env): { file: string; text: string } | undefined {
  const explicit = env.TEMPORAL_CONFIG_FILE;
  const file = explicit ?? defaultProfileFile(env);
  if (file === undefined) return undefined;
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (explicit === undefined && code === 'ENOENT') return undefined;
    throw new ConfigurationError(
      explicit === undefined
        ? `cannot read the Temporal profile file ${file} (${code}).`
        : `TEMPORAL_CONFIG_FILE: cannot read ${file} (${code}).`,
    );
  }
}

/** The SDK's and its TOML parser's messages, without the parser's quotation of the file (it may hold a key). */
function fileProblem(file: string, err: unknown): ConfigurationError {
  const e = err as { message?: string; line?: number; column?: number };
  const first = (e.message ?? String(err)).split('\n')[0]!.replace(/^Invalid TOML document: /, '');
  const at = typeof e.line === 'number' ? ` at line ${e.line}, column ${e.column ?? '?'}` : '';
  return new ConfigurationError(
    `${file}: not a usable Temporal profile file${at} (${first.replace(/^Validation error: /, '')}).`,
  );
}

/**
 * Address, namespace, API key, TLS and headers as the profile and the `TEMPORAL_*` variables give them (the
 * variables win), with jtai's defaults. Reads the profile file, not the certificates.
 */
export function temporalSettings(env: Env, taskQueue: string): TemporalSettings {
  const skipVerify = env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION;
  if (skipVerify === 'true' || skipVerify === '1')
    throw new ConfigurationError(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported by the Temporal TypeScript SDK; name the certificate ' +
        "'s host with TEMPORAL_TLS_SERVER_NAME, or give its CA with TEMPORAL_TLS_SERVER_CA_CERT_PATH.",
    );
  const found = readProfileFile(env);
  const asked = env.TEMPORAL_PROFILE;
  if (asked !== undefined && !found)
    throw new ConfigurationError(
      `TEMPORAL_PROFILE: profile "${asked}" asked for, but there is no profile file (set TEMPORAL_CONFIG_FILE).`,
    );
  let profile: { name: string; file: string } | undefined;
  if (found) {
    let names: string[];
    try {
      names = Object.keys(
        envconfig().loadClientConfig({ configSource: { data: found.text }, configFileStrict: true }).profiles,
      );
    } catch (err) {
      throw fileProblem(found.file, err);
    }
    const name = asked ?? 'default';
    if (names.includes(name)) profile = { name, file: found.file };
    else if (asked !== undefined)
      throw new ConfigurationError(
        `TEMPORAL_PROFILE: no profile "${asked}" in ${found.file} (it has ${names.length > 0 ? names.map((n) => `"${n}"`).join(', ') : 'none'}).`,
      );
  }

  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) vars[name] = value;
  let merged;
  try {
    merged = envconfig().loadClientConfigProfile({
      ...(found ? { configSource: { data: found.text } } : { disableFile: true }),
      ...(profile ? { profile: profile.name } : {}),
      configFileStrict: true,
      overrideEnvVars: vars,
    });
  } catch (err) {
    // e.g. a `_path` from a variable alongside a `_data` in the profile.
    throw new ConfigurationError(
      `Temporal settings${profile ? ` (profile "${profile.name}" in ${profile.file} and TEMPORAL_* variables)` : ''}: ${(err as Error).message}.`,
    );
  }

  const origin = (item: string, source: ConfigDataSource): string => {
    const kind = 'path' in source ? 'PATH' : 'DATA';
    const variable = `TEMPORAL_TLS_${item}_${kind}`;
    if (env[variable] !== undefined || !profile) return variable;
    return `tls.${item.toLowerCase()}_${kind.toLowerCase()} of profile "${profile.name}" in ${profile.file}`;
  };
  let tls: TemporalTls | false | undefined;
  if (merged.tls?.disabled === true) tls = false;
  else if (merged.tls) {
    const t = merged.tls;
    tls = t.serverName !== undefined ? { serverName: t.serverName } : {};
    for (const [key, item] of Object.entries(TLS_ITEMS) as [keyof typeof TLS_ITEMS, string][]) {
      const source = t[key];
      if (!source) continue;
      if ('path' in source) tls[key] = { origin: origin(item, source), path: source.path };
      else {
        const bytes = typeof source.data === 'string' ? Buffer.from(source.data) : source.data;
        tls[key] = { origin: origin(item, source), data: () => bytes };
      }
    }
  }
  const { apiKey, grpcMeta } = merged;
  return {
    address: merged.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: merged.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    taskQueue,
    ...(profile ? { profile } : {}),
    ...(apiKey !== undefined ? { apiKey: () => apiKey } : {}),
    ...(tls !== undefined ? { tls } : {}),
    ...(grpcMeta && Object.keys(grpcMeta).length > 0 ? { metadata: () => ({ ...grpcMeta }) } : {}),
  };
}

/** The bytes of a certificate or key, checked to be PEM of the right kind; the message names origin and file. */
function readPem(
  source: PemSource,
  kind: 'certificate' | 'key',
): { bytes: Buffer; parsed: X509Certificate | KeyObject } {
  let bytes: Buffer;
  if (source.path !== undefined) {
    try {
      bytes = readFileSync(source.path);
    } catch (err) {
      throw new ConfigurationError(
        `${source.origin}: cannot read ${source.path} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
  } else bytes = Buffer.from(source.data?.() ?? []);
  const what = source.path !== undefined ? `${source.origin}: ${source.path}` : source.origin;
  const text = bytes.toString('latin1');
  if (kind === 'certificate') {
    if (!text.includes('-----BEGIN CERTIFICATE-----'))
      throw new ConfigurationError(
        `${what} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line).`,
      );
    try {
      return { bytes, parsed: new X509Certificate(bytes) };
    } catch {
      throw new ConfigurationError(
        `${what} has a PEM certificate block that does not parse as a certificate.`,
      );
    }
  }
  if (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || text.includes('Proc-Type: 4,ENCRYPTED'))
    throw new ConfigurationError(
      `${what} is an encrypted private key; Temporal's client needs it unencrypted.`,
    );
  if (!/-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/.test(text))
    throw new ConfigurationError(`${what} is not a PEM private key (no "-----BEGIN PRIVATE KEY-----" line).`);
  try {
    return { bytes, parsed: createPrivateKey({ key: bytes, format: 'pem' }) };
  } catch {
    throw new ConfigurationError(`${what} has a PEM private key block that does not parse as a private key.`);
  }
}

/**
 * The options to connect with and the namespace, for the worker, the client and the health check alike. Reads
 * and checks the certificate and key files: call it at start-up, before connecting.
 */
export function temporalConnection(config: { temporal: TemporalSettings }): TemporalConnection {
  const t = config.temporal;
  const apiKey = t.apiKey?.();
  let tls: TLSConfig | undefined;
  if (t.tls) {
    const { clientCert, clientKey, serverCACert, serverName } = t.tls;
    if (!clientCert !== !clientKey) {
      const [given, missing] = clientCert ? [clientCert, 'CLIENT_KEY'] : [clientKey!, 'CLIENT_CERT'];
      throw new ConfigurationError(
        `${given.origin} is set but no client ${missing === 'CLIENT_KEY' ? 'key' : 'certificate'} is ` +
          `(TEMPORAL_TLS_${missing}_PATH): mTLS needs both.`,
      );
    }
    tls = {};
    if (serverName !== undefined) tls.serverNameOverride = serverName;
    if (serverCACert) tls.serverRootCACertificate = readPem(serverCACert, 'certificate').bytes;
    if (clientCert && clientKey) {
      const crt = readPem(clientCert, 'certificate');
      const key = readPem(clientKey, 'key');
      if (!(crt.parsed as X509Certificate).checkPrivateKey(key.parsed as KeyObject))
        throw new ConfigurationError(
          `${clientCert.origin} and ${clientKey.origin}: the client certificate and key do not belong together.`,
        );
      tls.clientCertPair = { crt: crt.bytes, key: key.bytes };
    }
  } else if (t.tls === undefined && apiKey !== undefined) tls = {};
  const metadata = t.metadata?.();
  return {
    connectionOptions: {
      address: t.address,
      ...(tls ? { tls } : {}),
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(metadata ? { metadata } : {}),
    },
    namespace: t.namespace,
    summary: {
      address: t.address,
      namespace: t.namespace,
      tls: !tls ? 'off' : tls.clientCertPair ? 'mutual' : 'on',
      apiKey: apiKey !== undefined,
      ...(t.profile ? { profile: `${t.profile.name} (${t.profile.file})` } : {}),
    },
  };
}
