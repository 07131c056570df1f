// The published package, as a consumer gets it: compile, `npm pack`, `npm publish --dry-run` of the tarball, unpack
// it into two fresh cdk8s apps outside the repository (one with the lowest cdk8s / cdk8s-plus-27 / constructs the
// peer ranges allow, one with the newest), synthesize a small platform in each with plain node and type-check a
// TypeScript consumer against each. A broken `main`, `types`, `files` list, dependency list or peer range fails
// here, and so does a package that grows past its size budget. No network: both peer sets come from the lockfile
// (the lowest are this repository's devDependencies, the newest are installed into test/peers-newest/node_modules).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { checkRestricted, validateObjects } from './support/validate';

const ROOT = path.resolve(__dirname, '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const TSC = require.resolve('typescript/bin/tsc');
/** The folder whose node_modules holds the newest peers in range (its package.json is written by .projenrc.ts). */
const PEERS_NEWEST = path.join(ROOT, 'test', 'peers-newest');

/** The majors the library is written against; a peer range outside them is a packaging bug. */
const PEER_MAJORS: Record<string, number> = { 'cdk8s': 2, 'cdk8s-plus-27': 2, 'constructs': 10 };

/**
 * Size budgets, about 1.5 times the sizes measured when they were set and below the targets the README states
 * (tarball 1 MB, unpacked 8 MB): tarball 0.29 MB, unpacked 2.65 MB, and 15.3 MB for the package, yaml and the
 * newest peers as linked below (a real install adds the ~20 MB of `backport` and its dependencies, which
 * cdk8s-plus-27 itself declares; docs/releasing.md has the figures). Shipping source maps again (32 MB) or a
 * generated CRD module the library does not load (KServe's: 3 MB) fails here.
 */
const MAX_TARBALL_BYTES = 512 * 1024;
const MAX_UNPACKED_BYTES = 4 * 1024 * 1024;
const MAX_CONSUMER_NODE_MODULES_BYTES = 24 * 1024 * 1024;

let work: string;
let tarball: string;
let packed: { size: number; unpackedSize: number; files: string[] };
let packedFiles: string[];

/** A consumer app: its folder, where the package is installed, and where its peers really are. */
interface Consumer {
  readonly dir: string;
  readonly installed: string;
  readonly peers: Record<string, string>;
}
const consumers: Record<'lowest' | 'newest', Consumer> = {} as any;

/** Runs a command, and on failure throws with its output (execFileSync's own message drops stdout). */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, NODE_PATH: '', ...env } });
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The real folder of package `name` as Node resolves it from `from` (node_modules of `from` and its parents). */
function packageDir(name: string, from: string): string {
  return path.dirname(fs.realpathSync(require.resolve(`${name}/package.json`, { paths: [from] })));
}

function versionOf(dir: string): string {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}

/** Compares two `X.Y.Z` versions. */
function compareVersions(a: string, b: string): number {
  const [pa, pb] = [a, b].map((v) => v.split('.').map(Number));
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
}

/** Bytes of the files under `dir`, following links, each real folder counted once. */
function treeBytes(dir: string, seen = new Set<string>()): number {
  const real = fs.realpathSync(dir);
  if (seen.has(real)) return 0;
  seen.add(real);
  let bytes = 0;
  for (const entry of fs.readdirSync(real)) {
    const full = path.join(real, entry);
    const stat = fs.statSync(full);
    bytes += stat.isDirectory() ? treeBytes(full, seen) : stat.size;
  }
  return bytes;
}

/** Copies what `npm pack` may take from the repository besides the compiled output into `stage`. */
function stagePackage(stage: string, outDir: string): void {
  fs.mkdirSync(stage, { recursive: true });
  // Files npm always packs (package.json, README, LICENSE, ...), .npmignore, and anything `files` names outside
  // the compiled output.
  const always = /^(package\.json|\.npmignore|(readme|license|licence|notice|changelog)(\..*)?)$/i;
  const fromFiles = (PKG.files ?? []).map((f: string) => f.replace(/^\.?\//, '').split('/')[0]);
  for (const entry of fs.readdirSync(ROOT)) {
    if (entry !== outDir && (always.test(entry) || fromFiles.includes(entry))) {
      fs.cpSync(path.join(ROOT, entry), path.join(stage, entry), { recursive: true });
    }
  }
}

/**
 * A fresh app outside the repository. The tarball is unpacked where npm would put it; its dependencies are linked
 * from this repository and its peers from `peerHome`'s node_modules. Node resolves modules by real path, so
 * cdk8s-plus-27 finds the cdk8s and constructs beside its own real folder: each peer set is a folder whose
 * node_modules holds all three (the test below checks that they are the linked ones). Nothing else is reachable:
 * an undeclared require fails.
 */
function makeConsumer(name: string, peerHome: string): Consumer {
  const dir = path.join(work, name);
  const installed = path.join(dir, 'node_modules', PKG.name);
  fs.mkdirSync(installed, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], work);
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  const peers: Record<string, string> = {};
  const link = (dep: string, target: string) => {
    const at = path.join(dir, 'node_modules', dep);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.symlinkSync(target, at, 'junction');
  };
  for (const dep of Object.keys(manifest.dependencies ?? {})) link(dep, packageDir(dep, ROOT));
  for (const dep of Object.keys(manifest.peerDependencies ?? {})) {
    peers[dep] = packageDir(dep, peerHome);
    link(dep, peers[dep]);
  }
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: `consumer-${name}`, version: '1.0.0', private: true,
    dependencies: { [PKG.name]: `file:${tarball}`, ...manifest.dependencies, ...manifest.peerDependencies },
  }, null, 2));
  return { dir, installed, peers };
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mlops-pack-'));
  const stage = path.join(work, 'stage');
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
  const outDir: string = config.compilerOptions.outDir;
  stagePackage(stage, outDir);

  // The compile task's tsc into the staging copy, not build/, so a stale file in build/ cannot hide a missing one.
  // No type check here: the typecheck task does it once for the whole repository, and it does not change the emit.
  run(process.execPath, [TSC, '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', path.join(stage, outDir), '--noCheck'], ROOT);

  const pack = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--offline', '--pack-destination', work], stage))[0];
  tarball = path.join(work, pack.filename);
  packedFiles = pack.files.map((f: { path: string }) => f.path).sort();
  packed = { size: pack.size, unpackedSize: pack.unpackedSize, files: packedFiles };

  consumers.lowest = makeConsumer('lowest', ROOT);
  consumers.newest = makeConsumer('newest', PEERS_NEWEST);
}, 180_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  test('ships compiled JavaScript and declarations, the README and LICENSE (a CHANGELOG may come), and nothing else', () => {
    const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^build\/lib\/.+\.(js|d\.ts)$/, /^build\/imports\/.+\.js$/];
    expect(packedFiles.filter((f) => !allowed.some((re) => re.test(f)))).toEqual([]);
    // Spelled out: no tests, no TypeScript sources, no source maps, no CRDs or other YAML, no synth output.
    expect(packedFiles.filter((f) => /(^|\/)(test|dist)\//.test(f) || (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) || /\.map$/.test(f) || /\.ya?ml$/.test(f))).toEqual([]);
    expect(packedFiles).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
  });

  test('contains the compiled JavaScript and declarations of every source file of lib/', () => {
    const sources = ts.sys.readDirectory(path.join(ROOT, 'lib'), ['.ts'], ['**/*.d.ts']).map((f) => path.relative(ROOT, f).replace(/\.ts$/, ''));
    expect(sources.length).toBeGreaterThan(10);
    const missing = sources.flatMap((s) => [`build/${s}.js`, `build/${s}.d.ts`]).filter((f) => !packedFiles.includes(f));
    expect(missing).toEqual([]);
  });

  test('contains the generated CRD modules the library loads, as JavaScript only, and no other', () => {
    // The package.json `files` list names them; .projenrc.ts derives it from lib/'s requires (`npx projen`).
    const required = new Set<string>();
    for (const file of packedFiles.filter((f) => /^build\/lib\/.+\.js$/.test(f))) {
      const text = fs.readFileSync(path.join(consumers.newest.installed, file), 'utf8');
      for (const m of text.matchAll(/\brequire\(["']((?:\.\.\/)+imports\/[^"']+)["']\)/g)) {
        required.add(path.posix.join(path.posix.dirname(file), m[1]) + '.js');
      }
    }
    expect(required.size).toBeGreaterThan(5);
    expect(packedFiles.filter((f) => f.startsWith('build/imports/'))).toEqual([...required].sort());
  });

  test('main and types point at packed files', () => {
    expect(packedFiles).toContain(path.posix.normalize(PKG.main));
    expect(packedFiles).toContain(path.posix.normalize(PKG.types));
    for (const consumer of Object.values(consumers)) {
      expect(fs.realpathSync(require.resolve(PKG.name, { paths: [consumer.dir] }))).toBe(fs.realpathSync(path.join(consumer.installed, PKG.main)));
    }
  });

  test('every relative import of the packed JavaScript and declarations resolves inside the package', () => {
    const unresolved: string[] = [];
    for (const file of packedFiles.filter((f) => /\.(js|d\.ts)$/.test(f))) {
      const text = fs.readFileSync(path.join(consumers.newest.installed, file), 'utf8');
      for (const m of text.matchAll(/(?:require\(|from |import\()\s*["'](\.{1,2}\/[^"']*)["']/g)) {
        const target = path.posix.join(path.posix.dirname(file), m[1]);
        const ext = file.endsWith('.d.ts') ? '.d.ts' : '.js';
        if (![target + ext, `${target}/index${ext}`].some((t) => packedFiles.includes(t))) unresolved.push(`${file}: ${m[1]}`);
      }
    }
    expect(unresolved).toEqual([]);
  });

  test('declares as dependencies and peers exactly the packages its code requires', () => {
    const required = new Set<string>();
    for (const file of packedFiles.filter((f) => f.endsWith('.js'))) {
      const text = fs.readFileSync(path.join(consumers.newest.installed, file), 'utf8');
      // Either quote: tsc writes its own requires with double quotes, but keeps the quotes of a require in the source.
      for (const m of text.matchAll(/\brequire\(["']([^"']+)["']\)/g)) {
        const spec = m[1];
        if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) continue;
        required.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    const declared = Object.keys({ ...PKG.dependencies, ...PKG.peerDependencies }).sort();
    expect([...required].sort()).toEqual(declared);
    // The cdk8s family is the consumer's: peers, never bundled dependencies of their own.
    expect(Object.keys(PKG.peerDependencies).sort()).toEqual(Object.keys(PEER_MAJORS).sort());
    expect(Object.keys(PKG.dependencies ?? {}).filter((d) => d in PEER_MAJORS)).toEqual([]);
  });

  test.each(Object.entries(PEER_MAJORS))('peer %s takes any later release of major %i, from the version tested here', (name, major) => {
    // `^X.Y.Z` with X the supported major and X.Y.Z the exact version pinned in devDependencies (and installed),
    // so the oldest version a consumer may bring is the one these tests ran against.
    const range: string = PKG.peerDependencies[name];
    expect(range).toMatch(new RegExp(`^\\^${major}\\.\\d+\\.\\d+$`));
    expect(PKG.devDependencies[name]).toBe(range.slice(1));
    expect(versionOf(consumers.lowest.peers[name])).toBe(range.slice(1));
  });

  test.each(Object.keys(PEER_MAJORS))('the newest %s tested is the one test/peers-newest pins, in range and above the lowest', (name) => {
    const pinned: string = JSON.parse(fs.readFileSync(path.join(PEERS_NEWEST, 'package.json'), 'utf8')).dependencies[name];
    const newest = versionOf(consumers.newest.peers[name]);
    expect(newest).toBe(pinned);
    expect(newest.split('.')[0]).toBe(String(PEER_MAJORS[name]));
    expect(compareVersions(newest, PKG.peerDependencies[name].slice(1))).toBeGreaterThanOrEqual(0);
  });

  test('stays within its size budget', () => {
    expect(packed.size).toBeLessThanOrEqual(MAX_TARBALL_BYTES);
    expect(packed.unpackedSize).toBeLessThanOrEqual(MAX_UNPACKED_BYTES);
    // The package, its dependency and the newest peers: what a minimal consumer's node_modules holds.
    expect(treeBytes(path.join(consumers.newest.dir, 'node_modules'))).toBeLessThanOrEqual(MAX_CONSUMER_NODE_MODULES_BYTES);
  });

  test('`npm publish --dry-run` of the tarball succeeds offline and without credentials, and would publish what was packed', () => {
    // --offline: with --dry-run npm only warns about the missing login, but it would still ask the registry which
    // versions exist; offline that lookup fails quietly and the dry run goes on.
    const out = run('npm', ['publish', tarball, '--dry-run', '--offline', '--ignore-scripts', '--json'], work, {
      npm_config_userconfig: path.join(work, 'no-npmrc'),
    });
    const report = JSON.parse(out);
    const published = (Array.isArray(report) ? report[0] : report[PKG.name] ?? report);
    expect(published).toMatchObject({ name: PKG.name, version: PKG.version });
    expect(published.files.map((f: { path: string }) => f.path).sort()).toEqual(packedFiles);
    expect(packedFiles).toEqual(expect.arrayContaining([PKG.types, ...packedFiles.filter((f) => /^build\/lib\/.+\.js$/.test(f)).map((f) => f.replace(/\.js$/, '.d.ts'))]));
  }, 60_000);
});

describe.each(['lowest', 'newest'] as const)('a consumer with the %s peers in range', (set) => {
  test('links the peers it is meant to, and cdk8s-plus-27 and the package resolve the same cdk8s and constructs', () => {
    const consumer = consumers[set];
    const expected = set === 'lowest'
      ? Object.fromEntries(Object.keys(PEER_MAJORS).map((name) => [name, PKG.devDependencies[name]]))
      : JSON.parse(fs.readFileSync(path.join(PEERS_NEWEST, 'package.json'), 'utf8')).dependencies;
    expect(Object.fromEntries(Object.entries(consumer.peers).map(([name, dir]) => [name, versionOf(dir)]))).toEqual(expected);
    for (const from of [consumer.peers['cdk8s-plus-27'], consumer.installed]) {
      expect(packageDir('cdk8s', from)).toBe(consumer.peers.cdk8s);
      expect(packageDir('constructs', from)).toBe(consumer.peers.constructs);
    }
    expect(packageDir('constructs', consumer.peers.cdk8s)).toBe(consumer.peers.constructs);
  });

  test('synthesizes a platform from it with plain node', () => {
    const dir = consumers[set].dir;
    fs.writeFileSync(path.join(dir, 'main.js'), CONSUMER_APP);
    run(process.execPath, ['main.js'], dir);
    const objects = fs.readdirSync(path.join(dir, 'dist'))
      .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, 'dist', f), 'utf8')).map((d) => d.toJSON()));
    const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

    expect(objects.length).toBeGreaterThan(10);
    expect(validateObjects(objects)).toEqual([]);
    expect(checkRestricted(objects)).toEqual([]);
    const trainer = find('Job', 'train').spec.template.spec.containers[0];
    expect(trainer.resources.limits['nvidia.com/gpu']).toBe('2');
    expect(trainer.env).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'MLFLOW_TRACKING_URI' })]));
    expect(find('Deployment', 'mlflow')).toBeDefined();
    expect(find('Deployment', 'serve')).toBeDefined();
    // A generated CRD class the package ships, loaded on first use (Kueue's LocalQueue, through MlRbac).
    expect(find('LocalQueue', 'vision')).toBeDefined();
    // The feature_store.yaml is written with the package's one runtime dependency, yaml.
    const feast = objects.find((o) => o.kind === 'ConfigMap' && o.data?.['feature_store.yaml']);
    expect(feast.data['feature_store.yaml']).toMatch(/^project: demo$/m);
  }, 60_000);

  test('its declarations type-check in a strict TypeScript consumer', () => {
    const dir = consumers[set].dir;
    fs.writeFileSync(path.join(dir, 'check.ts'), CONSUMER_TYPES);
    // skipLibCheck off: a declaration that references something stripped or missing from the package fails here.
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'commonjs', target: 'es2020', moduleResolution: 'node10', skipLibCheck: false, types: [] },
      files: ['check.ts'],
    }));
    run(process.execPath, [TSC, '-p', '.'], dir);
  }, 60_000);
});

/** A small platform in plain CommonJS, the way a JavaScript user writes it. */
const CONSUMER_APP = `
const { App, Chart } = require('cdk8s');
const {
  Accelerator, AccessMode, ArtifactStore, BackendStore, FeatureStore, GpuTrainingJob, MlflowPlatform, MlRbac,
  ModelServer, ModelSource, OnlineStore, Registry, SecretValue, ServingRuntime, VolumeClaim,
} = require('cdk8s-mlops');

const app = new App({ outdir: 'dist' });
const chart = new Chart(app, 'platform', { namespace: 'ml' });
const mlflow = new MlflowPlatform(chart, 'mlflow', {
  backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('mlflow-db', 'password') }),
  artifactStore: ArtifactStore.minio({
    bucket: 'artifacts',
    rootUser: SecretValue.fromSecret('mlflow-minio', 'user'),
    rootPassword: SecretValue.fromSecret('mlflow-minio', 'password'),
  }),
});
const train = new GpuTrainingJob(chart, 'train', {
  image: 'ghcr.io/acme/train:1.0.0',
  command: ['python', 'train.py'],
  accelerator: Accelerator.nvidiaGpu(2),
});
mlflow.connect(train, { experimentName: 'demo' });
new ModelServer(chart, 'serve', {
  runtime: ServingRuntime.triton(),
  model: ModelSource.claim(VolumeClaim.fromClaimName('models', { accessModes: [AccessMode.READ_ONLY_MANY] })),
  accelerator: Accelerator.nvidiaGpu(1),
});
new FeatureStore(chart, 'features', {
  project: 'demo',
  registry: Registry.file(VolumeClaim.fromClaimName('feast-registry', { accessModes: [AccessMode.READ_WRITE_MANY] })),
  onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password') }),
});
new MlRbac(chart, 'rbac').addTeam({ name: 'vision', quota: { gpus: 8, cpu: 64, memory: '512Gi' } });
app.synth();
`;

/** A TypeScript consumer: the types must resolve (not degrade to any) and reject a wrongly typed prop. */
const CONSUMER_TYPES = `
import { App, Chart } from 'cdk8s';
import { Accelerator, GpuTrainingJob, GpuTrainingJobProps } from 'cdk8s-mlops';

const props: GpuTrainingJobProps = { image: 'ghcr.io/acme/train:1.0.0', accelerator: Accelerator.nvidiaGpu(1) };
const job: GpuTrainingJob = new GpuTrainingJob(new Chart(new App(), 'ok'), 'train', props);
export const name: string = job.workloadName;
// @ts-expect-error a string where the props say number: an error only if the types really resolved
new GpuTrainingJob(new Chart(new App(), 'bad'), 'train', { ...props, backoffLimit: 'four' });
`;
