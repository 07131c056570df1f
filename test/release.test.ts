// The release task's tool and settings in a scratch repository: commit-and-tag-version with this repository's
// .versionrc.json and CHANGELOG hook (scripts/release-changelog.js). The first release keeps 0.1.0 and turns the
// [Unreleased] notes into its entry; the next one bumps from the Conventional Commits (before 1.0.0: a feature or
// fix bumps the patch, a breaking change the minor), puts the notes above the commit list and tags. Offline.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const CLI = require.resolve('commit-and-tag-version/bin/cli.js');

let repo: string;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
}

function release(...args: string[]): string {
  try {
    return execFileSync(process.execPath, [CLI, ...args], { cwd: repo, encoding: 'utf8', stdio: 'pipe' });
  } catch (e: any) {
    throw new Error(`commit-and-tag-version ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

const changelog = () => fs.readFileSync(path.join(repo, 'CHANGELOG.md'), 'utf8');
const version = () => JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).version;

function addNotes(notes: string): void {
  fs.writeFileSync(path.join(repo, 'CHANGELOG.md'), changelog().replace('## [Unreleased]\n', `## [Unreleased]\n\n${notes}\n`));
}

beforeAll(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mlops-release-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Release Test');
  git('config', 'user.email', 'release-test@example.com');
  git('config', 'commit.gpgsign', 'false');
  fs.mkdirSync(path.join(repo, 'scripts'));
  fs.copyFileSync(path.join(ROOT, 'scripts', 'release-changelog.js'), path.join(repo, 'scripts', 'release-changelog.js'));
  fs.copyFileSync(path.join(ROOT, '.versionrc.json'), path.join(repo, '.versionrc.json'));
  fs.writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: 'scratch', version: '0.1.0', private: true }, null, 2) + '\n');
  // The repository's CHANGELOG header and a first [Unreleased] section.
  const header = fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8').split('## [Unreleased]')[0];
  fs.writeFileSync(path.join(repo, 'CHANGELOG.md'), `${header}## [Unreleased]\n\nThe first release.\n\n### Added\n\n- Everything.\n`);
  git('add', '-A');
  git('commit', '-q', '-m', 'Scaffold the project (not a Conventional Commit)');
});

afterAll(() => {
  if (repo) fs.rmSync(repo, { recursive: true, force: true });
});

test('the first release keeps the version, makes the [Unreleased] notes its entry, commits and tags v0.1.0', () => {
  release('--first-release');
  expect(version()).toBe('0.1.0');
  expect(git('tag', '--list')).toBe('v0.1.0');
  expect(git('log', '-1', '--format=%s')).toBe('chore(release): 0.1.0');
  const text = changelog();
  expect(text.startsWith('# Changelog\n')).toBe(true);
  expect(text.match(/^# Changelog$/gm)).toHaveLength(1);
  expect(text).toMatch(/## \[Unreleased\]\n\n## 0\.1\.0 \(\d{4}-\d{2}-\d{2}\)\n\nThe first release\.\n\n### Added\n\n- Everything\.\n$/);
}, 60_000);

test('the next release bumps from the Conventional Commits, puts the notes above the commit list and tags', () => {
  addNotes('### Added\n\n- A note for users.\n');
  git('commit', '-q', '-am', 'feat(model-server): a new option');
  git('commit', '-q', '--allow-empty', '-m', 'fix: a fix');
  git('commit', '-q', '--allow-empty', '-m', 'chore: not for users');
  release();
  expect(version()).toBe('0.1.1');
  expect(git('tag', '--list')).toBe('v0.1.0\nv0.1.1');
  const text = changelog();
  const entry = text.slice(text.indexOf('## [Unreleased]'), text.indexOf('## 0.1.0'));
  expect(entry).toMatch(/^## \[Unreleased\]\n\n## \[?0\.1\.1\]?.*\n\n### Added\n\n- A note for users\.\n\n### Commits\n\n#### Added\n\n\* \*\*model-server:\*\* a new option/);
  expect(entry).toMatch(/#### Fixed\n\n\* a fix/);
  expect(entry).not.toMatch(/not for users/);
  // The earlier release is kept as it was.
  expect(text).toMatch(/## 0\.1\.0 \(\d{4}-\d{2}-\d{2}\)\n\nThe first release\.\n\n### Added\n\n- Everything\.\n$/);
}, 60_000);

test('before 1.0.0 a breaking change bumps the minor version', () => {
  git('commit', '-q', '--allow-empty', '-m', 'feat(ml-rbac)!: rename a prop');
  expect(release('--dry-run')).toMatch(/bumping version in package\.json from 0\.1\.1 to 0\.2\.0/);
  expect(version()).toBe('0.1.1');
}, 60_000);
