// The public API is deliberate: the committed report api/cdk8s-mlops.api.md (API Extractor) must match what
// lib/index.ts exports. After a deliberate change, `npm run api` rewrites the report; commit it with the change so
// the review shows the new surface.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Extractor, ExtractorConfig, ExtractorMessage } from '@microsoft/api-extractor';

const ROOT = path.resolve(__dirname, '..');
const TSC = require.resolve('typescript/bin/tsc');

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mlops-api-'));
  const tsc = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json', '--declaration', '--emitDeclarationOnly', '--outDir', path.join(work, 'types')],
    { cwd: ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function extract(reportFolder: string): { succeeded: boolean; changed: boolean; errors: string[] } {
  const configFile = path.join(ROOT, 'api-extractor.json');
  const configObject = ExtractorConfig.loadFile(configFile);
  configObject.mainEntryPointFilePath = path.join(work, 'types/lib/index.d.ts');
  configObject.apiReport = { ...configObject.apiReport!, reportFolder, reportTempFolder: path.join(work, 'report-temp') };
  const config = ExtractorConfig.prepare({ configObject, configObjectFullPath: configFile, packageJsonFullPath: path.join(ROOT, 'package.json') });
  const errors: string[] = [];
  const result = Extractor.invoke(config, {
    localBuild: false,
    messageCallback: (message: ExtractorMessage) => {
      if (message.logLevel === 'error') errors.push(message.formatMessageWithLocation(ROOT));
      message.handled = true;
    },
  });
  return { succeeded: result.succeeded, changed: result.apiReportChanged, errors };
}

test('the committed API report matches the public API (run `npm run api` after a deliberate change)', () => {
  const { changed, errors } = extract(path.join(ROOT, 'api'));
  expect(errors.filter((e) => !e.includes('You have changed the public API signature'))).toEqual([]);
  expect(changed).toBe(false);
}, 120_000);

test('a change of the public API shows as a changed report', () => {
  // A copy of the report with one member removed: the check must notice it.
  const altered = path.join(work, 'altered');
  fs.mkdirSync(altered);
  const report = fs.readFileSync(path.join(ROOT, 'api/cdk8s-mlops.api.md'), 'utf8');
  const without = report.replace(/^export class GpuTrainingJob [^]*?\n}\n/m, '');
  expect(without).not.toBe(report);
  fs.writeFileSync(path.join(altered, 'cdk8s-mlops.api.md'), without);
  expect(extract(altered).changed).toBe(true);
}, 120_000);

test('internals are not part of the public API', () => {
  const report = fs.readFileSync(path.join(ROOT, 'api/cdk8s-mlops.api.md'), 'utf8');
  for (const internal of ['PodBuilder', 'Validator', 'TrainingRun', 'jobRunSpec', 'resolvePlacement', 'ServerBlock', 'validateImage']) {
    expect(report).not.toMatch(new RegExp(`\\b(class|function|interface) ${internal}\\b`));
  }
  for (const construct of ['GpuTrainingJob', 'DistributedTraining', 'ModelServer', 'MlflowPlatform', 'FeatureStore', 'MlRbac', 'MlStorage']) {
    expect(report).toMatch(new RegExp(`export class ${construct} extends Construct`));
  }
});
