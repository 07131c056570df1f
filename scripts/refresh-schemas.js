#!/usr/bin/env node
// Maintainers only: copies the schema files listed in schemas/vendored.json from CRD_DIR (by default
// ../shared/crds, the team's collection of upstream CRD files) into schemas/, byte for byte, and says which
// changed. Run `npm run import` afterwards to regenerate imports/; record new files in schemas/SOURCES.md.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const source = path.resolve(root, process.env.CRD_DIR ?? '../shared/crds');
const { files } = JSON.parse(fs.readFileSync(path.join(root, 'schemas/vendored.json'), 'utf8'));

const missing = files.filter((file) => !fs.existsSync(path.join(source, file)));
if (missing.length > 0) {
  console.error(`refresh-schemas: not in ${source}: ${missing.join(', ')} (set CRD_DIR to the folder of CRD files)`);
  process.exit(1);
}
for (const file of files) {
  const from = fs.readFileSync(path.join(source, file));
  const to = path.join(root, 'schemas', file);
  const changed = !fs.existsSync(to) || !fs.readFileSync(to).equals(from);
  if (changed) fs.writeFileSync(to, from);
  console.log(`${changed ? 'updated  ' : 'unchanged'} schemas/${file}`);
}
