/**
 * docker-compose.yml as Debian's docker-compose (1.29) reads it, and the jtai services' environment as the
 * app's own config reads it. There is no Docker engine here: nothing is started; what can be run without one
 * is (the secrets script, the config, the keys).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { createDeployment } from '../../src/infra';
import { configVariables, loadConfig } from '../../src/infra/config';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

const ROOT = path.resolve(__dirname, '../..');
const JTAI_SERVICES = ['worker', 'web'] as const;
const KEYS_BY_SERVICE = {
  worker: ['files', 'payloads', 'links'],
  web: ['files', 'payloads', 'links', 'web-session'],
};

interface Service {
  environment?: Record<string, string | number | null>;
  secrets?: Array<{ source: string; target?: string }>;
  networks?: Record<string, unknown>;
  ports?: string[];
}
interface Compose {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean }>;
  secrets: Record<string, { file: string }>;
}

let secretsDir: string;
let work: string;

function compose(...args: string[]) {
  const run = spawnSync('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), ...args], {
    cwd: ROOT,
    env: { ...process.env, JTAI_SECRETS_DIR: secretsDir },
    encoding: 'utf8',
  });
  if (run.error)
    throw new Error(
      `docker-compose could not be run (${run.error.message}). npm test installs it with apt-get as root ` +
        '(scripts/provision-apt.ts); elsewhere: sudo apt-get install docker-compose.',
    );
  return run;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'jtai-compose-'));
  secretsDir = path.join(work, 'secrets');
  const made = spawnSync('sh', [path.join(ROOT, 'deploy/make-secrets.sh'), secretsDir], { encoding: 'utf8' });
  expect(made.stderr).toBe('');
  expect(made.status).toBe(0);
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** The resolved file, as `docker-compose config` prints it. */
function resolved(): Compose {
  const run = compose('config');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return parse(run.stdout) as Compose;
}

describe('docker-compose.yml', () => {
  it('is accepted by docker-compose 1.29 (config -q)', () => {
    const version = compose('version', '--short');
    expect(version.stdout.trim()).toMatch(/^1\.29\./);
    const run = compose('config', '-q');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('gives the jtai services only variables the config knows, every secret file they name, and a config that loads', async () => {
    const file = resolved();
    const known = new Set(configVariables());
    for (const name of JTAI_SERVICES) {
      const service = file.services[name]!;
      const environment = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]),
      );
      expect(Object.keys(environment).filter((k) => !known.has(k))).toEqual([]);

      // Where each secret is in the container, and where its file is on this machine.
      const mounted = new Map(
        (service.secrets ?? []).map((s) => [
          `/run/secrets/${s.target ?? s.source}`,
          file.secrets[s.source]!.file,
        ]),
      );
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(environment)) {
        if (!k.endsWith('_FILE')) env[k] = v;
        else {
          expect([k, mounted.has(v)]).toEqual([k, true]); // a *_FILE naming a secret the service is not given
          env[k] = mounted.get(v)!;
        }
      }
      // Nothing but the compose environment: a setting missing here would fall to a default in the app.
      const config = loadConfig(env);
      expect(config.temporal.address).toBe('temporal:7233');
      expect(config.temporal.namespace).toBe('jtai');
      expect(config.dataDir).toBe('/data');
      expect(config.keysDir).toBe('/run/secrets');
      expect(config.mail.smtpUrl).toBe('smtp://mailpit:1025');
      expect(config.files).toMatchObject({
        kind: 's3',
        s3: { endpoint: 'http://minio:9000', bucket: 'jtai-files', forcePathStyle: true },
      });
      expect(config.files.kind === 's3' && config.files.s3.credentials?.accessKeyId).toMatch(/^jtai-app-/);
      expect(config.web.host).toBe(name === 'web' ? '0.0.0.0' : '127.0.0.1');

      // The keys, from the secrets mounted in /run/secrets: loading them must not have to make a new one.
      const keysDir = path.join(work, `${name}-run-secrets`);
      await mkdir(keysDir);
      for (const [inContainer, onHost] of mounted)
        await copyFile(onHost, path.join(keysDir, path.basename(inContainer)));
      const before = (await readdir(keysDir)).sort();
      const deployment = createDeployment({
        ...config,
        dataDir: path.join(work, name),
        keysDir,
        scratchDir: path.join(work, name, 'scratch'),
      });
      if (name === 'web') expect(deployment.webSessionKey()).toHaveLength(32);
      expect((await readdir(keysDir)).sort()).toEqual(before);
      expect(before.filter((f) => f.endsWith('.key')).sort()).toEqual(
        KEYS_BY_SERVICE[name].map((k) => `${k}.key`).sort(),
      );
    }
  });

  it('keeps the database, Temporal, its UI and the object store on the internal network, with no published port', () => {
    const file = resolved();
    expect(file.networks.internal?.internal).toBe(true);
    for (const name of [
      'postgresql',
      'temporal',
      'temporal-ui',
      'minio',
      'temporal-schema',
      'temporal-setup',
    ]) {
      expect([name, Object.keys(file.services[name]!.networks ?? {})]).toEqual([name, ['internal']]);
      expect([name, file.services[name]!.ports]).toEqual([name, undefined]);
    }
    expect(file.services['temporal-ui']!.environment?.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
    // The web app is published on the host's loopback unless the operator says otherwise.
    expect(JSON.stringify(file.services.web!.ports)).toContain('127.0.0.1');
  });

  it('registers exactly the search attributes the workflow sets', () => {
    const script = readFileSync(path.join(ROOT, 'deploy/temporal/setup-namespace.sh'), 'utf8');
    const list = /for attribute in ([^;]+);/.exec(script)?.[1]?.trim().split(/\s+/) ?? [];
    expect(Object.fromEntries(list.map((a) => a.split('=') as [string, string]))).toEqual(SEARCH_ATTRIBUTES);
  });
});

describe('deploy/make-secrets.sh', () => {
  it('makes every secret the compose file mounts, keys of 32 random bytes, and never overwrites one', async () => {
    const file = resolved();
    for (const secret of Object.values(file.secrets)) {
      expect([secret.file, existsSync(secret.file)]).toEqual([secret.file, true]);
      expect((await readFile(secret.file, 'utf8')).trim()).not.toBe('');
    }
    for (const key of ['files', 'payloads', 'links', 'web-session']) {
      const bytes = Buffer.from(
        (await readFile(path.join(secretsDir, `${key}.key`), 'utf8')).trim(),
        'base64',
      );
      expect(bytes).toHaveLength(32);
    }
    expect((await stat(secretsDir)).mode & 0o777).toBe(0o700);
    const first = await readFile(path.join(secretsDir, 'files.key'), 'utf8');
    const again = spawnSync('sh', [path.join(ROOT, 'deploy/make-secrets.sh'), secretsDir], {
      encoding: 'utf8',
    });
    expect(again.status).toBe(0);
    expect(again.stdout).not.toContain('made');
    expect(await readFile(path.join(secretsDir, 'files.key'), 'utf8')).toBe(first);
    const other = await readFile(path.join(secretsDir, 'payloads.key'), 'utf8');
    expect(other).not.toBe(first);
  });
});

describe('Dockerfile', () => {
  it('runs as a user that is not root, on Node 20 slim, with production dependencies only, and copies no secret', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    const runtime = stages.at(-1)!;
    expect(dockerfile).toMatch(/ARG NODE_IMAGE=node:20-[a-z]+-slim/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain('npm ci --omit=dev');
    expect(dockerfile).not.toMatch(/^COPY .*(secrets|\.key|\.data)/m);
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const never of ['secrets', '.data', '.git']) expect(ignored).toContain(never);
  });
});
