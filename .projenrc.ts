import * as fs from 'fs';
import * as path from 'path';
import { JsonFile, javascript, typescript } from 'projen';

// The peer ranges consumers may bring. The lowest version of each range is the devDependency the repository builds
// and tests against; the newest release in range (NEWEST, to be raised by hand: `npm view cdk8s version`, ...) is
// installed too, and test/package.test.ts synthesizes a consumer app with each set.
const CDK8S = '^2.70.0';
const CDK8S_PLUS = '^2.9.0';
const CONSTRUCTS = '^10.3.0';
const NEWEST = { 'cdk8s': '2.70.106', 'cdk8s-plus-27': '2.9.5', 'constructs': '10.8.1' };

// The version is the one in package.json, which the release task bumps (projen would reset it to 0.0.0).
const VERSION: string = (fs.existsSync('package.json') && JSON.parse(fs.readFileSync('package.json', 'utf8')).version) || '0.1.0';

const project = new typescript.TypeScriptProject({
  name: 'cdk8s-mlops',
  description: 'cdk8s constructs for machine learning platforms on Kubernetes: GPU training, distributed training, model serving, MLflow, Feast, RBAC and storage, secure by default.',
  keywords: ['cdk8s', 'kubernetes', 'mlops', 'gpu', 'kubeflow', 'kserve', 'mlflow', 'feast', 'constructs'],
  license: 'Apache-2.0',
  authorName: 'cdk8s-mlops developers',
  repository: 'https://github.com/cdk8s-mlops/cdk8s-mlops',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '18.0.0',
  projenrcTs: true,
  typescriptVersion: '~5.9.3', // ts-jest does not support TypeScript 7

  // lib/ is the source; compiled JS goes to build/ because dist/ is cdk8s synth output.
  srcdir: 'lib',
  testdir: 'test',
  libdir: 'build',
  entrypoint: 'build/lib/index.js',
  entrypointTypes: 'build/lib/index.d.ts',
  artifactsDirectory: 'artifacts',
  sampleCode: false,

  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  package: false,
  eslint: false,

  peerDeps: [`cdk8s@${CDK8S}`, `cdk8s-plus-27@${CDK8S_PLUS}`, `constructs@${CONSTRUCTS}`],
  deps: ['yaml@^2.5.0'],
  devDeps: [
    'cdk8s-cli@^2.200.0',
    'tsx@^4.19.0',
    'ajv@^8.17.0',
    'ajv-formats@^3.0.1',
    'fast-check@^4.0.0',
    'typedoc@^0.28.0',
    'typedoc-plugin-markdown@^4.0.0',
    // 12.x: 13 needs Node 22, and the library supports Node 18.
    'commit-and-tag-version@^12.7.0',
    // The newest peers, installed from the lockfile into test/peers-newest/node_modules (see NEWEST).
    'cdk8s-mlops-peers-newest@file:test/peers-newest',
    // The committed API report (api/cdk8s-mlops.api.md) and the import-cycle check of test/structure.test.ts.
    '@microsoft/api-extractor@^7.60.1',
    'madge@^8.0.0',
  ],

  tsconfig: {
    // imports/ is compiled with lib/, so the root is the repository.
    include: ['lib/**/*.ts', 'imports/**/*.ts'],
    compilerOptions: {
      rootDir: '.',
      outDir: 'build',
      declaration: true,
      inlineSourceMap: false,
      inlineSources: false,
      skipLibCheck: true,
      isolatedModules: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
    },
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['lib/**/*.ts', 'imports/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts', '.projenrc.ts'],
    compilerOptions: {
      rootDir: '.',
      skipLibCheck: true,
      isolatedModules: true,
      noEmit: true,
    },
    exclude: ['build', 'dist', 'artifacts'],
  },

  jestOptions: {
    // Jest 30 depends on unrs-resolver, whose platform bindings this registry does not serve all of: npm then
    // writes a lock file that its own `npm ci` rejects. Jest 29 has no such dependency.
    jestVersion: '^29',
    // `npm test` must fail on snapshot drift; snapshots are updated on purpose with `npm run test:update`.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    coverageText: false,
    junitReporting: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      collectCoverage: false,
      testPathIgnorePatterns: ['/node_modules/', '/build/', '/dist/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/imports/', '/test/'],
      // The run fails when a test wrote into the repository (test/support/repository-files.ts).
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  },
  // ts-jest transpiles each file on its own because tsconfig.dev.json sets isolatedModules (type checks run once,
  // in the typecheck task).

  gitignore: ['/dist/', '/build/', '/artifacts/', '*.tgz'],
  npmignoreEnabled: true,
});

project.package.addVersion(VERSION);

// The package ships the compiled JS and declarations of lib/, and the JS of only those generated CRD modules in
// imports/ that lib/ loads: the rest (KServe's InferenceService alone is 3 MB of JS; the library writes it as a
// plain ApiObject) is never required. Their declarations are not shipped either: no public type of the library
// refers to them (test/package.test.ts type-checks a consumer without skipLibCheck to prove it).
// No source maps (tsconfig above): the JS is tsc's readable output of lib/, and maps would point at .ts sources
// that are not shipped unless they carried the sources themselves, which is what made the package 32 MB.
const usedImports = [...new Set(fs.readdirSync('lib', { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .flatMap((f) => [...fs.readFileSync(path.join('lib', f), 'utf8').matchAll(/require\('(?:\.\.\/)+imports\/([^']+)'\)/g)].map((m) => m[1])))]
  .sort();
project.addFields({
  files: ['build/lib/**/*.js', 'build/lib/**/*.d.ts', ...usedImports.map((m) => `build/imports/${m}.js`)],
});

new JsonFile(project, 'test/peers-newest/package.json', {
  obj: {
    name: 'cdk8s-mlops-peers-newest',
    private: true,
    description: 'The newest cdk8s, cdk8s-plus-27 and constructs in the peer ranges, for test/package.test.ts.',
    dependencies: NEWEST,
  },
});

// Type-check everything (lib, tests, examples, bench) once; jest itself transpiles without type checks.
const typecheck = project.addTask('typecheck', { exec: 'tsc --noEmit -p tsconfig.dev.json' });
project.testTask.spawn(typecheck);

// Synthesize every example app into dist/ with tsx (no ts-node: it is about 10x slower).
project.addTask('synth', {
  description: 'Synthesize the example platform and every example into dist/',
  exec: 'tsx examples/main.ts',
});
// `npm run synth` skips the projen task runner (projen itself and the `npx` that computes PATH start in about
// 0.7 s) and loads tsx as a require hook in the one node process (the tsx CLI starts a second node and an ESM
// loader thread: another 0.3 s). It also turns off the source maps tsx enables: node would parse the large inline
// maps of every cdk8s file it loads (about 0.06 s); stack traces then point into tsx's output (`npx tsx
// examples/main.ts` keeps the TypeScript lines). It must stay under a second as a whole process.
project.package.setScript('synth', 'node -r tsx/cjs -e "process.setSourceMapsEnabled(false); require(\'./examples/main.ts\')"');

// The public API report: api/cdk8s-mlops.api.md, written by API Extractor from the declarations of lib/index.ts
// (api-extractor.json). It is committed so every change of the public surface shows in review; test/api.test.ts
// fails while it differs from the code. A symbol that a public type uses but lib/index.ts does not export is an
// error here (ae-forgotten-export).
project.addTask('api', {
  description: 'Regenerate the public API report api/cdk8s-mlops.api.md from lib/index.ts',
  steps: [
    { exec: 'tsc -p tsconfig.json --declaration --emitDeclarationOnly --outDir build/api-types' },
    { exec: 'api-extractor run --local' },
  ],
});

// The synthesis benchmark (bench/main.ts; BENCH_QUICK=1 for a short run). Not part of `npm test`: it takes minutes.
project.addTask('bench', {
  description: 'Benchmark synthesis against hand-written cdk8s-plus-27 and a plain YAML floor; require and synth times',
  exec: 'tsx bench/main.ts',
});

// The API reference in docs/api/ (markdown, committed), generated by TypeDoc from the doc comments as typedoc.json
// says; test/docs.test.ts fails when it no longer matches lib/.
project.addTask('docs', {
  description: 'Generate the API reference in docs/api/ from the doc comments',
  exec: 'typedoc',
});
project.gitattributes.addAttributes('/docs/api/**', 'linguist-generated');

// The vendored schemas (schemas/, with provenance in schemas/SOURCES.md) are what the tests validate against and
// what imports/ is generated from: nothing outside the repository is read at install, synth or test time.
// `schemas:refresh` is the maintainers' way to update them from the team's CRD collection (CRD_DIR).
const vendored: { imports: Record<string, string> } = JSON.parse(fs.readFileSync('schemas/vendored.json', 'utf8'));
project.addTask('schemas:refresh', {
  description: 'Copy the schema files listed in schemas/vendored.json from CRD_DIR (default ../shared/crds) into schemas/',
  exec: 'node scripts/refresh-schemas.js',
});
const importTask = project.addTask('import', { description: 'Regenerate imports/ from the CRDs vendored in schemas/ (offline)' });
// One `cdk8s import` per CRD: given several specs at once, cdk8s-cli tries to fetch them over the network.
for (const [prefix, file] of Object.entries(vendored.imports)) {
  importTask.exec(`cdk8s import --no-check-upgrade --no-save --output imports --language typescript ${prefix}:=schemas/${file}`);
}
project.gitattributes.addAttributes('/schemas/**', 'linguist-vendored');

// The IANA time zone names a CronJob's timeZone may take (lib/core/time-zones.ts), regenerated from the tzdata
// package (Debian: apt-get install tzdata) when it has a new release.
project.addTask('time-zones', {
  description: 'Regenerate lib/core/time-zones.ts from the tzdata package (/usr/share/zoneinfo/tzdata.zi, or TZDATA_ZI)',
  exec: 'node scripts/time-zones.js',
});

// A git dependency (`npm install github:<owner>/cdk8s-mlops#v0.1.0`) gets the repository, not the package: npm
// installs its devDependencies and runs `prepare`, then packs `files`. So `prepare` compiles (type checks are the
// test task's job; this is the compile task's emit). npm also runs it after `npm ci` here, which costs a few
// seconds and leaves build/ as `npm pack` wants it.
project.package.setScript('prepare', 'tsc -p tsconfig.json --noCheck');

// Releases, kept local (no GitHub workflows): commit-and-tag-version bumps the version in package.json and
// package-lock.json from the Conventional Commits since the last `v*` tag, writes the CHANGELOG entry, commits and
// tags. Its settings are in .versionrc.json; docs/releasing.md has the policy and the steps. Pushing the commit
// and tag and `npm publish` stay manual.
new JsonFile(project, '.versionrc.json', {
  obj: {
    tagPrefix: 'v',
    // Keep a Changelog's section names for the commit types that reach users; the rest stay out of the entry.
    types: [
      { type: 'feat', section: 'Added' },
      { type: 'fix', section: 'Fixed' },
      { type: 'perf', section: 'Changed' },
      { type: 'revert', section: 'Changed' },
      { type: 'docs', hidden: true },
      { type: 'refactor', hidden: true },
      { type: 'test', hidden: true },
      { type: 'build', hidden: true },
      { type: 'ci', hidden: true },
      { type: 'chore', hidden: true },
      { type: 'style', hidden: true },
    ],
    // The tool drops what stands above the last release, i.e. the hand-written [Unreleased] notes: this hook puts
    // them at the top of the new entry.
    scripts: { postchangelog: 'node scripts/release-changelog.js' },
  },
});
const release = project.addTask('release', {
  description: 'Test, then bump the version from the Conventional Commits, write the CHANGELOG entry, commit and tag (local)',
});
release.exec('git diff --quiet HEAD || { echo "release: the working tree has uncommitted changes" >&2; exit 1; }');
release.spawn(project.testTask);
release.exec('commit-and-tag-version', { receiveArgs: true });
project.addTask('release:preview', {
  description: 'Show the next version and its CHANGELOG entry without writing anything (the [Unreleased] notes come on top)',
  exec: 'commit-and-tag-version --dry-run',
  receiveArgs: true,
});

project.synth();
