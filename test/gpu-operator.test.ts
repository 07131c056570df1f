import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  Accelerator, GpuModel, GpuNodeSetup, GpuNodeSetupProps, GpuNodeSoftware, GpuSharing, GpuTrainingJob, MigStrategy,
} from '../lib';
import { checkLibraryDefaults, checkRestricted, gpuNodeSetupNamespaces, validateObjects } from './support/validate';

function synth(props: GpuNodeSetupProps = {}) {
  const chart = new Chart(Testing.app(), 'nodes');
  const setup = new GpuNodeSetup(chart, 'gpus', { software: GpuNodeSoftware.gpuOperator(), ...props });
  return { chart, setup, objects: Testing.synth(chart) };
}

function find(objects: any[], kind: string, name?: string) {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

const policyOf = (objects: any[]) => find(objects, 'ClusterPolicy', 'cluster-policy').spec;
const H100 = [GpuModel.H100_80GB];

describe('GpuNodeSetup: GPU Operator', () => {
  test('defaults: a ClusterPolicy, the device plugin config it references, a privileged gpu-operator namespace, no daemon of its own', () => {
    const { objects, setup } = synth();
    expect(validateObjects(objects)).toEqual([]);
    expect(checkLibraryDefaults(objects)).toEqual([]);
    expect(checkRestricted(objects)).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/gpu-operator', 'ConfigMap/nvidia-device-plugin-config', 'ClusterPolicy/cluster-policy',
      'NetworkPolicy/nvidia-dcgm-exporter', 'PrometheusRule/nvidia-gpu-alerts',
    ]);
    expect(find(objects, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect([...gpuNodeSetupNamespaces(objects)]).toEqual(['gpu-operator']);
    const policy = find(objects, 'ClusterPolicy');
    expect(policy.apiVersion).toBe('nvidia.com/v1');
    expect(policy.metadata.namespace).toBeUndefined();
    expect(policy.spec).toEqual({
      operator: {},
      daemonsets: {
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        priorityClassName: 'system-node-critical',
        updateStrategy: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: '1' },
      },
      psa: { enabled: false },
      driver: { enabled: true },
      toolkit: { enabled: true },
      devicePlugin: { enabled: true, config: { name: 'nvidia-device-plugin-config', default: 'default' } },
      gfd: { enabled: true },
      mig: { strategy: 'none' },
      migManager: { enabled: false },
      dcgm: { enabled: false },
      dcgmExporter: { enabled: true, serviceMonitor: { enabled: true, interval: '15s', honorLabels: true } },
      nodeStatusExporter: { enabled: false },
    });
    expect(setup.clusterPolicy).toBeDefined();
    expect(setup.daemonSet).toBeUndefined();
    expect(setup.software.image).toBeUndefined();
    expect(objects.filter((o) => ['DaemonSet', 'ServiceMonitor', 'Service'].includes(o.kind))).toEqual([]);
  });

  test('the ClusterPolicy is checked against the vendored v26.7.0 CRD: a field it does not have is refused', () => {
    const { objects } = synth();
    const bad = objects.map((o) => (o.kind === 'ClusterPolicy' ? { ...o, spec: { ...o.spec, mig: { strategy: 'all' }, devicePlugin: { ...o.spec.devicePlugin, sharing: {} } } } : o));
    expect(validateObjects(bad)).toEqual([
      'ClusterPolicy/cluster-policy: spec.devicePlugin.sharing: unknown field',
      'ClusterPolicy/cluster-policy: spec.mig.strategy: must be one of "none", "single", "mixed", got "all"',
    ]);
  });

  test('the same sharing and per-node configurations as the device plugin mode, in the ConfigMap the policy references', () => {
    const props: GpuNodeSetupProps = {
      sharing: GpuSharing.timeSlicing({ replicas: 4 }),
      nodeConfigs: { mps: { sharing: GpuSharing.mps({ replicas: 2 }) }, whole: {} },
    };
    const operator = synth(props).objects;
    const plugin = new GpuNodeSetup(new Chart(Testing.app(), 'p'), 'gpus', props);
    expect(find(operator, 'ConfigMap', 'nvidia-device-plugin-config').data).toEqual(plugin.configMap.toJson().data);
    expect(parse(find(operator, 'ConfigMap').data.default).sharing.timeSlicing).toEqual({
      renameByDefault: true, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }],
    });
    expect(policyOf(operator).devicePlugin.config).toEqual({ name: 'nvidia-device-plugin-config', default: 'default' });
  });

  test('MIG: one strategy for the cluster, the MIG manager on with it, and typed layouts in its config', () => {
    const { objects } = synth({
      software: GpuNodeSoftware.gpuOperator({ migLayouts: { 'inference-mix': { '3g.40gb': 1, '2g.20gb': 1, '1g.10gb': 2 }, 'all-1g': { '1g.10gb+me': 1 } } }),
      migStrategy: MigStrategy.MIXED,
      nodeConfigs: { shared: { sharing: GpuSharing.timeSlicing({ replicas: 2 }), migStrategy: MigStrategy.MIXED } },
      gpuModels: H100,
    });
    expect(validateObjects(objects)).toEqual([]);
    const spec = policyOf(objects);
    expect(spec.mig).toEqual({ strategy: 'mixed' });
    expect(spec.migManager).toEqual({ enabled: true, config: { name: 'nvidia-mig-layouts', default: 'all-disabled' } });
    const layouts = find(objects, 'ConfigMap', 'nvidia-mig-layouts');
    expect(layouts.metadata.namespace).toBe('gpu-operator');
    expect(parse(layouts.data['config.yaml'])).toEqual({
      'version': 'v1',
      'mig-configs': {
        'all-disabled': [{ 'devices': 'all', 'mig-enabled': false }],
        'inference-mix': [{ 'devices': 'all', 'mig-enabled': true, 'mig-devices': { '3g.40gb': 1, '2g.20gb': 1, '1g.10gb': 2 } }],
        'all-1g': [{ 'devices': 'all', 'mig-enabled': true, 'mig-devices': { '1g.10gb+me': 1 } }],
      },
    });
    // Without layouts, the operator's own (generated from the hardware); the MIG manager can be turned off.
    expect(policyOf(synth({ migStrategy: MigStrategy.SINGLE }).objects).migManager).toEqual({ enabled: true });
    expect(policyOf(synth({ migStrategy: MigStrategy.SINGLE, software: GpuNodeSoftware.gpuOperator({ migManager: false }) }).objects).migManager).toEqual({ enabled: false });
  });

  test('driver, toolkit, GFD and metrics options', () => {
    const spec = policyOf(synth({
      software: GpuNodeSoftware.gpuOperator({ driver: false, toolkit: false, featureDiscovery: false }),
      metrics: { serviceMonitor: false, scraperNamespace: 'observability' },
      priorityClassName: 'gpu-daemons',
    }).objects);
    expect(spec).toMatchObject({ driver: { enabled: false }, toolkit: { enabled: false }, gfd: { enabled: false } });
    expect(spec.dcgmExporter).toEqual({ enabled: true, serviceMonitor: { enabled: false, interval: '15s', honorLabels: true } });
    expect(spec.daemonsets.priorityClassName).toBe('gpu-daemons');
    const quiet = synth({ metrics: { enabled: false } }).objects;
    expect(policyOf(quiet).dcgmExporter).toEqual({ enabled: false });
    expect(quiet.filter((o) => /dcgm|alerts/.test(o.metadata.name))).toEqual([]);
  });

  test('the operator\'s DCGM exporter: only the scraper reaches it, and the alerts watch its series', () => {
    const { objects } = synth({ metrics: { scraperNamespace: 'observability' } });
    const policy = find(objects, 'NetworkPolicy', 'nvidia-dcgm-exporter');
    expect(policy.metadata.namespace).toBe('gpu-operator');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { app: 'nvidia-dcgm-exporter' } });
    expect(policy.spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }], ports: [{ port: 9400, protocol: 'TCP' }],
    }]);
    expect(policy.spec.egress).toHaveLength(1);
    const rules = find(objects, 'PrometheusRule').spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual(['GpuXidError', 'GpuTemperatureHigh', 'GpuMemoryAlmostFull', 'GpuUtilizationLow', 'GpuRequestedButIdle']);
    expect(rules[0].expr).toBe('DCGM_FI_DEV_XID_ERRORS{job="nvidia-dcgm-exporter"} > 0');
  });

  test('the consistency checks apply as in device-plugin mode', () => {
    const app = Testing.app();
    new GpuNodeSetup(new Chart(app, 'nodes'), 'gpus', { software: GpuNodeSoftware.gpuOperator() });
    new GpuTrainingJob(new Chart(app, 'team', { namespace: 'ml' }), 'train', { image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', accelerator: Accelerator.sharedGpu() });
    expect(() => app.charts.flatMap((c) => Testing.synth(c))).toThrow(/GpuNodeSetup 'gpus': 'sharing' must advertise nvidia.com\/gpu.shared/);
  });
});

describe('GpuNodeSetup: GPU Operator refuses what it cannot express', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['node configurations with another MIG strategy', () => synth({ migStrategy: MigStrategy.MIXED, gpuModels: H100, nodeConfigs: { plain: { migStrategy: MigStrategy.NONE } } }),
      /GpuNodeSetup 'gpus': 'nodeConfigs.plain.migStrategy' must be the default configuration's \(mixed\) with the GPU Operator: its ClusterPolicy has one mig.strategy for the whole cluster.*got 'none'/],
    ['a node selector', () => synth({ nodeSelector: { pool: 'gpu' } }), /'nodeSelector' cannot be used with the GPU Operator/],
    ['an exporter image', () => synth({ metrics: { image: 'nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless' } }), /'metrics.image' cannot be set with the GPU Operator: the release of its Helm chart pins the exporter image/],
    ['MIG layouts without MIG', () => synth({ software: GpuNodeSoftware.gpuOperator({ migLayouts: { a: { '1g.10gb': 7 } } }), gpuModels: H100 }),
      /'software.migLayouts' need MigStrategy.SINGLE or MIXED/],
    ['MIG layouts without the MIG manager', () => synth({ software: GpuNodeSoftware.gpuOperator({ migManager: false, migLayouts: { a: { '1g.10gb': 7 } } }), migStrategy: MigStrategy.SINGLE, gpuModels: H100 }),
      /'software.migLayouts' need the MIG manager/],
    ['MIG layouts without GPU models', () => synth({ software: GpuNodeSoftware.gpuOperator({ migLayouts: { a: { '1g.10gb': 7 } } }), migStrategy: MigStrategy.SINGLE }),
      /'gpuModels' must list the cluster's GPU models with migLayouts/],
    ['two profiles in a layout with the single strategy', () => synth({ software: GpuNodeSoftware.gpuOperator({ migLayouts: { a: { '1g.10gb': 1, '3g.40gb': 1 } } }), migStrategy: MigStrategy.SINGLE, gpuModels: H100 }),
      /'software.migLayouts.a' must use one MIG profile with MigStrategy.SINGLE/],
    ['a profile the declared GPUs do not offer', () => synth({ software: GpuNodeSoftware.gpuOperator({ migLayouts: { a: { '1g.5gb': 7 } } }), migStrategy: MigStrategy.MIXED, gpuModels: H100 }),
      /'software.migLayouts.a' must use MIG profiles that one declared GPU model offers \(H100 80GB: 1g.10gb, .*\), got \["1g.5gb"\]/],
    ['a layout larger than a GPU', () => GpuNodeSoftware.gpuOperator({ migLayouts: { a: { '4g.40gb': 2 } } }), /GpuNodeSoftware.gpuOperator: 'migLayouts.a' must fit one GPU/],
    ['a layout named all-disabled', () => GpuNodeSoftware.gpuOperator({ migLayouts: { 'all-disabled': { '1g.10gb': 1 } } }), /'migLayouts.all-disabled' must not be named 'all-disabled'/],
    ['a count of zero', () => GpuNodeSoftware.gpuOperator({ migLayouts: { a: { '1g.10gb': 0 } } }), /'migLayouts.a.1g.10gb' must be a whole number of MIG devices per GPU from 1 to 7, got 0/],
    ['a profile that is no MIG profile', () => GpuNodeSoftware.gpuOperator({ migLayouts: { a: { 'half': 1 } } }), /'migLayouts.a' must name MIG profiles such as '1g.10gb'/],
    ['an empty layout', () => GpuNodeSoftware.gpuOperator({ migLayouts: { a: {} } }), /'migLayouts.a' must map at least one MIG profile/],
    ['a layout name that is no label value', () => GpuNodeSoftware.gpuOperator({ migLayouts: { 'a b': { '1g.10gb': 1 } } }), /'migLayouts.a b' must be a label value/],
    ['a non-boolean driver', () => GpuNodeSoftware.gpuOperator({ driver: 'yes' as any }), /GpuNodeSoftware.gpuOperator: 'driver' must be true or false, got 'yes'/],
    ['an unknown option', () => GpuNodeSoftware.gpuOperator({ image: 'x' } as any), /'image' is not a prop of GpuNodeSoftware.gpuOperator/],
    ['software that is no GpuNodeSoftware', () => synth({ software: 'operator' as any }), /'software' must be made with GpuNodeSoftware.devicePlugin\(\) or GpuNodeSoftware.gpuOperator\(\)/],
  ];
  test.each(cases)('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
