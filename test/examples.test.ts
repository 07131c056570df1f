import { Testing } from 'cdk8s';
import { exampleModules } from '../examples';
import { checkLibraryDefaults, checkRestricted, GPU_NODE_SETUP, gpuNodeSetupNamespaces, validateObjects } from './support/validate';

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

describe('only the GPU node setup\'s namespace is privileged', () => {
  // Each example is an app of its own; together they are everything the examples write.
  const objects = exampleModules().flatMap((example) => {
    const app = Testing.app();
    example.build(app);
    return app.charts.flatMap((chart) => Testing.synth(chart));
  });
  const namespaces = objects.filter((o) => o.kind === 'Namespace');

  test('every Namespace enforces "restricted" but the one GpuNodeSetup creates', () => {
    const notRestricted = namespaces.filter((n) => n.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted');
    // The device plugin's (gpu-nodes.ts) and the GPU Operator's (gpu-operator.ts): one per app, each its setup's.
    expect(notRestricted.map((n) => n.metadata.name)).toEqual(['nvidia-gpu', 'gpu-operator']);
    expect([...gpuNodeSetupNamespaces(objects)]).toEqual(['nvidia-gpu', 'gpu-operator']);
  });

  test.each(['nvidia-gpu', 'gpu-operator'])('nothing but the setup\'s own objects is in %s, and every pod elsewhere meets "restricted"', (namespace) => {
    const inside = objects.filter((o) => o.metadata?.namespace === namespace);
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.filter((o) => o.metadata.labels?.['app.kubernetes.io/part-of'] !== GPU_NODE_SETUP)).toEqual([]);
    expect(checkRestricted(objects)).toEqual([]);
  });

  test('the exemption is what lets the device plugin\'s daemons pass: without it they fail', () => {
    const outside = objects.map((o) => (o.metadata?.namespace === 'nvidia-gpu' ? { ...o, metadata: { ...o.metadata, namespace: 'elsewhere' } } : o));
    expect(checkRestricted(outside).length).toBeGreaterThan(0);
  });
});
