// The committed API reference (docs/api/) must be what TypeDoc makes of the doc comments in lib/ today.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const COMMITTED = path.join(ROOT, 'docs', 'api');
const TYPEDOC = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

/** Every file under `dir`, relative and with `/` separators, mapped to its text (line endings normalized). */
function readTree(dir: string, prefix = '', files = new Map<string, string>()): Map<string, string> {
  if (!fs.existsSync(dir)) return files;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) readTree(full, `${prefix}${entry.name}/`, files);
    else files.set(`${prefix}${entry.name}`, fs.readFileSync(full, 'utf8').replace(/\r\n/g, '\n'));
  }
  return files;
}

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mlops-docs-'));
});
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('docs/api is the API reference of the current doc comments', () => {
  const out = path.join(work, 'api');
  // Same configuration as `npm run docs` (typedoc.json), written elsewhere. TypeDoc fails on warnings (a broken
  // {@link}, an exported API that uses an unexported type).
  try {
    execFileSync(process.execPath, [TYPEDOC, '--out', out], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (e: any) {
    throw new Error(`TypeDoc failed; fix the doc comments it names, then run \`npm run docs\`:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  const fresh = readTree(out);
  const committed = readTree(COMMITTED);
  expect(fresh.size).toBeGreaterThan(50);

  const stale = [
    ...[...fresh.keys()].filter((f) => !committed.has(f)).map((f) => `missing: ${f}`),
    ...[...committed.keys()].filter((f) => !fresh.has(f)).map((f) => `obsolete: ${f}`),
    ...[...fresh.keys()].filter((f) => committed.has(f) && committed.get(f) !== fresh.get(f)).map((f) => `changed: ${f}`),
  ];
  if (stale.length > 0) {
    throw new Error(`docs/api/ is out of date with the doc comments in lib/: run \`npm run docs\` and commit docs/api/.\n`
      + `${stale.slice(0, 20).join('\n')}${stale.length > 20 ? `\n... and ${stale.length - 20} more` : ''}`);
  }
}, 120_000);
