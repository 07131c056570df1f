// The tests must not write into the repository (an app synthesized with `new App()` writes into ./dist): jest's
// global setup lists the repository's files and its global teardown fails the run, naming each file a test
// created, changed or removed. What installs and builds create is not listed.
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
/** Folders that installs, builds and `npm run test:update` write into. */
const SKIPPED = new Set(['node_modules', '.git', 'build', 'artifacts', 'coverage', '__snapshots__']);

/** Every file under the repository but the skipped folders, with its size and modification time. */
export function repositoryFiles(root = ROOT): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (SKIPPED.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const stat = fs.statSync(full);
        files.set(path.relative(root, full), `${stat.size}:${stat.mtimeMs}`);
      }
    }
  };
  walk(root);
  return files;
}

/** The files that differ between two listings, each with what happened to it. */
export function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [file, stamp] of after) {
    if (!before.has(file)) changes.push(`created ${file}`);
    else if (before.get(file) !== stamp) changes.push(`changed ${file}`);
  }
  for (const file of before.keys()) if (!after.has(file)) changes.push(`removed ${file}`);
  return changes.sort();
}
