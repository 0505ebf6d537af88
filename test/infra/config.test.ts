import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/infra/config';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jtai-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const S3 = { JTAI_FILE_STORE: 's3', S3_BUCKET: 'jtai-files', S3_ENDPOINT: 'http://minio:9000' };

describe('deployment settings', () => {
  it('keeps files on local disk unless told otherwise', () => {
    expect(loadConfig({}).files).toEqual({ kind: 'local' });
    expect(loadConfig({}).web.host).toBe('127.0.0.1');
  });

  it('limits agency uploads with no configuration: 500 files and 2 GB per agency and inspection, 30 posts in 10 minutes per link', () => {
    expect(loadConfig({}).uploads).toEqual({
      quota: { files: 500, bytes: 2048 * 1024 * 1024 },
      rate: { max: 30, windowMs: 10 * 60_000 },
    });
    expect(
      loadConfig({
        JTAI_UPLOAD_QUOTA_FILES: '50',
        JTAI_UPLOAD_QUOTA_MB: '100',
        JTAI_UPLOAD_RATE_MAX: '5',
        JTAI_UPLOAD_RATE_MINUTES: '1',
      }).uploads,
    ).toEqual({ quota: { files: 50, bytes: 100 * 1024 * 1024 }, rate: { max: 5, windowMs: 60_000 } });
    expect(() => loadConfig({ JTAI_UPLOAD_RATE_MAX: '0' })).toThrow();
  });

  it('reads secrets from <NAME>_FILE, without the final newline, and never both forms', async () => {
    const id = path.join(dir, 's3_access_key_id');
    const secret = path.join(dir, 's3_secret_access_key');
    await writeFile(id, 'jtai-app\n');
    await writeFile(secret, 'a secret with spaces \n');
    const config = loadConfig({ ...S3, S3_ACCESS_KEY_ID_FILE: id, S3_SECRET_ACCESS_KEY_FILE: secret });
    expect(config.files).toEqual({
      kind: 's3',
      s3: {
        endpoint: 'http://minio:9000',
        region: 'us-east-1',
        bucket: 'jtai-files',
        prefix: 'files',
        forcePathStyle: false,
        credentials: { accessKeyId: 'jtai-app', secretAccessKey: 'a secret with spaces ' },
      },
    });
    expect(() => loadConfig({ ...S3, S3_ACCESS_KEY_ID: 'x', S3_ACCESS_KEY_ID_FILE: id })).toThrow(
      'give S3_ACCESS_KEY_ID or S3_ACCESS_KEY_ID_FILE, not both',
    );
    expect(() => loadConfig({ SMTP_URL_FILE: path.join(dir, 'missing') })).toThrow(
      `SMTP_URL_FILE: cannot read ${path.join(dir, 'missing')} (ENOENT)`,
    );
  });

  it('refuses an S3 store without a bucket, half a key pair, a bad prefix or a yes/no it cannot read', () => {
    expect(() => loadConfig({ JTAI_FILE_STORE: 's3' })).toThrow(
      'S3_BUCKET: required when JTAI_FILE_STORE=s3',
    );
    expect(() => loadConfig({ ...S3, S3_ACCESS_KEY_ID: 'only-half' })).toThrow(
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together',
    );
    expect(() => loadConfig({ ...S3, S3_PREFIX: '../files' })).toThrow('S3_PREFIX');
    expect(() => loadConfig({ ...S3, S3_PREFIX: 'files/' })).toThrow('S3_PREFIX');
    expect(() => loadConfig({ ...S3, S3_FORCE_PATH_STYLE: 'yes' })).toThrow('S3_FORCE_PATH_STYLE');
    expect(() => loadConfig({ JTAI_FILE_STORE: 'disk' })).toThrow('JTAI_FILE_STORE');
  });

  it('never puts a secret into its error messages', () => {
    let message = '';
    try {
      loadConfig({ SMTP_URL: 'not a url but s3cr3t-password' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('SMTP_URL');
    expect(message).not.toContain('s3cr3t');
  });
});

describe('the file store factory', () => {
  /** Whether building the deployment with `env` loads the AWS SDK, in a fresh process (jest has its own loader). */
  function loadsAwsSdk(env: Record<string, string>): boolean {
    const script = `
      const { loadConfig } = require('./src/infra/config.ts');
      const { createDeployment } = require('./src/infra/index.ts');
      createDeployment(loadConfig(${JSON.stringify(env)})).fileStoreFor('inspection-x');
      process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes('@aws-sdk'))));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    return JSON.parse(run.stdout) as boolean;
  }

  it('loads the AWS SDK only for the S3 store, so the CLI on local disk does not pay for it', () => {
    const data = { JTAI_DATA_DIR: path.join(dir, 'data') };
    expect(loadsAwsSdk(data)).toBe(false);
    expect(loadsAwsSdk({ ...data, JTAI_FILE_STORE: 's3', S3_BUCKET: 'jtai-files' })).toBe(true);
  });
});
