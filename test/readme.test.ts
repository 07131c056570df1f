/**
 * The README and the hand-written pages under docs/, checked as a user reads them.
 *
 * Snippet convention: every ```ts (or ```typescript) block of README.md and of the pages under docs/ (not
 * docs/api/, which TypeDoc generates) is a complete program, as a user would paste it into a cdk8s app: it imports
 * everything it uses from 'cdk8s-mlops' (the public API, nothing deeper) and from 'cdk8s', 'cdk8s-plus-27' and
 * 'constructs', creates its own `App` and charts, and may end with `app.synth()`. A block that is not meant to run
 * takes another fence (```text).
 *
 * The test type-checks every snippet in one TypeScript program (with the repository's strict dev settings, and
 * 'cdk8s-mlops' rewritten to this repository's lib/), then runs each one: its `App` is a subclass that records the
 * app and writes nothing (`app.synth()` does nothing here), and every app it created is synthesized as
 * `cdk8s synth` would (dependencies ordered, validations run). The objects must validate against the Kubernetes
 * 1.27 and CRD schemas, meet Pod Security "restricted" and keep the library defaults. The quick start must also
 * be complete: every namespace, queue, flavor, account, claim, class and ConfigMap it refers to is in its output,
 * every Secret it reads is one of the `kubectl create secret` commands it prints, and each namespace's workloads
 * fit in its quota (and each queued run in its ClusterQueue).
 *
 * Also: the README stays short, every relative link resolves inside the repository, and no link leaves it.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { objectId } from './support/objects';
import { podSpecsOf } from './support/pods';
import { expectValidManifests } from './support/validate';

const ROOT = path.resolve(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const MAX_README_LINES = 460;
/** The modules a snippet may import: the package and its peers. */
const PUBLIC_MODULES = ['cdk8s-mlops', 'cdk8s', 'cdk8s-plus-27', 'constructs'];
/** The seven constructs: each has a README section that links to its API page. */
const CONSTRUCTS = ['GpuTrainingJob', 'DistributedTraining', 'ModelServer', 'QueueWorker', 'MlPipeline', 'MlflowPlatform', 'FeatureStore', 'MlRbac', 'MlStorage'];

/** README.md and the hand-written Markdown pages under docs/ (docs/api/ is TypeDoc's). */
function markdownPages(): string[] {
  const pages = [README];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && full !== path.join(ROOT, 'docs', 'api')) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.md')) pages.push(full);
    }
  };
  walk(path.join(ROOT, 'docs'));
  return pages;
}

interface Snippet {
  /** `README.md:52 (Quick start)`: the page, the line of the opening fence and the heading above it. */
  readonly name: string;
  readonly page: string;
  readonly heading: string;
  /** Line of the first code line in the page (1-based). */
  readonly firstLine: number;
  readonly code: string;
  /** The virtual file the type-check sees. */
  readonly fileName: string;
}

function snippetsOf(page: string, start: number): Snippet[] {
  const lines = fs.readFileSync(page, 'utf8').split('\n');
  const snippets: Snippet[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (h) heading = h[1].trim();
    const fence = /^(\s*)(```+|~~~+)\s*(\S*)/.exec(lines[i]);
    if (!fence) continue;
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence[2])) end++;
    if (['ts', 'typescript'].includes(fence[3])) {
      const rel = path.relative(ROOT, page).split(path.sep).join('/');
      snippets.push({
        name: `${rel}:${i + 1} (${heading})`,
        page: rel,
        heading,
        firstLine: i + 2,
        code: lines.slice(i + 1, end).join('\n'),
        fileName: path.join(ROOT, 'test', `__snippet_${start + snippets.length}__.ts`),
      });
    }
    i = end;
  }
  return snippets;
}

const SNIPPETS = markdownPages().reduce<Snippet[]>((all, page) => all.concat(snippetsOf(page, all.length)), []);

/** The snippet as the type-check and the run see it: the package name points at this repository's lib/. */
function compiled(snippet: Snippet): string {
  return snippet.code.replace(/(from\s+|require\(\s*)(['"])cdk8s-mlops\2/g, '$1$2../lib$2');
}

/** Type-checks all snippets in one program; compiler messages per snippet, located in their Markdown page. */
function typeCheck(): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.dev.json'), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  const virtual = new Map(SNIPPETS.map((s) => [s.fileName, compiled(s)]));
  const options = { ...config.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, onError, create) => (virtual.has(f)
    ? ts.createSourceFile(f, virtual.get(f)!, language, true)
    : getSourceFile.call(host, f, language, onError, create));
  const program = ts.createProgram([...virtual.keys()], options, host);
  const messages = new Map<string, string[]>();
  for (const snippet of SNIPPETS) {
    const source = program.getSourceFile(snippet.fileName)!;
    messages.set(snippet.name, ts.getPreEmitDiagnostics(program, source).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (d.file?.fileName !== snippet.fileName || d.start === undefined) return text;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${snippet.page}:${snippet.firstLine + line}:${character + 1}: ${text}`;
    }));
  }
  return messages;
}

/** An `App` that records itself and writes nothing: the test synthesizes it. */
const recorded: cdk8s.App[] = [];
class RecordingApp extends cdk8s.App {
  public constructor(props?: cdk8s.AppProps) {
    super(props);
    recorded.push(this);
  }

  public synth(): void {
    // The test synthesizes the app itself, into memory.
  }
}

/** Runs a snippet; returns the objects of every app it created, as `cdk8s synth` writes them, and what it printed. */
function run(snippet: Snippet): { objects: any[]; printed: string[] } {
  const js = ts.transpileModule(compiled(snippet), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
    fileName: snippet.fileName,
  }).outputText;
  const modules: Record<string, unknown> = {
    '../lib': require('../lib'),
    'cdk8s': { ...cdk8s, App: RecordingApp },
    'cdk8s-plus-27': require('cdk8s-plus-27'),
    'constructs': require('constructs'),
  };
  const requireModule = (id: string): unknown => {
    if (!(id in modules)) throw new Error(`${snippet.name} requires '${id}': snippets use only ${PUBLIC_MODULES.join(', ')}`);
    return modules[id];
  };
  const printed: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(...args.map(String).join(' ').split('\n'));
  });
  recorded.length = 0;
  try {
    const module = { exports: {} };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('require', 'module', 'exports', js)(requireModule, module, module.exports);
  } finally {
    log.mockRestore();
  }
  const apps = recorded.splice(0);
  const objects = apps.flatMap((app) => parseAllDocuments(app.synthYaml()).map((d) => d.toJSON()).filter((o) => o));
  return { objects, printed };
}

// --- completeness of the quick start ---------------------------------------------------------------------------

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
const DECIMAL: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

function quantity(value: string | number): number {
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(String(value));
  if (!m) throw new Error(`not a quantity: ${value}`);
  const unit = m[2];
  const factor = unit === '' ? 1 : BINARY[unit] ?? DECIMAL[unit];
  if (factor === undefined) throw new Error(`unknown unit in ${value}`);
  return Number(m[1]) * factor;
}

/** Requests and limits of one pod (`requests.cpu`, `limits.memory`, `requests.nvidia.com/gpu`...), as the quota counts them. */
function podUsage(spec: any): Map<string, number> {
  const usage = new Map<string, number>();
  for (const kind of ['requests', 'limits']) {
    const sum = (containers: any[]): Map<string, number> => {
      const total = new Map<string, number>();
      for (const c of containers ?? []) {
        for (const [resource, amount] of Object.entries<string>(c.resources?.[kind] ?? {})) {
          total.set(resource, (total.get(resource) ?? 0) + quantity(amount));
        }
      }
      return total;
    };
    // A pod needs the larger of its init containers (one at a time) and its containers (all at once).
    const main = sum(spec.containers);
    for (const init of spec.initContainers ?? []) {
      for (const [resource, amount] of sum([init])) main.set(resource, Math.max(main.get(resource) ?? 0, amount));
    }
    for (const [resource, amount] of main) usage.set(`${kind}.${resource}`, amount);
  }
  return usage;
}

/** How many pods of an object's template run at once. */
function podCount(obj: any): number {
  switch (obj.kind) {
    case 'Deployment':
    case 'StatefulSet':
      return obj.spec.replicas ?? 1;
    case 'Job':
      return obj.spec.parallelism ?? 1;
    case 'CronJob':
      return obj.spec.jobTemplate.spec.parallelism ?? 1;
    default:
      throw new Error(`${objectId(obj)}: the quota check does not know how many pods a ${obj.kind} runs`);
  }
}

/** Every reference of the quick start's objects that nothing in its output (or its printed commands) satisfies. */
function incompleteReferences(objects: any[], printed: string[]): string[] {
  const problems: string[] = [];
  const has = (kind: string, name: string, namespace?: string) => objects.some((o) => o.kind === kind
    && o.metadata?.name === name && (namespace === undefined || o.metadata?.namespace === namespace));
  const need = (from: any, kind: string, name: string, namespace?: string) => {
    if (!has(kind, name, namespace)) problems.push(`${objectId(from)} refers to ${kind}/${namespace ? `${namespace}/` : ''}${name}, which is not in the output`);
  };
  // The Secrets the printed commands create: `kubectl create secret <type> <name> -n <ns> --from-literal=<key>=...`.
  const secrets = new Set<string>();
  for (const line of printed) {
    const m = /^kubectl create secret \S+ (\S+) -n (\S+)(.*)$/.exec(line);
    if (!m) continue;
    secrets.add(`${m[2]}/${m[1]}/*`);
    for (const key of m[3].matchAll(/--from-(?:literal|file)=([^=\s]+)/g)) secrets.add(`${m[2]}/${m[1]}/${key[1]}`);
  }
  const needSecret = (from: any, name: string, key: string, namespace: string) => {
    if (!has('Secret', name, namespace) && !secrets.has(`${namespace}/${name}/${key}`)) {
      problems.push(`${objectId(from)} reads key '${key}' of Secret ${namespace}/${name}, which is neither in the output nor created by a printed command`);
    }
  };

  const quotaUse = new Map<string, Map<string, number>>();
  for (const obj of objects) {
    const namespace: string | undefined = obj.metadata?.namespace;
    if (namespace !== undefined) need(obj, 'Namespace', namespace);
    if (obj.kind === 'LocalQueue') need(obj, 'ClusterQueue', obj.spec.clusterQueue);
    if (obj.kind === 'ClusterQueue') {
      for (const group of obj.spec.resourceGroups ?? []) for (const flavor of group.flavors) need(obj, 'ResourceFlavor', flavor.name);
    }
    if (obj.kind === 'PersistentVolumeClaim') {
      if (obj.spec.storageClassName) need(obj, 'StorageClass', obj.spec.storageClassName);
      if (obj.spec.volumeName) need(obj, 'PersistentVolume', obj.spec.volumeName);
    }
    const queue = obj.metadata?.labels?.['kueue.x-k8s.io/queue-name'];
    if (queue !== undefined) need(obj, 'LocalQueue', queue, namespace);

    const pods = podSpecsOf(obj);
    if (pods.length === 0 || namespace === undefined) continue;
    const templates: string[] = (obj.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name);
    for (const { spec } of pods) {
      if (spec.serviceAccountName) need(obj, 'ServiceAccount', spec.serviceAccountName, namespace);
      for (const volume of spec.volumes ?? []) {
        if (volume.persistentVolumeClaim) need(obj, 'PersistentVolumeClaim', volume.persistentVolumeClaim.claimName, namespace);
        if (volume.configMap && !volume.configMap.optional) need(obj, 'ConfigMap', volume.configMap.name, namespace);
        if (volume.secret && !volume.secret.optional) {
          for (const item of volume.secret.items ?? [{ key: undefined }]) needSecret(obj, volume.secret.secretName, item.key ?? '*', namespace);
        }
      }
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        for (const mount of c.volumeMounts ?? []) {
          if (!(spec.volumes ?? []).some((v: any) => v.name === mount.name) && !templates.includes(mount.name)) {
            problems.push(`${objectId(obj)}: container ${c.name} mounts volume '${mount.name}', which the pod does not have`);
          }
        }
        for (const env of c.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (ref && !ref.optional) needSecret(obj, ref.name, ref.key, namespace);
          const cm = env.valueFrom?.configMapKeyRef;
          if (cm && !cm.optional) need(obj, 'ConfigMap', cm.name, namespace);
        }
        for (const from of c.envFrom ?? []) if (from.configMapRef && !from.configMapRef.optional) need(obj, 'ConfigMap', from.configMapRef.name, namespace);
      }
      // Everything the namespace runs at once must fit in its ResourceQuota; a queued run alone must fit in its
      // ClusterQueue, which must cover every resource the run requests.
      const count = podCount(obj);
      const usage = quotaUse.get(namespace) ?? new Map<string, number>();
      for (const [resource, amount] of podUsage(spec)) usage.set(resource, (usage.get(resource) ?? 0) + amount * count);
      quotaUse.set(namespace, usage);
      if (queue !== undefined) {
        const local = objects.find((o) => o.kind === 'LocalQueue' && o.metadata.name === queue && o.metadata.namespace === namespace);
        const cq = objects.find((o) => o.kind === 'ClusterQueue' && o.metadata.name === local?.spec.clusterQueue);
        if (!cq) continue;
        const nominal = new Map<string, number>();
        for (const group of cq.spec.resourceGroups) {
          for (const resource of group.flavors[0].resources) nominal.set(resource.name, quantity(resource.nominalQuota));
        }
        for (const [resource, amount] of podUsage(spec)) {
          if (!resource.startsWith('requests.')) continue;
          const name = resource.slice('requests.'.length);
          if (!nominal.has(name)) problems.push(`${objectId(obj)} requests ${name}, which ClusterQueue ${cq.metadata.name} does not cover`);
          else if (amount * count > nominal.get(name)!) problems.push(`${objectId(obj)} requests ${amount * count} ${name}, more than ClusterQueue ${cq.metadata.name} has (${nominal.get(name)})`);
        }
      }
    }
  }
  for (const [namespace, usage] of quotaUse) {
    const quota = objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === namespace);
    if (!quota) {
      problems.push(`namespace ${namespace} runs pods but has no ResourceQuota`);
      continue;
    }
    for (const [resource, amount] of usage) {
      const hard = quota.spec.hard[resource];
      if (hard !== undefined && amount > quantity(hard)) problems.push(`namespace ${namespace} needs ${amount} ${resource}, more than its quota (${hard})`);
    }
  }
  const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => [o.metadata.namespace, o.spec.resources.requests.storage]);
  const templates = objects.filter((o) => o.kind === 'StatefulSet').flatMap((o) => (o.spec.volumeClaimTemplates ?? [])
    .map((t: any) => [o.metadata.namespace, quantity(t.spec.resources.requests.storage) * (o.spec.replicas ?? 1)]));
  for (const [namespace, size] of [...claims, ...templates]) {
    const usage = quotaUse.get(namespace) ?? new Map<string, number>();
    usage.set('requests.storage', (usage.get('requests.storage') ?? 0) + quantity(size));
    quotaUse.set(namespace, usage);
  }
  for (const [namespace, usage] of quotaUse) {
    const hard = objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === namespace)?.spec.hard['requests.storage'];
    if (hard !== undefined && (usage.get('requests.storage') ?? 0) > quantity(hard)) {
      problems.push(`namespace ${namespace} claims ${usage.get('requests.storage')} bytes of storage, more than its quota (${hard})`);
    }
  }
  return problems;
}

// --- links ---------------------------------------------------------------------------------------------------

/** The page without its code blocks and inline code (their text is not rendered as links). */
function prose(text: string): string {
  return text.replace(/^(\s*)(```+|~~~+)[^\n]*\n[\s\S]*?\n\s*\2[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading.replace(/`/g, '').trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of prose(fs.readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Link targets of a page: inline links and images, reference definitions, autolinks. */
function linksOf(text: string): string[] {
  const body = prose(text);
  return [
    ...[...body.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...body.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]),
    ...[...body.matchAll(/<([a-z][a-z0-9+.-]*:[^>\s]+)>/gi)].map((m) => m[1]),
  ];
}

const IGNORED = ['node_modules', 'dist', 'build', '.git'];

function brokenLinks(page: string): string[] {
  const text = fs.readFileSync(page, 'utf8');
  const rel = path.relative(ROOT, page);
  const problems: string[] = [];
  for (const url of prose(text).matchAll(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi)) problems.push(`${rel}: a URL outside the repository: ${url[0]}`);
  for (const link of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) {
      if (!problems.some((p) => p.includes(link))) problems.push(`${rel}: a link outside the repository: ${link}`);
      continue;
    }
    const [target, fragment] = link.split('#', 2);
    const file = target === '' ? page : path.resolve(path.dirname(page), decodeURI(target));
    const inside = path.relative(ROOT, file);
    if (inside.startsWith('..') || path.isAbsolute(inside) || IGNORED.includes(inside.split(path.sep)[0])) {
      problems.push(`${rel}: ${link} points outside the repository's files`);
    } else if (!fs.existsSync(file)) {
      problems.push(`${rel}: ${link} does not exist`);
    } else if (fragment !== undefined && file.endsWith('.md') && !anchorsOf(file).has(fragment)) {
      problems.push(`${rel}: ${link}: no heading '#${fragment}' in ${inside}`);
    }
  }
  return problems;
}

// --- tests ---------------------------------------------------------------------------------------------------

let diagnostics: Map<string, string[]>;
beforeAll(() => {
  diagnostics = typeCheck();
}, 240_000);

describe('snippets', () => {
  test('the README has a quick start and a snippet for every construct', () => {
    expect(SNIPPETS.filter((s) => s.page === 'README.md' && s.heading === 'Quick start')).toHaveLength(1);
    const headings = SNIPPETS.filter((s) => s.page === 'README.md').map((s) => s.heading);
    expect(CONSTRUCTS.filter((c) => !headings.includes(c))).toEqual([]);
  });

  test.each(SNIPPETS.map((s) => [s.name, s] as const))('%s compiles, synthesizes and validates', (_name, snippet) => {
    const imports = [...snippet.code.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(imports.filter((m) => !PUBLIC_MODULES.includes(m))).toEqual([]);
    expect(diagnostics.get(snippet.name)).toEqual([]);

    const { objects, printed } = run(snippet);
    expect(objects.length).toBeGreaterThan(0);
    expectValidManifests(objects);
    if (snippet.page === 'README.md' && snippet.heading === 'Quick start') {
      expect(incompleteReferences(objects, printed)).toEqual([]);
    }
  }, 60_000);
});

describe('pages', () => {
  test(`the README has at most ${MAX_README_LINES} lines`, () => {
    const text = fs.readFileSync(README, 'utf8');
    // Counted as `wc -l` does: a final newline ends the last line, it does not start another.
    expect(text.split('\n').length - (text.endsWith('\n') ? 1 : 0)).toBeLessThanOrEqual(MAX_README_LINES);
  });

  test.each(markdownPages().map((p) => [path.relative(ROOT, p), p]))('%s: every link resolves inside the repository', (_name, page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  test('each construct\'s README section links to its API reference page', () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(CONSTRUCTS.filter((c) => !readme.includes(`(docs/api/classes/${c}.md)`))).toEqual([]);
  });
});
