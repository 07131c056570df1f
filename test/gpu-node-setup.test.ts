import { App, Chart, Duration, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  Accelerator, GpuModel, GpuNodeSetup, GpuNodeSetupProps, GpuNodeSoftware, GpuSharing, GpuTrainingJob, MigStrategy, TpuVersion,
} from '../lib';
import {
  checkLibraryDefaults, checkRestricted, expectValidManifests, gpuNodeSetupNamespaces, uncoveredPods, validateObjects,
} from './support/validate';

function synth(props: GpuNodeSetupProps = {}) {
  const chart = new Chart(Testing.app(), 'nodes');
  const setup = new GpuNodeSetup(chart, 'gpus', props);
  return { chart, setup, objects: Testing.synth(chart) };
}

function find(objects: any[], kind: string, name?: string) {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

const configOf = (objects: any[], key = 'default') => parse(find(objects, 'ConfigMap').data[key]);
const podOf = (objects: any[], name = 'nvidia-device-plugin') => find(objects, 'DaemonSet', name).spec.template.spec;

describe('GpuNodeSetup: device plugin', () => {
  test('defaults: the device plugin and GFD in a privileged namespace of their own (snapshot)', () => {
    const { objects } = synth();
    expect(objects).toMatchSnapshot();
    expect(validateObjects(objects)).toEqual([]);
    expect(checkLibraryDefaults(objects)).toEqual([]);
    expect(uncoveredPods(objects)).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/nvidia-gpu', 'NetworkPolicy/default-deny', 'ConfigMap/nvidia-device-plugin-config', 'ServiceAccount/nvidia-device-plugin',
      'NetworkPolicy/nvidia-device-plugin', 'DaemonSet/nvidia-device-plugin',
      'NetworkPolicy/nvidia-gpu-feature-discovery', 'DaemonSet/nvidia-gpu-feature-discovery',
      'NetworkPolicy/nvidia-dcgm-exporter', 'Service/nvidia-dcgm-exporter', 'DaemonSet/nvidia-dcgm-exporter',
      'ServiceMonitor/nvidia-dcgm-exporter', 'PrometheusRule/nvidia-gpu-alerts',
    ]);
    // Everything but the Namespace lives in it.
    expect(objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== 'nvidia-gpu')).toEqual([]);
  });

  test('the namespace is labelled Pod Security privileged explicitly, and is the only exemption of the test support', () => {
    const { objects } = synth();
    expect(find(objects, 'Namespace').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/audit': 'privileged',
      'pod-security.kubernetes.io/warn': 'privileged',
    });
    expect([...gpuNodeSetupNamespaces(objects)]).toEqual(['nvidia-gpu']);
    // The daemons would fail "restricted" (root, hostPath, privileged GFD): exempt in their namespace only.
    expect(checkRestricted(objects)).toEqual([]);
    const moved = objects.map((o) => (o.kind === 'DaemonSet' ? { ...o, metadata: { ...o.metadata, namespace: 'elsewhere' } } : o));
    expect(checkRestricted(moved).join('\n')).toMatch(/hostPathVolumes/);
    // An object of someone else in the namespace is checked like any other.
    const stranger = { ...find(objects, 'DaemonSet', 'nvidia-device-plugin'), metadata: { name: 'x', namespace: 'nvidia-gpu', labels: { app: 'x' } } };
    expect(checkRestricted([...objects, stranger]).join('\n')).toMatch(/DaemonSet\/nvidia-gpu\/x/);
  });

  test('the device plugin: pinned image, GPU nodes only, GPU taint tolerated, node priority, no token without per-node configs', () => {
    const { objects } = synth();
    const pod = podOf(objects);
    const c = pod.containers[0];
    expect(c.image).toBe('nvcr.io/nvidia/k8s-device-plugin:v0.20.0');
    expect(c.command).toEqual(['nvidia-device-plugin']);
    expect(c.env).toEqual([{ name: 'CONFIG_FILE', value: '/available-configs/default' }]);
    // The image sees every GPU by itself; the manifest never writes the seed's NVIDIA_VISIBLE_DEVICES=all.
    expect(JSON.stringify(objects)).not.toMatch(/NVIDIA_VISIBLE_DEVICES|NVIDIA_MPS_ENABLE_TIMESLICING/);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, runAsUser: 0 });
    expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(pod.volumes[0]).toEqual({ name: 'device-plugins', hostPath: { path: '/var/lib/kubelet/device-plugins', type: 'Directory' } });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toContainEqual(
      { matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }] });
    expect(pod.hostPID).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'ClusterRole')).toEqual([]);
  });

  test('a nodeSelector replaces the default node affinity', () => {
    const pod = podOf(synth({ nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-l4' } }).objects);
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(pod.affinity).toBeUndefined();
  });

  test('time-slicing: the plugin config file with renameByDefault and failRequestsGreaterThanOne', () => {
    const { objects, setup } = synth({ sharing: GpuSharing.timeSlicing({ replicas: 4 }) });
    expect(configOf(objects)).toEqual({
      version: 'v1',
      flags: { migStrategy: 'none', failOnInitError: true },
      sharing: { timeSlicing: { renameByDefault: true, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } },
    });
    expect(setup.advertisedResources).toEqual(['nvidia.com/gpu.shared']);
    const plain = configOf(synth({ sharing: GpuSharing.timeSlicing({ replicas: 2, renameByDefault: false, failRequestsGreaterThanOne: false }) }).objects);
    expect(plain.sharing.timeSlicing).toMatchObject({ renameByDefault: false, failRequestsGreaterThanOne: false });
  });

  test('MPS: the MPS control daemon on MPS-capable nodes, privileged with the host PID namespace (no nvidia-smi on the node)', () => {
    const { objects } = synth({ sharing: GpuSharing.mps({ replicas: 8 }) });
    expectValidManifests(objects);
    expect(configOf(objects).sharing).toEqual({ mps: { renameByDefault: true, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 8 }] } });
    const mps = podOf(objects, 'nvidia-mps-control-daemon');
    expect(mps.hostPID).toBe(true);
    expect(mps.nodeSelector).toEqual({ 'nvidia.com/mps.capable': 'true' });
    expect(mps.containers[0].command).toEqual(['mps-control-daemon']);
    expect(mps.containers[0].securityContext.privileged).toBe(true);
    expect(mps.initContainers[0].command).toEqual(['mps-control-daemon', 'mount-shm']);
    expect(JSON.stringify(objects)).not.toContain('EXCLUSIVE_PROCESS');
    const plugin = podOf(objects);
    expect(plugin.containers[0].env).toContainEqual({ name: 'MPS_ROOT', value: '/run/nvidia/mps' });
    expect(plugin.volumes.map((v: any) => v.name)).toEqual(expect.arrayContaining(['mps-root', 'mps-shm']));
    expect(uncoveredPods(objects)).toEqual([]);
  });

  test('per-node configurations: the config manager follows the nvidia.com/device-plugin.config label and reads the API', () => {
    const { objects } = synth({
      sharing: GpuSharing.timeSlicing({ replicas: 4 }),
      nodeConfigs: { 'mig-mixed': { migStrategy: MigStrategy.MIXED }, 'mps': { sharing: GpuSharing.mps({ replicas: 2 }) } },
      gpuModels: [GpuModel.A100_80GB],
    });
    expectValidManifests(objects);
    expect(Object.keys(find(objects, 'ConfigMap').data)).toEqual(['default', 'mig-mixed', 'mps']);
    expect(configOf(objects, 'mig-mixed')).toEqual({ version: 'v1', flags: { migStrategy: 'mixed', failOnInitError: true } });
    const pod = podOf(objects);
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.shareProcessNamespace).toBe(true);
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['config-manager-init']);
    const sidecar = pod.containers.find((c: any) => c.name === 'config-manager');
    expect(sidecar.env).toEqual(expect.arrayContaining([
      { name: 'NODE_LABEL', value: 'nvidia.com/device-plugin.config' },
      { name: 'DEFAULT_CONFIG', value: 'default' },
      { name: 'PROCESS_TO_SIGNAL', value: 'nvidia-device-plugin' },
    ]));
    expect(pod.containers[0].env).toContainEqual({ name: 'CONFIG_FILE', value: '/config/config.yaml' });
    expect(find(objects, 'ClusterRole').rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]);
    expect(find(objects, 'ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'nvidia-device-plugin', namespace: 'nvidia-gpu' }]);
    // The API server's ports are opened to the daemons that read it.
    expect(find(objects, 'NetworkPolicy', 'nvidia-device-plugin').spec.egress).toContainEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }],
    });
    expect(find(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('a config change rolls the daemons (hash annotation)', () => {
    const hash = (replicas: number) => find(synth({ sharing: GpuSharing.timeSlicing({ replicas }) }).objects, 'DaemonSet', 'nvidia-device-plugin')
      .spec.template.metadata.annotations['nvidia.com/device-plugin.config-hash'];
    expect(hash(4)).toMatch(/^[0-9a-f]{16}$/);
    expect(hash(4)).toBe(hash(4));
    expect(hash(5)).not.toBe(hash(4));
  });

  test('without GPU Feature Discovery: no GFD DaemonSet', () => {
    const { objects } = synth({ software: GpuNodeSoftware.devicePlugin({ featureDiscovery: false }), metrics: { enabled: false } });
    expect(objects.filter((o) => o.kind === 'DaemonSet').map((o) => o.metadata.name)).toEqual(['nvidia-device-plugin']);
  });
});

describe('GpuNodeSetup: GPU metrics', () => {
  test('the DCGM exporter: pinned, root with SYS_ADMIN only, the kubelet pod-resources socket read-only, reached only by the scraper', () => {
    const { objects } = synth();
    const pod = podOf(objects, 'nvidia-dcgm-exporter');
    const c = pod.containers[0];
    expect(c.image).toBe('nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless');
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] }, runAsUser: 0 });
    expect(c.env).toContainEqual({ name: 'DCGM_EXPORTER_KUBERNETES', value: 'true' });
    // Read-only root: DCGM logs to stdout instead of /var/log/nv-hostengine.log; /tmp is the only writable path.
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'DCGM_EXPORTER_ENABLE_DCGM_LOG', value: 'true' }, { name: 'DCGM_EXPORTER_DCGM_LOG_LEVEL', value: 'ERROR' }]));
    expect(c.volumeMounts).toEqual([{ name: 'pod-gpu-resources', mountPath: '/var/lib/kubelet/pod-resources', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 9400 });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(find(objects, 'NetworkPolicy', 'nvidia-dcgm-exporter').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9400, protocol: 'TCP' }],
    }]);
    const service = find(objects, 'Service', 'nvidia-dcgm-exporter');
    const monitor = find(objects, 'ServiceMonitor', 'nvidia-dcgm-exporter');
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.metadata.namespace).toBe(service.metadata.namespace);
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s', honorLabels: true }]);
  });

  test('the GPU alerts: XID errors, temperature, memory, low utilisation, requested but idle', () => {
    const rules = find(synth().objects, 'PrometheusRule').spec.groups[0].rules;
    expect(rules.map((r: any) => [r.alert, r.labels.severity, r.for])).toEqual([
      ['GpuXidError', 'critical', '0m'], ['GpuTemperatureHigh', 'warning', '5m'], ['GpuMemoryAlmostFull', 'warning', '5m'],
      ['GpuUtilizationLow', 'warning', '0m'], ['GpuRequestedButIdle', 'warning', '0m'],
    ]);
    expect(rules[0].expr).toBe('DCGM_FI_DEV_XID_ERRORS{job="nvidia-dcgm-exporter"} > 0');
    expect(rules[1].expr).toBe('DCGM_FI_DEV_GPU_TEMP{job="nvidia-dcgm-exporter"} > 85');
    expect(rules[2].expr).toBe('100 * DCGM_FI_DEV_FB_USED{job="nvidia-dcgm-exporter"} / (DCGM_FI_DEV_FB_USED{job="nvidia-dcgm-exporter"} + DCGM_FI_DEV_FB_FREE{job="nvidia-dcgm-exporter"}) > 95');
    expect(rules[3].expr).toBe('avg_over_time(DCGM_FI_DEV_GPU_UTIL{job="nvidia-dcgm-exporter",pod!=""}[1h]) < 10');
    expect(rules[4].expr).toBe('max_over_time(DCGM_FI_DEV_GPU_UTIL{job="nvidia-dcgm-exporter",pod!=""}[30m]) == 0');
    const tuned = find(synth({ metrics: { alerts: { temperatureAbove: 80, memoryUsedAbovePercent: 90, utilizationBelowPercent: 20, idleFor: Duration.hours(1), for: Duration.minutes(10) } } }).objects, 'PrometheusRule').spec.groups[0].rules;
    expect(tuned.map((r: any) => r.expr.match(/[<>=] (\d+)$/)?.[1])).toEqual(['0', '80', '90', '20', '0']);
    expect(tuned[4].expr).toContain('[60m]');
    expect(tuned[1].for).toBe('10m');
  });

  test('options: another scraper namespace and interval, no ServiceMonitor, no alerts, no metrics at all', () => {
    const { objects } = synth({ metrics: { scraperNamespace: 'observability', interval: Duration.seconds(30) } });
    expect(find(objects, 'NetworkPolicy', 'nvidia-dcgm-exporter').spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'observability' });
    expect(find(objects, 'ServiceMonitor').spec.endpoints[0].interval).toBe('30s');
    const quiet = synth({ metrics: { serviceMonitor: false, alerts: false } }).objects;
    expect(quiet.filter((o) => ['ServiceMonitor', 'PrometheusRule'].includes(o.kind))).toEqual([]);
    expect(quiet.filter((o) => o.metadata.name === 'nvidia-dcgm-exporter').map((o) => o.kind)).toEqual(['NetworkPolicy', 'Service', 'DaemonSet']);
    expect(synth({ metrics: { enabled: false } }).objects.filter((o) => /dcgm|alerts/.test(o.metadata.name))).toEqual([]);
  });
});

describe('GpuNodeSetup: bad input', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['time-slicing with one replica', () => GpuSharing.timeSlicing({ replicas: 1 }), /GpuSharing.timeSlicing: 'replicas' must be a whole number from 2 to 128, got 1/],
    ['MPS above 48 clients', () => GpuSharing.mps({ replicas: 64 }), /GpuSharing.mps: 'replicas' must be a whole number from 2 to 48, got 64/],
    ['a non-boolean renameByDefault', () => GpuSharing.timeSlicing({ replicas: 2, renameByDefault: 'yes' as any }), /'renameByDefault' must be true or false, got 'yes'/],
    ['an unpinned image', () => GpuNodeSoftware.devicePlugin({ image: 'nvcr.io/nvidia/k8s-device-plugin:latest' }), /GpuNodeSoftware.devicePlugin: 'image'/],
    ['MPS with MIG in a node config', () => synth({ nodeConfigs: { mps: { sharing: GpuSharing.mps({ replicas: 2 }), migStrategy: MigStrategy.MIXED } }, gpuModels: [GpuModel.A100_80GB] }),
      /GpuNodeSetup 'gpus': 'nodeConfigs.mps.migStrategy' must be MigStrategy.NONE with GpuSharing.mps\(\)/],
    ['MPS with MIG', () => synth({ sharing: GpuSharing.mps({ replicas: 2 }), migStrategy: MigStrategy.SINGLE }),
      /GpuNodeSetup 'gpus': 'migStrategy' must be MigStrategy.NONE with GpuSharing.mps\(\)/],
    ['MIG mixed without GPU models', () => synth({ migStrategy: MigStrategy.MIXED }), /'gpuModels' must list the cluster's GPU models with MigStrategy.MIXED \(configuration 'default'\)/],
    ['a node config named default', () => synth({ nodeConfigs: { default: {} } }), /'nodeConfigs.default' must not be named 'default'/],
    ['a node config name that is no label value', () => synth({ nodeConfigs: { 'time slicing': {} } }), /'nodeConfigs.time slicing' must be a label value/],
    ['an unknown MIG strategy', () => synth({ migStrategy: 'MIXED' as any }), /'migStrategy' must be one of MigStrategy.NONE, MigStrategy.SINGLE, MigStrategy.MIXED, got 'MIXED'/],
    ['MPS without GFD', () => synth({ sharing: GpuSharing.mps({ replicas: 2 }), software: GpuNodeSoftware.devicePlugin({ featureDiscovery: false }) }),
      /'software' must run GPU Feature Discovery with GpuSharing.mps\(\)/],
    ['an unknown prop', () => synth({ replicas: 4 } as any), /'replicas' is not a prop of GpuNodeSetup/],
    ['a bad namespace', () => synth({ namespace: 'GPU' }), /GpuNodeSetup 'gpus': 'namespace'/],
    ['a sharing that is no GpuSharing', () => synth({ sharing: { replicas: 4 } as any }), /'sharing' must be made with GpuSharing.none\(\)/],
    ['a GPU model that is no GpuModel', () => synth({ gpuModels: ['A100'] as any }), /'gpuModels' must be a list of GpuModel/],
    ['a bad model name', () => GpuModel.withoutMig(''), /GpuModel.withoutMig: 'name' must be a model name/],
    ['a temperature threshold out of range', () => synth({ metrics: { alerts: { temperatureAbove: 200 } } }), /'metrics.alerts.temperatureAbove' must be a whole number from 40 to 120, got 200/],
    ['an idle window under 5 minutes', () => synth({ metrics: { alerts: { idleFor: Duration.minutes(1) } } }), /'metrics.alerts.idleFor' must be a whole number from 300 to 604800, got 60/],
    ['an idle window of seconds', () => synth({ metrics: { alerts: { idleFor: Duration.seconds(330) } } }), /'metrics.alerts.idleFor' must be whole minutes, got '330s'/],
    ['an unknown alert option', () => synth({ metrics: { alerts: { xid: true } as any } }), /'metrics.alerts.xid' is not a prop/],
    ['an unpinned exporter image', () => synth({ metrics: { image: 'nvcr.io/nvidia/k8s/dcgm-exporter' } }), /'metrics.image'/],
    ['a bad scraper namespace', () => synth({ metrics: { scraperNamespace: 'Monitoring' } }), /'metrics.scraperNamespace'/],
  ];
  test.each(cases)('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  test('a second GpuNodeSetup in the app', () => {
    const app = new App();
    new GpuNodeSetup(new Chart(app, 'a'), 'gpus');
    expect(() => new GpuNodeSetup(new Chart(app, 'b'), 'more')).toThrow(/GpuNodeSetup 'more': '\(construct\)' must be the only GpuNodeSetup of the app.*got 'a\/gpus'/);
  });
});

describe('GpuNodeSetup: consistency with the workloads of the app, checked at synth', () => {
  /** Synthesizes an app with the setup in one chart and a training job with `accelerator` in another. */
  function withWorkload(props: GpuNodeSetupProps, accelerator: Accelerator, namespace = 'ml') {
    const app = Testing.app();
    new GpuNodeSetup(new Chart(app, 'nodes'), 'gpus', props);
    const team = new Chart(app, 'team', { namespace });
    new GpuTrainingJob(team, 'train', { image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', accelerator });
    return () => app.charts.flatMap((c) => Testing.synth(c));
  }
  const slicing = (o: Partial<{ renameByDefault: boolean; failRequestsGreaterThanOne: boolean }> = {}) => GpuSharing.timeSlicing({ replicas: 4, ...o });

  const mismatches: Array<[string, () => unknown, RegExp]> = [
    ['a shared GPU without sharing', withWorkload({}, Accelerator.sharedGpu()),
      /GpuNodeSetup 'gpus': 'sharing' must advertise nvidia.com\/gpu.shared in some configuration .*: team\/train requests 1 nvidia.com\/gpu.shared \(Accelerator.sharedGpu\(\)\), got 'default: no sharing, MIG none'/],
    ['a shared GPU where sharing keeps the name nvidia.com/gpu', withWorkload({ sharing: slicing({ renameByDefault: false }) }, Accelerator.sharedGpu()),
      /'sharing' must advertise nvidia.com\/gpu.shared .*got 'default: timeSlicing x4 as nvidia.com\/gpu, MIG none'/],
    ['a MIG slice without the mixed strategy', withWorkload({ migStrategy: MigStrategy.SINGLE }, Accelerator.mig('1g.10gb')),
      /'migStrategy' must be MigStrategy.MIXED in some configuration \(nodeConfigs\) for team\/train requests 1 nvidia.com\/mig-1g.10gb \(Accelerator.mig\(\)\).*got 'default: no sharing, MIG single'/],
    ['a MIG profile no declared GPU offers', withWorkload({ migStrategy: MigStrategy.MIXED, gpuModels: [GpuModel.A100_80GB, GpuModel.withoutMig('L4')] }, Accelerator.mig('1g.5gb')),
      /'gpuModels' must include a GPU model that offers the MIG profile of team\/train requests 1 nvidia.com\/mig-1g.5gb, got \["A100 80GB","L4"\]/],
    ['whole GPUs where every configuration advertises shares only', withWorkload({ sharing: slicing() }, Accelerator.nvidiaGpu(1)),
      /'sharing' must leave whole GPUs \(nvidia.com\/gpu\) in some configuration \(GpuSharing.none\(\) in nodeConfigs\) for team\/train requests 1 nvidia.com\/gpu: every configuration advertises only shares/],
    ['two GPUs where nvidia.com/gpu means a share', withWorkload({ sharing: slicing({ renameByDefault: false }) }, Accelerator.nvidiaGpu(2)),
      /'sharing' must leave whole GPUs .* for team\/train requests 2 nvidia.com\/gpu: where nvidia.com\/gpu is shared \(renameByDefault: false\) the pod gets 2 shares/],
  ];
  test.each(mismatches)('refused: %s', (_name, run, message) => {
    expect(run).toThrow(message);
  });

  const matches: Array<[string, () => any[]]> = [
    ['a shared GPU with renamed time-slicing', withWorkload({ sharing: slicing() }, Accelerator.sharedGpu())],
    ['a shared GPU with MPS on some nodes', withWorkload({ nodeConfigs: { mps: { sharing: GpuSharing.mps({ replicas: 2 }) } } }, Accelerator.sharedGpu())],
    ['a MIG profile of a declared GPU on mixed nodes', withWorkload({ nodeConfigs: { mig: { migStrategy: MigStrategy.MIXED } }, gpuModels: [GpuModel.A100_40GB] }, Accelerator.mig('1g.5gb'))],
    ['a media-extension MIG profile', withWorkload({ migStrategy: MigStrategy.MIXED, gpuModels: [GpuModel.H100_80GB] }, Accelerator.mig('1g.10gb+me'))],
    ['whole GPUs on the nodes that do not share', withWorkload({ sharing: slicing(), nodeConfigs: { whole: {} } }, Accelerator.nvidiaGpu(2))],
    ['one GPU where nvidia.com/gpu is shared', withWorkload({ sharing: slicing({ renameByDefault: false }) }, Accelerator.nvidiaGpu(1))],
    ['no accelerator', withWorkload({ sharing: slicing() }, Accelerator.none())],
    ['TPUs are not the setup\'s business', withWorkload({}, Accelerator.tpu({ version: TpuVersion.V5E, topology: '2x4' }))],
  ];
  test.each(matches)('accepted: %s', (_name, run) => {
    expect(run().length).toBeGreaterThan(0);
  });

  test('the MIG profiles of the H100 NVL, H200 and B200 are NVIDIA\'s (with the 1g media-extension profile)', () => {
    expect(GpuModel.H100_NVL.migProfiles).toEqual(['1g.12gb', '1g.12gb+me', '1g.24gb', '2g.24gb', '3g.47gb', '4g.47gb', '7g.94gb']);
    expect(GpuModel.H200.migProfiles).toEqual(['1g.18gb', '1g.18gb+me', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb']);
    expect(GpuModel.B200.migProfiles).toEqual(['1g.23gb', '1g.23gb+me', '1g.45gb', '2g.45gb', '3g.90gb', '4g.90gb', '7g.180gb']);
    expect(withWorkload({ migStrategy: MigStrategy.MIXED, gpuModels: [GpuModel.H200] }, Accelerator.mig('1g.18gb+me'))().length).toBeGreaterThan(0);
    expect(withWorkload({ migStrategy: MigStrategy.MIXED, gpuModels: [GpuModel.B200] }, Accelerator.mig('1g.18gb+me'))).toThrow(/'gpuModels' must include a GPU model that offers the MIG profile of team\/train requests 1 nvidia.com\/mig-1g.18gb.me/);
  });

  test('nothing else may be put in the setup\'s namespace', () => {
    expect(withWorkload({}, Accelerator.none(), 'nvidia-gpu')).toThrow(
      /GpuNodeSetup 'gpus': 'namespace' must hold only the node software: team\/train puts (NetworkPolicy|Job) 'train' in it, got 'nvidia-gpu'/);
  });
});
