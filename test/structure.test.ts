// The layout of docs/design.md stays honest: no import cycles in lib/ (madge, type-only imports included), no file
// in lib/ over 500 lines, no function, method, accessor or constructor over 80 lines (measured on the syntax tree
// of the TypeScript compiler, from the first line of the signature to the closing brace). Each check also runs on a
// small fixture that breaks it, so a check that silently stopped working (madge not resolving `.ts` files, a
// parser that finds no functions) fails here rather than passing everything.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { changedFiles, repositoryFiles } from './support/repository-files';

const ROOT = path.resolve(__dirname, '..');
const LIB = path.join(ROOT, 'lib');
const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 80;

/** What this test uses of madge's result (madge ships no type declarations). */
interface MadgeResult {
  obj(): Record<string, string[]>;
  circular(): string[][];
  warnings(): { skipped: string[] };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const madge: (paths: string | string[], config: object) => Promise<MadgeResult> = require('madge');

/** Every `.ts` file under `dir`, as absolute paths. */
function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The import graph of `dir` as madge sees it: `.ts` files, type-only imports and `import('…')` types included. */
async function importGraph(dir: string): Promise<MadgeResult> {
  // The TypeScript parser under madge warns about a deprecated property of its own on every `import(…)` type.
  const node = process as { noDeprecation?: boolean }; // not in @types/node 18
  const noDeprecation = node.noDeprecation;
  node.noDeprecation = true;
  try {
    return await madge(dir, {
      baseDir: dir,
      fileExtensions: ['ts'],
      tsConfig: path.join(ROOT, 'tsconfig.dev.json'),
      detectiveOptions: { ts: { skipTypeImports: false, skipAsyncImports: false } },
    });
  } finally {
    node.noDeprecation = noDeprecation;
  }
}

interface LongFunction { readonly file: string; readonly line: number; readonly name: string; readonly lines: number }

/** Functions, methods, accessors and constructors with a body longer than `max` lines (signature to closing brace). */
function longFunctions(file: string, text: string, max: number): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) found.push({ file, line: first + 1, name: functionName(node, source), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function functionName(node: ts.SignatureDeclaration, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return `${(node.parent as ts.ClassLikeDeclaration).name?.getText(source) ?? 'class'} constructor`;
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText(source);
  return `${ts.SyntaxKind[node.kind]} (anonymous)`;
}

const relative = (file: string) => path.relative(ROOT, file);
/** Lines as `wc -l` counts them (a final newline ends the last line rather than starting another). */
const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

describe('lib/', () => {
  const files = tsFiles(LIB);

  test('the check sees the whole library', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  test('has no import cycles (madge, type-only imports included)', async () => {
    const graph = await importGraph(LIB);
    // madge resolved every file of lib/ and skipped no import it could not resolve (a skipped import hides a cycle).
    expect(Object.keys(graph.obj()).filter(f => !f.startsWith('..')).sort())
      .toEqual(files.map(f => path.relative(LIB, f)).sort());
    expect(graph.warnings().skipped).toEqual([]);
    expect(graph.circular()).toEqual([]);
  }, 60_000);

  test(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .map(file => ({ file: relative(file), lines: lineCount(fs.readFileSync(file, 'utf8')) }))
      .filter(f => f.lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  test(`has no function or constructor over ${MAX_FUNCTION_LINES} lines (split it into named steps)`, () => {
    const long = files.flatMap(file => longFunctions(relative(file), fs.readFileSync(file, 'utf8'), MAX_FUNCTION_LINES));
    expect(long).toEqual([]);
  });
});

describe('the checks catch what they are for', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mlops-structure-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('a cycle closed only by a type-only import', async () => {
    const dir = path.join(work, 'cycle');
    fs.mkdirSync(path.join(dir, 'area'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.ts'), "export { Server } from './area/server';\n");
    fs.writeFileSync(path.join(dir, 'area/server.ts'),
      "import { Runtime } from './runtime';\nexport class Server { constructor(readonly runtime: Runtime) {} }\n");
    fs.writeFileSync(path.join(dir, 'area/runtime.ts'),
      "import type { Server } from './server';\nexport interface Runtime { bind(server: Server): void }\n");
    const graph = await importGraph(dir);
    expect(graph.warnings().skipped).toEqual([]);
    expect(graph.circular()).toEqual([['area/runtime.ts', 'area/server.ts']]);
  }, 60_000);

  test('a cycle through an `import(…)` type', async () => {
    const dir = path.join(work, 'import-type');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = b + 1;\n");
    fs.writeFileSync(path.join(dir, 'b.ts'), "export const b = 1;\nexport type A = typeof import('./a').a;\n");
    const graph = await importGraph(dir);
    expect(graph.circular()).toEqual([['a.ts', 'b.ts']]);
  }, 60_000);

  test('a file over the limit', () => {
    const lines = (n: number) => 'export const x = 1;\n'.repeat(n);
    expect(lineCount(lines(MAX_FILE_LINES))).toBe(MAX_FILE_LINES);
    expect(lineCount(lines(MAX_FILE_LINES) + 'export const y = 2;')).toBe(MAX_FILE_LINES + 1);
  });

  test('a constructor, a method, an arrow function and a function over the limit', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `    const v${i} = ${i};`).join('\n');
    const text = [
      'export class Big {',
      '  constructor() {', body(MAX_FUNCTION_LINES - 2), '  }', // exactly the limit: allowed
      '  render(): void {', body(MAX_FUNCTION_LINES - 1), '  }',
      '}',
      'export function plain(): void {', body(MAX_FUNCTION_LINES), '}',
      'export const arrow = (): void => {', body(MAX_FUNCTION_LINES), '};',
      'export class Bigger {',
      '  public constructor(private readonly x: number) {', body(MAX_FUNCTION_LINES), '  }',
      '}',
    ].join('\n');
    expect(longFunctions('fixture.ts', text, MAX_FUNCTION_LINES).map(f => `${f.name}: ${f.lines}`)).toEqual([
      `render: ${MAX_FUNCTION_LINES + 1}`,
      `plain: ${MAX_FUNCTION_LINES + 2}`,
      `arrow: ${MAX_FUNCTION_LINES + 2}`,
      `Bigger constructor: ${MAX_FUNCTION_LINES + 2}`,
    ]);
  });

  test('a test that writes into the repository (what the global teardown refuses)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'repo-'));
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'README.md'), 'a');
    fs.writeFileSync(path.join(dir, 'gone.txt'), 'a');
    const before = repositoryFiles(dir);
    fs.writeFileSync(path.join(dir, 'dist', 'c.k8s.yaml'), 'kind: Job');
    fs.writeFileSync(path.join(dir, 'README.md'), 'ab');
    fs.rmSync(path.join(dir, 'gone.txt'));
    fs.writeFileSync(path.join(dir, 'node_modules', 'installed.js'), '');
    expect(changedFiles(before, repositoryFiles(dir))).toEqual(['changed README.md', 'created dist/c.k8s.yaml', 'removed gone.txt']);
    expect(changedFiles(before, repositoryFiles(dir).set('README.md', before.get('README.md')!))).toEqual(['created dist/c.k8s.yaml', 'removed gone.txt']);
  });
});
