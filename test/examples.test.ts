import { Testing } from 'cdk8s';
import { exampleModules } from '../examples';
import { checkLibraryDefaults, checkRestricted, validateObjects } from './support/validate';

// Every example app, synthesized as `npm run synth` does, validated object by object.
describe.each(exampleModules().map((e) => [e.name, e.build] as const))('example %s', (_name, build) => {
  const app = Testing.app();
  build(app);
  const objects = app.charts.flatMap((chart) => Testing.synth(chart));

  test('synthesizes objects', () => {
    expect(objects.length).toBeGreaterThan(0);
  });

  test('passes the platform checks (names unique per kind and namespace, quotas, queues), as an app of its own', () => {
    expect(app.node.validate()).toEqual([]);
  });

  test('every object validates against the Kubernetes 1.27 and CRD schemas, with no unknown field', () => {
    expect(validateObjects(objects)).toEqual([]);
  });

  test('every pod meets Pod Security "restricted"', () => {
    expect(checkRestricted(objects)).toEqual([]);
  });

  test('every container keeps the library defaults (resources, read-only root, pinned image, no inline secret)', () => {
    expect(checkLibraryDefaults(objects)).toEqual([]);
  });
});
