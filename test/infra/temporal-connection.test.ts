/**
 * The Temporal connection settings: profile file, TEMPORAL_* variables over it, TLS files read and checked, and the
 * one-line errors; the CLI and the worker stop on them with exit status 1. Real files (certificates made by
 * openssl in a temporary folder); nothing connects here (see temporal-connection-server.test.ts).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect, promisify } from 'node:util';
import { configVariables, loadConfig } from '../../src/infra/config';
import { ConfigurationError } from '../../src/infra/config-error';
import { defaultProfileFile, temporalConnection } from '../../src/infra/temporal-connection';
import { makeTestPki, type TestPki } from '../support/tls';

const ROOT = path.join(__dirname, '../..');
const API_KEY = 'test-api-key-not-a-real-one-7f3a';
let dir: string;
let pki: TestPki;
let profiles: string;

/**
 * The environment given, with nothing from this process's (no HOME: no default profile file); its Temporal
 * settings read, as every process that connects reads them at start-up (loadConfig leaves them until asked).
 */
const config = (env: Record<string, string>) => {
  const loaded = loadConfig({ JTAI_DATA_DIR: dir, ...env });
  void loaded.temporal;
  return loaded;
};
const connect = (env: Record<string, string>) => temporalConnection(config(env));
/** The ConfigurationError message `work` throws. */
function problem(work: () => unknown): string {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jtai-temporal-conn-'));
  pki = await makeTestPki(dir);
  profiles = path.join(dir, 'temporal.toml');
  await writeFile(
    profiles,
    [
      '[profile.default]',
      'address = "temporal.example.org:7233"',
      'namespace = "jtai-a"',
      '',
      '[profile.cloud]',
      'address = "jtai-b.abc12.tmprl.cloud:7233"',
      'namespace = "jtai-b.abc12"',
      `api_key = "${API_KEY}"`,
      '',
      '[profile.mtls]',
      'address = "temporal.internal:7233"',
      'namespace = "jtai-c"',
      '[profile.mtls.tls]',
      `client_cert_path = "${pki.clientCert}"`,
      `client_key_path = "${pki.clientKey}"`,
      `server_ca_cert_path = "${pki.caCert}"`,
      `server_name = "${pki.serverName}"`,
      '',
    ].join('\n'),
  );
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('address and namespace', () => {
  it('with no configuration: localhost:7233, namespace default, no TLS, no API key', () => {
    const c = connect({});
    expect(c).toEqual({
      connectionOptions: { address: 'localhost:7233' },
      namespace: 'default',
      summary: { address: 'localhost:7233', namespace: 'default', tls: 'off', apiKey: false },
    });
    expect(config({}).temporal.taskQueue).toBe('jtai');
  });

  it('TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TEMPORAL_TASK_QUEUE as before', () => {
    const c = config({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'jtai',
      TEMPORAL_TASK_QUEUE: 'q',
    });
    expect(c.temporal).toEqual({ address: 'temporal:7233', namespace: 'jtai', taskQueue: 'q' });
    expect(() => config({ TEMPORAL_ADDRESS: '' })).toThrow(/^Configuration error: TEMPORAL_ADDRESS: /);
  });

  it('from a profile file: the default profile, or TEMPORAL_PROFILE; variables override the profile', () => {
    expect(connect({ TEMPORAL_CONFIG_FILE: profiles }).summary).toEqual({
      address: 'temporal.example.org:7233',
      namespace: 'jtai-a',
      tls: 'off',
      apiKey: false,
      profile: `default (${profiles})`,
    });
    const cloud = connect({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'cloud' });
    expect(cloud.namespace).toBe('jtai-b.abc12');
    // An API key turns TLS on.
    expect(cloud.connectionOptions).toEqual({
      address: 'jtai-b.abc12.tmprl.cloud:7233',
      tls: {},
      apiKey: API_KEY,
    });
    const overridden = connect({
      TEMPORAL_CONFIG_FILE: profiles,
      TEMPORAL_PROFILE: 'cloud',
      TEMPORAL_ADDRESS: 'localhost:7233',
    });
    expect(overridden.connectionOptions.address).toBe('localhost:7233');
    expect(overridden.namespace).toBe('jtai-b.abc12');
    expect(
      connect({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_NAMESPACE: 'other', TEMPORAL_PROFILE: 'cloud' })
        .namespace,
    ).toBe('other');
    // TLS explicitly off wins over the API key's default.
    expect(
      connect({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'cloud', TEMPORAL_TLS: 'false' }).summary
        .tls,
    ).toBe('off');
  });

  it('the default profile file is where Temporal’s tools keep it, used when it exists', async () => {
    const xdg = path.join(dir, 'xdg');
    await mkdir(path.join(xdg, 'temporalio'), { recursive: true });
    expect(defaultProfileFile({ XDG_CONFIG_HOME: xdg }, 'linux')).toBe(
      path.join(xdg, 'temporalio/temporal.toml'),
    );
    expect(defaultProfileFile({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.config/temporalio/temporal.toml');
    expect(connect({ XDG_CONFIG_HOME: xdg }).namespace).toBe('default'); // no file there yet: defaults
    await writeFile(
      path.join(xdg, 'temporalio/temporal.toml'),
      '[profile.default]\nnamespace = "from-xdg"\n',
    );
    expect(connect({ XDG_CONFIG_HOME: xdg }).namespace).toBe('from-xdg');
  });

  it('refuses a missing profile file, an unknown profile, and a file that is not a profile file', async () => {
    const missing = path.join(dir, 'nope.toml');
    expect(problem(() => config({ TEMPORAL_CONFIG_FILE: missing }))).toBe(
      `Configuration error: TEMPORAL_CONFIG_FILE: cannot read ${missing} (ENOENT).`,
    );
    expect(problem(() => config({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'prod' }))).toBe(
      `Configuration error: TEMPORAL_PROFILE: no profile "prod" in ${profiles} (it has "default", "cloud", "mtls").`,
    );
    expect(problem(() => config({ TEMPORAL_PROFILE: 'prod' }))).toBe(
      'Configuration error: TEMPORAL_PROFILE: profile "prod" asked for, but there is no profile file (set TEMPORAL_CONFIG_FILE).',
    );
    // The parser quotes the faulty line; the message must not, as it may hold the API key.
    const broken = path.join(dir, 'broken.toml');
    await writeFile(broken, `[profile.default]\napi_key = "${API_KEY}\n`);
    const brokenMessage = problem(() => config({ TEMPORAL_CONFIG_FILE: broken }));
    expect(brokenMessage).toMatch(
      new RegExp(
        `^Configuration error: ${broken}: not a usable Temporal profile file at line 2, column \\d+ \\(.+\\)\\.$`,
      ),
    );
    expect(brokenMessage).not.toContain(API_KEY);
    const typo = path.join(dir, 'typo.toml');
    await writeFile(typo, '[profile.default]\nadress = "x:7233"\n');
    expect(problem(() => config({ TEMPORAL_CONFIG_FILE: typo }))).toBe(
      `Configuration error: ${typo}: not a usable Temporal profile file (key(s) unrecognized in profile.default: adress).`,
    );
  });

  it('never shows the API key when the configuration is printed or logged', async () => {
    const keyFile = path.join(dir, 'api-key');
    await writeFile(keyFile, `${API_KEY}\n`);
    const envs: Record<string, string>[] = [
      { TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'cloud' },
      { TEMPORAL_API_KEY: API_KEY },
      { TEMPORAL_API_KEY_FILE: keyFile },
    ];
    for (const env of envs) {
      const c = config(env);
      expect(JSON.stringify(c)).not.toContain(API_KEY);
      expect(inspect(c, { depth: null })).not.toContain(API_KEY);
      const connection = temporalConnection(c);
      expect(connection.connectionOptions.apiKey).toBe(API_KEY);
      expect(JSON.stringify(connection.summary)).not.toContain(API_KEY);
    }
  });

  it('the new variables are ones the configuration knows (so deployment files may set them)', () => {
    expect(configVariables()).toEqual(
      expect.arrayContaining([
        'TEMPORAL_ADDRESS',
        'TEMPORAL_NAMESPACE',
        'TEMPORAL_TASK_QUEUE',
        'TEMPORAL_CONFIG_FILE',
        'TEMPORAL_PROFILE',
        'TEMPORAL_API_KEY',
        'TEMPORAL_API_KEY_FILE',
        'TEMPORAL_TLS',
        'TEMPORAL_TLS_SERVER_NAME',
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
        'TEMPORAL_TLS_CLIENT_CERT_PATH',
        'TEMPORAL_TLS_CLIENT_KEY_PATH',
      ]),
    );
    expect(() => config({ TEMPORAL_TLS: 'yes' })).toThrow(/^Configuration error: TEMPORAL_TLS: /);
  });
});

describe('TLS', () => {
  const tlsVars = () => ({
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCert,
    TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKey,
    TEMPORAL_TLS_SERVER_NAME: pki.serverName,
  });

  it('reads the CA, client certificate and key named by the variables or by a profile', async () => {
    const expected = {
      serverNameOverride: pki.serverName,
      serverRootCACertificate: await readFile(pki.caCert),
      clientCertPair: { crt: await readFile(pki.clientCert), key: await readFile(pki.clientKey) },
    };
    const fromVars = connect(tlsVars());
    expect(fromVars.connectionOptions.tls).toEqual(expected);
    expect(fromVars.summary.tls).toBe('mutual');
    const fromProfile = connect({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'mtls' });
    expect(fromProfile.connectionOptions).toEqual({ address: 'temporal.internal:7233', tls: expected });
    expect(fromProfile.namespace).toBe('jtai-c');
    // PEM text in a variable instead of a file.
    const { TEMPORAL_TLS_CLIENT_KEY_PATH: _path, ...withoutKeyPath } = tlsVars();
    const inline = connect({
      ...withoutKeyPath,
      TEMPORAL_TLS_CLIENT_KEY_DATA: await readFile(pki.clientKey, 'utf8'),
    });
    expect(inline.connectionOptions.tls).toEqual(expected);
    expect(
      inspect(config({ TEMPORAL_TLS_CLIENT_KEY_DATA: await readFile(pki.clientKey, 'utf8') })),
    ).not.toMatch(/PRIVATE KEY/);
    // TLS with the system's CAs only (Temporal Cloud with an API key), or turned off over a profile's.
    expect(connect({ TEMPORAL_TLS: 'true' }).connectionOptions).toEqual({
      address: 'localhost:7233',
      tls: {},
    });
    expect(
      connect({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'mtls', TEMPORAL_TLS: 'false' })
        .connectionOptions,
    ).toEqual({ address: 'temporal.internal:7233' });
  });

  it('refuses a missing or unreadable file, one that is not PEM, and a certificate without its key, in one line', async () => {
    const notPem = path.join(dir, 'not-pem.txt');
    await writeFile(notPem, 'this is not a certificate\n');
    const badBlock = path.join(dir, 'bad-block.pem');
    await writeFile(badBlock, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    const missing = path.join(dir, 'missing.pem');
    const cases: [Record<string, string>, string][] = [
      [
        { TEMPORAL_TLS_CLIENT_CERT_PATH: missing },
        `TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read ${missing} (ENOENT).`,
      ],
      [{ TEMPORAL_TLS_CLIENT_KEY_PATH: dir }, `TEMPORAL_TLS_CLIENT_KEY_PATH: cannot read ${dir} (EISDIR).`],
      [
        { TEMPORAL_TLS_SERVER_CA_CERT_PATH: notPem },
        `TEMPORAL_TLS_SERVER_CA_CERT_PATH: ${notPem} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line).`,
      ],
      [
        { TEMPORAL_TLS_CLIENT_CERT_PATH: badBlock },
        `TEMPORAL_TLS_CLIENT_CERT_PATH: ${badBlock} has a PEM certificate block that does not parse as a certificate.`,
      ],
      [
        { TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientCert },
        `TEMPORAL_TLS_CLIENT_KEY_PATH: ${pki.clientCert} is not a PEM private key (no "-----BEGIN PRIVATE KEY-----" line).`,
      ],
      [
        { TEMPORAL_TLS_CLIENT_KEY_PATH: pki.otherKey },
        `TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH: the client certificate and key do not belong together.`,
      ],
    ];
    for (const [change, message] of cases) {
      expect(problem(() => connect({ ...tlsVars(), ...change }))).toBe(`Configuration error: ${message}`);
    }
    expect(problem(() => connect({ TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert }))).toBe(
      'Configuration error: TEMPORAL_TLS_CLIENT_CERT_PATH is set but no client key is (TEMPORAL_TLS_CLIENT_KEY_PATH): mTLS needs both.',
    );
    // Named in a profile: the message names the profile's key and its file.
    const bad = path.join(dir, 'bad-profile.toml');
    await writeFile(bad, `[profile.default.tls]\nserver_ca_cert_path = "${missing}"\n`);
    expect(problem(() => connect({ TEMPORAL_CONFIG_FILE: bad }))).toBe(
      `Configuration error: tls.server_ca_cert_path of profile "default" in ${bad}: cannot read ${missing} (ENOENT).`,
    );
    // Settings that the TypeScript SDK would silently ignore are refused.
    expect(problem(() => config({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' }))).toMatch(
      /^Configuration error: TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported/,
    );
  });
});

describe('the processes stop on a bad certificate before connecting', () => {
  const run = promisify(execFile);
  /** Starts a process with these variables; its exit status and output. */
  async function start(file: string, args: string[], env: Record<string, string>) {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', file, ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', JTAI_DATA_DIR: dir, JTAI_LOG_FORMAT: 'json', ...env },
        timeout: 180_000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('the CLI prints the one line and exits 1; the worker logs it and exits 1', async () => {
    const missing = path.join(dir, 'absent-key.pem');
    const env = { TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert, TEMPORAL_TLS_CLIENT_KEY_PATH: missing };
    const message = `Configuration error: TEMPORAL_TLS_CLIENT_KEY_PATH: cannot read ${missing} (ENOENT).`;
    const [cli, worker] = await Promise.all([
      start('src/client/cli.ts', ['list'], env),
      start('src/worker/main.ts', [], env),
    ]);
    expect(cli).toEqual({ code: 1, stdout: '', stderr: `jtai: ${message}\n` });
    expect(worker.code).toBe(1);
    const records = worker.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: string; msg: string; err?: unknown });
    const fatal = records.filter((r) => r.level === 'fatal');
    expect(fatal).toEqual([expect.objectContaining({ msg: message })]);
    expect(fatal[0]).not.toHaveProperty('err'); // no stack trace for a setting to fix
    expect(records.some((r) => r.msg === 'Worker starting')).toBe(false);
  }, 240_000);
});
