import * as fc from 'fast-check';
import { GpuModel, GpuNodeConfig, GpuNodeSetup, GpuNodeSetupProps, GpuNodeSoftware, GpuSharing, MigStrategy } from '../../lib';
import * as a from './arbitraries';
import { expectRefused, expectRefusedOrValid, hostileProps, newChart, params, ValidChecker } from './harness';

const sharing: fc.Arbitrary<GpuSharing | undefined> = fc.option(fc.oneof(
  fc.constant(GpuSharing.none()),
  fc.record({ replicas: fc.integer({ min: 2, max: 128 }), renameByDefault: fc.option(fc.boolean(), { nil: undefined }), failRequestsGreaterThanOne: fc.option(fc.boolean(), { nil: undefined }) })
    .map((o) => GpuSharing.timeSlicing(o)),
  fc.record({ replicas: fc.integer({ min: 2, max: 48 }), renameByDefault: fc.option(fc.boolean(), { nil: undefined }) }).map((o) => GpuSharing.mps(o)),
), { nil: undefined });

/** A configuration that the device plugin accepts: MPS only without MIG. */
const nodeConfig: fc.Arbitrary<GpuNodeConfig> = fc.record({ sharing, migStrategy: fc.option(fc.constantFrom(...Object.values(MigStrategy)), { nil: undefined }) })
  .map((c) => (c.sharing?.strategy === 'mps' ? { sharing: c.sharing } : c));

const validProps: fc.Arbitrary<GpuNodeSetupProps> = fc.record({
  namespace: fc.option(a.dnsLabel(30), { nil: undefined }),
  config: nodeConfig,
  nodeConfigs: fc.option(fc.dictionary(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}[a-z0-9]$/).filter((n) => n !== 'default'), nodeConfig, { maxKeys: 3 }), { nil: undefined }),
  featureDiscovery: fc.boolean(),
  nodeSelector: fc.option(a.labels.filter((l) => Object.keys(l).length > 0), { nil: undefined }),
}).map((o) => {
  const configs = [o.config, ...Object.values(o.nodeConfigs ?? {})];
  const mps = configs.some((c) => c.sharing?.strategy === 'mps');
  return {
    namespace: o.namespace,
    sharing: o.config.sharing,
    migStrategy: o.config.migStrategy,
    nodeConfigs: o.nodeConfigs,
    gpuModels: [GpuModel.A100_80GB],
    nodeSelector: o.nodeSelector,
    software: GpuNodeSoftware.devicePlugin({ featureDiscovery: o.featureDiscovery || mps }),
  };
});

describe('GpuNodeSetup properties', () => {
  const checker = new ValidChecker();

  test('any valid props give valid manifests: only the setup\'s namespace is privileged, every daemon has a NetworkPolicy', () => {
    fc.assert(fc.property(validProps, (props) => {
      let setup: GpuNodeSetup | undefined;
      const objects = checker.check((chart) => { setup = new GpuNodeSetup(chart, 'gpus', props); });
      const namespace = setup!.namespace;
      expect(objects.filter((o) => o.kind !== 'Namespace' && !['ClusterRole', 'ClusterRoleBinding'].includes(o.kind) && o.metadata.namespace !== namespace)).toEqual([]);
      expect(objects.filter((o) => o.kind === 'Namespace').map((n) => n.metadata.labels['pod-security.kubernetes.io/enforce'])).toEqual(['privileged']);
      const keys = Object.keys(objects.find((o) => o.kind === 'ConfigMap').data);
      expect([...keys].sort()).toEqual(['default', ...Object.keys(props.nodeConfigs ?? {})].sort());
      const plugin = objects.find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'nvidia-device-plugin').spec.template.spec;
      expect(plugin.automountServiceAccountToken).toBe(keys.length > 1);
    }), params(60));
  });

  test('hostile replicas are refused by the sharing factories', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ max: 1 }), fc.integer({ min: 129 }), fc.double({ noInteger: true }), fc.constant(NaN)), (replicas) => {
      expectRefused(() => GpuSharing.timeSlicing({ replicas }), 'GpuSharing.timeSlicing', 'replicas');
    }), params(60));
  });

  test('hostile configuration names are refused', () => {
    fc.assert(fc.property(fc.string({ maxLength: 70 }).filter((n) => !/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(n) && n !== 'default'), (name) => {
      expectRefused(() => new GpuNodeSetup(newChart(), 'gpus', { nodeConfigs: { [name]: {} } }), 'GpuNodeSetup \'gpus\'', 'nodeConfigs');
    }), params(60));
  });

  test('any valid props in GPU Operator mode give a valid ClusterPolicy with one MIG strategy, in the one privileged namespace', () => {
    fc.assert(fc.property(validProps, fc.boolean(), fc.boolean(), (props, driver, toolkit) => {
      const strategy = props.migStrategy ?? MigStrategy.NONE;
      // The operator has one MIG strategy: every configuration takes the default's.
      const nodeConfigs = Object.fromEntries(Object.entries(props.nodeConfigs ?? {}).map(([k, c]) => [k, { ...c, migStrategy: strategy }]));
      const mps = [props.sharing, ...Object.values(nodeConfigs).map((c) => c.sharing)].some((x) => x?.strategy === 'mps');
      const operator = { ...props, nodeSelector: undefined, nodeConfigs, software: GpuNodeSoftware.gpuOperator({ driver, toolkit, featureDiscovery: props.software!.featureDiscovery || mps }) };
      if (mps && strategy !== MigStrategy.NONE) return;
      let setup: GpuNodeSetup | undefined;
      const objects = checker.check((chart) => { setup = new GpuNodeSetup(chart, 'gpus', operator); });
      const policy = objects.find((o) => o.kind === 'ClusterPolicy');
      expect(policy.spec.mig.strategy).toBe(strategy);
      expect(policy.spec.migManager.enabled).toBe(strategy !== MigStrategy.NONE);
      expect(objects.filter((o) => o.kind === 'Namespace').map((n) => [n.metadata.name, n.metadata.labels['pod-security.kubernetes.io/enforce']])).toEqual([[setup!.namespace, 'privileged']]);
      expect(objects.filter((o) => o.kind !== 'Namespace' && o.kind !== 'ClusterPolicy' && o.metadata.namespace !== setup!.namespace)).toEqual([]);
    }), params(40));
  });

  test('a hostile value in a GPU Operator option is refused naming it, or synthesizes valid manifests', () => {
    const checker2 = new ValidChecker();
    const hostile = hostileProps<any>(['driver', 'toolkit', 'featureDiscovery', 'migManager', 'migLayouts', 'migLayouts.*'], a.hostileValue, a.hostileKey);
    fc.assert(fc.property(hostile, (h) => {
      expectRefusedOrValid(checker2, undefined, (chart) => {
        new GpuNodeSetup(chart, 'gpus', { software: GpuNodeSoftware.gpuOperator(h.apply({})), migStrategy: MigStrategy.MIXED, gpuModels: [GpuModel.A100_80GB] });
      }, 'GpuNodeSoftware.gpuOperator', h.prop);
    }), params(150));
  });
});
