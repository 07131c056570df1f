// The published package, as a consumer gets it: compile, `npm pack`, unpack into a fresh cdk8s app outside the
// repository, synthesize a small platform from it with plain node and type-check a TypeScript consumer against
// it. A broken `main`, `types`, `files` list or dependency list fails here. No network: the peers are linked from
// this repository's node_modules.
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

/** The majors the library is written against; a peer range outside them is a packaging bug. */
const PEER_MAJORS: Record<string, number> = { 'cdk8s': 2, 'cdk8s-plus-27': 2, 'constructs': 10 };

let work: string;
let tarball: string;
let packedFiles: string[];
let consumer: string;
let installed: string;

/** Runs a command, and on failure throws with its output (execFileSync's own message drops stdout). */
function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, NODE_PATH: '' } });
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
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

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mlops-pack-'));
  const stage = path.join(work, 'stage');
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config;
  const outDir: string = config.compilerOptions.outDir;
  stagePackage(stage, outDir);

  // The compile task's tsc into the staging copy, not build/, so a stale file in build/ cannot hide a missing one.
  // No type check here: the typecheck task does it once for the whole repository, and it does not change the emit.
  run(process.execPath, [TSC, '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', path.join(stage, outDir), '--noCheck'], ROOT);

  const pack = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--offline', '--pack-destination', work], stage));
  tarball = path.join(work, pack[0].filename);
  packedFiles = pack[0].files.map((f: { path: string }) => f.path).sort();

  // A fresh app outside the repository. The tarball is unpacked where npm would put it; the dependencies and peers
  // the package declares are linked from this repository (Node resolves them by real path, so cdk8s-plus-27 and
  // the package share one cdk8s and one constructs). Nothing else is reachable: an undeclared require fails.
  consumer = path.join(work, 'app');
  installed = path.join(consumer, 'node_modules', PKG.name);
  fs.mkdirSync(installed, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], work);
  const packed = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  for (const dep of Object.keys({ ...packed.dependencies, ...packed.peerDependencies })) {
    const link = path.join(consumer, 'node_modules', dep);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', dep), link, 'junction');
  }
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({
    name: 'consumer', version: '1.0.0', private: true,
    dependencies: { [PKG.name]: `file:${tarball}`, ...packed.dependencies, ...packed.peerDependencies },
  }, null, 2));
}, 180_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  test('ships compiled JavaScript and declarations, the README and LICENSE (a CHANGELOG may come), and nothing else', () => {
    const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^build\/(lib|imports)\/.+\.(js|d\.ts)$/];
    expect(packedFiles.filter((f) => !allowed.some((re) => re.test(f)))).toEqual([]);
    // Spelled out: no tests, no TypeScript sources, no CRDs or other YAML, no synth output.
    expect(packedFiles.filter((f) => /(^|\/)(test|dist)\//.test(f) || (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) || /\.ya?ml$/.test(f))).toEqual([]);
    expect(packedFiles).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
  });

  test('contains the compiled JavaScript and declarations of every source file of lib/ and imports/', () => {
    const sources = ts.sys.readDirectory(path.join(ROOT, 'lib'), ['.ts'], ['**/*.d.ts'])
      .concat(ts.sys.readDirectory(path.join(ROOT, 'imports'), ['.ts'], ['**/*.d.ts']))
      .map((f) => path.relative(ROOT, f).replace(/\.ts$/, ''));
    expect(sources.length).toBeGreaterThan(10);
    const missing = sources.flatMap((s) => [`build/${s}.js`, `build/${s}.d.ts`]).filter((f) => !packedFiles.includes(f));
    expect(missing).toEqual([]);
  });

  test('main and types point at packed files', () => {
    expect(packedFiles).toContain(path.posix.normalize(PKG.main));
    expect(packedFiles).toContain(path.posix.normalize(PKG.types));
    expect(fs.realpathSync(require.resolve(PKG.name, { paths: [consumer] }))).toBe(fs.realpathSync(path.join(installed, PKG.main)));
  });

  test('every relative import of the packed JavaScript and declarations resolves inside the package', () => {
    const unresolved: string[] = [];
    for (const file of packedFiles.filter((f) => /\.(js|d\.ts)$/.test(f))) {
      const text = fs.readFileSync(path.join(installed, file), 'utf8');
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
      const text = fs.readFileSync(path.join(installed, file), 'utf8');
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
    const installedVersion = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect(installedVersion).toBe(range.slice(1));
  });

  test('a fresh cdk8s app synthesizes a platform from it with plain node', () => {
    fs.writeFileSync(path.join(consumer, 'main.js'), CONSUMER_APP);
    run(process.execPath, ['main.js'], consumer);
    const objects = fs.readdirSync(path.join(consumer, 'dist'))
      .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(consumer, 'dist', f), 'utf8')).map((d) => d.toJSON()));
    const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

    expect(objects.length).toBeGreaterThan(10);
    expect(validateObjects(objects)).toEqual([]);
    expect(checkRestricted(objects)).toEqual([]);
    const trainer = find('Job', 'train').spec.template.spec.containers[0];
    expect(trainer.resources.limits['nvidia.com/gpu']).toBe('2');
    expect(trainer.env).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'MLFLOW_TRACKING_URI' })]));
    expect(find('Deployment', 'mlflow')).toBeDefined();
    expect(find('Deployment', 'serve')).toBeDefined();
    // The feature_store.yaml is written with the package's one runtime dependency, yaml.
    const feast = objects.find((o) => o.kind === 'ConfigMap' && o.data?.['feature_store.yaml']);
    expect(feast.data['feature_store.yaml']).toMatch(/^project: demo$/m);
  });

  test('its declarations type-check in a strict TypeScript consumer', () => {
    fs.writeFileSync(path.join(consumer, 'check.ts'), CONSUMER_TYPES);
    // skipLibCheck off: a declaration that references something stripped or missing from the package fails here.
    fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'commonjs', target: 'es2020', moduleResolution: 'node10', skipLibCheck: false, types: [] },
      files: ['check.ts'],
    }));
    run(process.execPath, [TSC, '-p', '.'], consumer);
  }, 60_000);
});

/** A small platform in plain CommonJS, the way a JavaScript user writes it. */
const CONSUMER_APP = `
const { App, Chart } = require('cdk8s');
const {
  Accelerator, AccessMode, ArtifactStore, BackendStore, FeatureStore, GpuTrainingJob, MlflowPlatform, ModelServer,
  ModelSource, OnlineStore, Registry, SecretValue, ServingRuntime, VolumeClaim,
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
