// Secrets robust to any characters (#15): the scripts that hand a password to Redis, mc and Feast are run here with
// hostile values, and what the program would read back is compared with the Secret's value, byte for byte.
import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import {
  AccessMode, ArtifactStore, BackendStore, FeatureStore, MlflowPlatform, OfflineStore, OnlineStore, Registry, Schedule, SecretValue, VolumeClaim,
} from '../lib';

/** Passwords that break a naive here-document, config file, JSON or YAML, or inject a directive. */
const HOSTILE = [
  'plain-password',
  'quote"backslash\\end',
  "single'quote",
  'dollar$HOME and ${HOME} and $(id) and `id`',
  'comma,ssl=false,db=3',
  'hash # not a comment: colon',
  'line\nrequirepass injected\nrename-command CONFIG ""',
  'crlf\r\nx',
  'tab\there',
  '{"json": [1, 2]}',
  '"quoted"',
  'null',
  '123',
  '- [yaml, list]',
  'ünïcödé €😀',
  '\x7f\x01\x1b[31m',
  '\\x41\\n',
];

const find = (objects: any[], kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const containerOf = (obj: any) => (obj.spec.template ?? obj.spec.jobTemplate.spec.template).spec.containers[0];

function run(command: string, args: string[], env: Record<string, string>, cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { env: { PATH: `${cwd}:${process.env.PATH}`, HOME: cwd, ...env }, cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Redis's reading of one config line (sdssplitargs): double-quoted strings with `\xHH`, `\n`, `\\`... escapes. */
function redisArgs(line: string): Buffer[] {
  const args: Buffer[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    const bytes: number[] = [];
    if (line[i] === '"') {
      i++;
      while (line[i] !== '"') {
        if (i >= line.length) throw new Error(`unbalanced quotes: ${line}`);
        if (line[i] === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          bytes.push(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (line[i] === '\\') {
          const c = line[i + 1];
          bytes.push(...Buffer.from(({ n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' } as Record<string, string>)[c] ?? c));
          i += 2;
        } else {
          bytes.push(...Buffer.from(line[i]));
          i++;
        }
      }
      i++;
      if (i < line.length && line[i] !== ' ') throw new Error(`closing quote must be followed by a space: ${line}`);
    } else {
      while (i < line.length && line[i] !== ' ') bytes.push(...Buffer.from(line[i++]));
    }
    args.push(Buffer.from(bytes));
  }
  return args;
}

describe('the in-cluster Redis of FeatureStore: the password reaches redis-server intact', () => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'feast' });
  new FeatureStore(chart, 'features', {
    registry: Registry.file(VolumeClaim.fromClaimName('reg', { accessModes: [AccessMode.READ_WRITE_MANY] })),
    onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password') }),
  });
  const redis = containerOf(find(Testing.synth(chart), 'StatefulSet'));
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  // A stand-in redis-server that saves the configuration it reads from stdin.
  writeFileSync(join(dir, 'redis-server'), '#!/bin/sh\ncat > "$HOME/redis.conf"\n');
  chmodSync(join(dir, 'redis-server'), 0o755);

  test('no password text in the command: it comes from the Secret into the environment', () => {
    expect(redis.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(redis.env).toContainEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'feast-redis', key: 'password' } } });
  });

  test.each(HOSTILE)('%j', (password) => {
    const result = run(redis.command[0], redis.command.slice(1), { REDIS_PASSWORD: password }, dir);
    expect(result.stderr).toBe('');
    const lines = readFileSync(join(dir, 'redis.conf'), 'utf8').split('\n').filter((l) => l !== '');
    // One directive only: nothing was injected, and it carries the password's bytes exactly.
    expect(lines).toHaveLength(1);
    const [directive, value, ...rest] = redisArgs(lines[0]);
    expect([directive.toString(), rest.length]).toEqual(['requirepass', 0]);
    expect(value.equals(Buffer.from(password))).toBe(true);
  });

  test('an empty password is refused at start (Redis would accept every client)', () => {
    const result = run(redis.command[0], redis.command.slice(1), { REDIS_PASSWORD: '' }, dir);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('The Redis password Secret is empty');
  });
});

describe('the MinIO bucket Job of MlflowPlatform: mc gets the root credentials intact', () => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
  new MlflowPlatform(chart, 'mlflow', {
    backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') }),
    artifactStore: ArtifactStore.minio({ bucket: 'mlflow', rootUser: SecretValue.fromSecret('minio', 'user'), rootPassword: SecretValue.fromSecret('minio', 'password') }),
  });
  const job = containerOf(find(Testing.synth(chart), 'Job', 'mlflow-minio-bucket'));
  const dir = mkdtempSync(join(tmpdir(), 'mc-'));
  // A stand-in mc: `alias set` saves its arguments and stdin; `ready`, `mb` and `anonymous` succeed.
  writeFileSync(join(dir, 'mc'), '#!/bin/sh\nif [ "$1 $2" = "alias set" ]; then printf "%s\\n" "$@" > "$HOME/args"; cat > "$HOME/stdin"; fi\n');
  chmodSync(join(dir, 'mc'), 0o755);

  test('no credential in the command: only references to the environment', () => {
    expect(job.command.join(' ')).not.toMatch(/accessKey|secretKey|config\.json/);
    expect(job.command[2]).toContain('mc alias set --api s3v4 --path auto minio http://mlflow-minio.ml.svc:9000');
  });

  test.each(HOSTILE.filter((p) => !/[\r\n]/.test(p)))('%j', (password) => {
    const user = `user ${password}`;
    const result = run(job.command[0], job.command.slice(1), { MINIO_ROOT_USER: user, MINIO_ROOT_PASSWORD: password }, dir);
    expect([result.status, result.stderr]).toEqual([0, '']);
    // mc reads one line each: the user, then the password.
    expect(readFileSync(join(dir, 'stdin'), 'utf8')).toBe(`${user}\n${password}\n`);
    expect(readFileSync(join(dir, 'args'), 'utf8')).not.toContain(password);
  });

  test.each(['line\nbreak', 'carriage\rreturn', 'trailing newline from --from-file\n'])('a line break is refused with a message: %j', (password) => {
    const result = run(job.command[0], job.command.slice(1), { MINIO_ROOT_USER: 'admin', MINIO_ROOT_PASSWORD: password }, dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('must be single lines');
  });
});

/** Python 3 with PyYAML, as in the Feast images; without it here the Feast round trip cannot be run. */
const python = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;

(python ? describe : describe.skip)('FeatureStore: secrets reach Feast intact through feature_store.yaml', () => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'feast' });
  new FeatureStore(chart, 'features', {
    registry: Registry.sql(SecretValue.fromSecret('reg', 'url')),
    onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password') }),
    offlineStore: OfflineStore.postgres({ host: 'pg.example.com', database: 'd', user: 'u', password: SecretValue.fromSecret('pg', 'password') }),
    materialization: { schedule: Schedule.daily() },
  });
  const objects = Testing.synth(chart);
  const template = find(objects, 'ConfigMap').data['feature_store.yaml'];
  const server = containerOf(find(objects, 'Deployment'));
  const materialize = containerOf(find(objects, 'CronJob'));
  const dir = mkdtempSync(join(tmpdir(), 'feast-'));
  writeFileSync(join(dir, 'template.yaml'), template);
  // What Feast does with the file (feast/repo_config.py, load_repo_config; the Redis store's connection string).
  writeFileSync(join(dir, 'feast-reads.py'), [
    'import json, os, sys, yaml',
    'raw = yaml.safe_load(os.path.expandvars(open(sys.argv[1]).read()))',
    'params = {}',
    "for c in raw['online_store']['connection_string'].split(','):",
    "    if '=' in c:",
    "        k, v = c.split('=', 1)",
    '        try: v = json.loads(v)',
    '        except json.JSONDecodeError: pass',
    '        params[k] = v',
    "print(json.dumps({'redis': params['password'], 'offline': raw['offline_store']['password'], 'registry': raw['registry']['path'], 'mode': oct(os.stat(sys.argv[1]).st_mode & 0o777)}))",
  ].join('\n'));

  test('the ConfigMap is a template: references, never a value', () => {
    expect(template).toContain('password=${FEAST_REDIS_PASSWORD}');
    expect(template).toContain('${FEAST_OFFLINE_STORE_PASSWORD}');
    expect(server.command[server.command.indexOf('--feature-store-yaml') + 1]).toBe('/var/run/feast/feature_store.yaml');
    expect(materialize.command.slice(0, 5)).toEqual(server.command.slice(0, 5));
  });

  test.each(HOSTILE)('%j', (password) => {
    const [python3, flag, script] = server.command;
    expect([python3, flag]).toEqual(['python', '-c']);
    const rendered = join(dir, 'feature_store.yaml');
    const url = `postgresql+psycopg://feast:${password}@db.example.com:5432/feast`;
    // The wrapper renders the file, then runs Feast (here: what Feast does with it).
    const result = run('python3', ['-c', script, join(dir, 'template.yaml'), rendered, 'python3', join(dir, 'feast-reads.py'), rendered],
      { FEAST_REDIS_PASSWORD: password, FEAST_OFFLINE_STORE_PASSWORD: password, FEAST_REGISTRY_URL: url, HOME: '/tmp' }, dir);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ redis: password, offline: password, registry: url, mode: '0o600' });
  });

  test('a missing variable stops the container with its name', () => {
    const result = run('python3', ['-c', server.command[2], join(dir, 'template.yaml'), join(dir, 'x.yaml'), 'true'], { FEAST_REDIS_PASSWORD: 'x' }, dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/feature_store.yaml: no environment variable FEAST_(REGISTRY_URL|OFFLINE_STORE_PASSWORD)/);
  });
});
