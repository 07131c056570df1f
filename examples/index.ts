import { readdirSync } from 'fs';
import { join } from 'path';
import { App } from 'cdk8s';

/**
 * Every example module in this folder. Each exports `build(app)`, which adds its charts to `app` (chart ids are
 * the file names in dist/). The platform example comes first; the others follow in file-name order.
 */
export function exampleModules(): Array<{ name: string; build: (app: App) => void }> {
  const files = readdirSync(__dirname)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !['index', 'main'].includes(f.replace(/\.(ts|js)$/, '')))
    .sort((a, b) => (a.startsWith('platform.') ? -1 : b.startsWith('platform.') ? 1 : a.localeCompare(b)));
  return files.map((file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(__dirname, file));
    if (typeof mod.build !== 'function') throw new Error(`examples/${file} must export build(app: App)`);
    return { name: file.replace(/\.(ts|js)$/, ''), build: mod.build };
  });
}
