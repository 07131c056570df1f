// GPU Operator mode of GpuNodeSetup: the NVIDIA GPU Operator's `ClusterPolicy` (nvidia.com/v1, CRD of v26.7.0) with
// the same device plugin configuration (the ConfigMap the policy references), MIG strategy, MIG manager layouts and
// DCGM exporter settings as the device-plugin mode; the operator renders and runs the daemons. The policy is a plain
// ApiObject built from the typed interface below (see schemas/SOURCES.md for why no generated class).
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { GpuModel } from '../core/accelerator';
import { IValidator } from '../core/errors';
import { lazyModule } from '../core/lazy';
import { PodNetworkPolicy } from '../core/network';
import { DaemonPlacement } from './device-plugin';
import { DCGM_EXPORTER, renderScrapingAndAlerts, ResolvedMetrics } from './metrics';
import { DEFAULT_NODE_CONFIG, MigStrategy, NamedGpuNodeConfig, renderNodeConfig } from './sharing';
import { ResolvedOperatorOptions } from './software';

const yamlModule = lazyModule(() => require('yaml') as typeof import('yaml'));

/** The API version of the ClusterPolicy. */
export const GPU_OPERATOR_API_VERSION = 'nvidia.com/v1';
/** The name of the ClusterPolicy (the operator reconciles one; its Helm chart names it the same). */
export const CLUSTER_POLICY_NAME = 'cluster-policy';
const DEVICE_PLUGIN_CONFIG = 'nvidia-device-plugin-config';
const MIG_LAYOUTS_CONFIG = 'nvidia-mig-layouts';
/** The MIG manager layout that turns MIG off, always present and the default of unlabelled nodes. */
const MIG_DISABLED = 'all-disabled';
const METRICS_PORT = 9400;

/** The part of the ClusterPolicy spec the library sets (a subset of the CRD's `spec`). */
interface ClusterPolicySpec {
  readonly operator: Record<string, never>;
  readonly daemonsets: { tolerations: k8s.Toleration[]; priorityClassName?: string; updateStrategy: 'RollingUpdate'; rollingUpdate: { maxUnavailable: string } };
  readonly psa: { enabled: boolean };
  readonly driver: { enabled: boolean };
  readonly toolkit: { enabled: boolean };
  readonly devicePlugin: { enabled: boolean; config: { name: string; default: string } };
  readonly gfd: { enabled: boolean };
  readonly mig: { strategy: MigStrategy };
  readonly migManager: { enabled: boolean; config?: { name: string; default: string } };
  readonly dcgm: { enabled: boolean };
  readonly dcgmExporter: { enabled: boolean; serviceMonitor?: { enabled: boolean; interval: string; honorLabels: boolean } };
  readonly nodeStatusExporter: { enabled: boolean };
}

/** What the operator mode renders from. */
export interface OperatorRenderProps {
  readonly namespace: string;
  readonly labels: (component: string) => Record<string, string>;
  readonly configs: NamedGpuNodeConfig[];
  readonly gpuModels: readonly GpuModel[];
  readonly featureDiscovery: boolean;
  readonly operator: ResolvedOperatorOptions;
  readonly placement: DaemonPlacement;
  readonly metrics: ResolvedMetrics;
}

/** The objects of the operator mode. */
export interface OperatorObjects {
  readonly clusterPolicy: ApiObject;
  readonly configMap: k8s.KubeConfigMap;
}

/**
 * The MIG strategy of the cluster: the ClusterPolicy has one (`mig.strategy`), which the operator passes to the
 * device plugin and GFD as `MIG_STRATEGY`, overriding the `migStrategy` of every config file. So every
 * configuration must use the default configuration's.
 */
export function operatorMigStrategy(v: IValidator, configs: readonly NamedGpuNodeConfig[]): MigStrategy {
  const strategy = configs[0].migStrategy;
  for (const c of configs.slice(1)) {
    if (c.migStrategy !== strategy) {
      v.fail(`nodeConfigs.${c.name}.migStrategy`, `must be the default configuration's (${strategy}) with the GPU Operator: its ClusterPolicy has one mig.strategy for the whole cluster, which overrides each node configuration's`, c.migStrategy);
    }
  }
  return strategy;
}

/** Renders the device plugin config ConfigMap, the MIG layouts, the ClusterPolicy and the exporter's policy and alerts. */
export function renderOperatorMode(scope: Construct, v: IValidator, props: OperatorRenderProps): OperatorObjects {
  const strategy = operatorMigStrategy(v, props.configs);
  const op = props.operator;
  const migManager = op.migManager ?? strategy !== MigStrategy.NONE;
  const layouts = checkLayouts(v, op.migLayouts, strategy, migManager, props.gpuModels);
  const configMap = new k8s.KubeConfigMap(scope, 'Config', {
    metadata: { name: DEVICE_PLUGIN_CONFIG, namespace: props.namespace, labels: props.labels('device-plugin') },
    data: Object.fromEntries(props.configs.map((c) => [c.name, renderNodeConfig(c)])),
  });
  if (layouts !== undefined) {
    new k8s.KubeConfigMap(scope, 'MigLayouts', {
      metadata: { name: MIG_LAYOUTS_CONFIG, namespace: props.namespace, labels: props.labels('mig-manager') },
      data: { 'config.yaml': renderLayouts(layouts) },
    });
  }
  const metrics = props.metrics;
  const spec: ClusterPolicySpec = {
    operator: {},
    daemonsets: {
      tolerations: props.placement.tolerations,
      priorityClassName: props.placement.priorityClassName,
      updateStrategy: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '1' },
    },
    // The setup labels the namespace Pod Security `privileged` itself (and only that namespace).
    psa: { enabled: false },
    driver: { enabled: op.driver },
    toolkit: { enabled: op.toolkit },
    devicePlugin: { enabled: true, config: { name: DEVICE_PLUGIN_CONFIG, default: DEFAULT_NODE_CONFIG } },
    gfd: { enabled: props.featureDiscovery },
    mig: { strategy },
    migManager: { enabled: migManager, config: layouts === undefined ? undefined : { name: MIG_LAYOUTS_CONFIG, default: MIG_DISABLED } },
    // The exporter's embedded host engine: no standalone DCGM pod, no port 5555 between pods.
    dcgm: { enabled: false },
    dcgmExporter: {
      enabled: metrics.enabled,
      // The operator's ServiceMonitor, with the workloads' pod labels kept (honorLabels), as in device-plugin mode.
      serviceMonitor: metrics.enabled ? { enabled: metrics.serviceMonitor, interval: `${metrics.intervalSeconds}s`, honorLabels: true } : undefined,
    },
    nodeStatusExporter: { enabled: false },
  };
  const clusterPolicy = new ApiObject(scope, 'ClusterPolicy', {
    apiVersion: GPU_OPERATOR_API_VERSION,
    kind: 'ClusterPolicy',
    metadata: { name: CLUSTER_POLICY_NAME, labels: props.labels('gpu-operator') },
    spec,
  });
  if (metrics.enabled) renderOperatorMetrics(scope, props);
  return { clusterPolicy, configMap };
}

/**
 * The operator's DCGM exporter pods (`app: nvidia-dcgm-exporter`, the label of its DaemonSet): only the scraper's
 * namespace reaches their metrics port, and they reach nothing but DNS (the embedded host engine needs no network,
 * and the operator mounts them no token). The alerts are the device-plugin mode's; the operator's Service is named
 * `nvidia-dcgm-exporter` like the library's, so the series carry the same `job`.
 */
function renderOperatorMetrics(scope: Construct, props: OperatorRenderProps): void {
  const labels = props.labels('dcgm-exporter');
  const policy = new PodNetworkPolicy(scope, 'DcgmExporterNetworkPolicy', { name: DCGM_EXPORTER, namespace: props.namespace, podSelector: { app: DCGM_EXPORTER }, labels });
  policy.allowFromNamespace(props.metrics.scraperNamespace, [{ port: METRICS_PORT }]);
  renderScrapingAndAlerts(scope, props.namespace, labels, { app: DCGM_EXPORTER }, { ...props.metrics, serviceMonitor: false });
}

/**
 * The layouts against the MIG settings and the declared GPU models: MIG must be on, each layout's profiles offered
 * by one declared model, and one profile per layout with the single strategy.
 */
function checkLayouts(v: IValidator, layouts: Record<string, Record<string, number>> | undefined, strategy: MigStrategy, migManager: boolean,
  models: readonly GpuModel[]): Record<string, Record<string, number>> | undefined {
  if (layouts === undefined) return undefined;
  const prop = 'software.migLayouts';
  if (strategy === MigStrategy.NONE) v.fail(prop, 'need MigStrategy.SINGLE or MIXED (migStrategy): with NONE the device plugin exposes no MIG device', Object.keys(layouts));
  if (!migManager) v.fail(prop, 'need the MIG manager (migManager: true), which applies them', Object.keys(layouts));
  if (models.length === 0) v.fail('gpuModels', 'must list the cluster\'s GPU models with migLayouts, to check their profiles', models);
  for (const [name, layout] of Object.entries(layouts)) {
    const profiles = Object.keys(layout);
    if (strategy === MigStrategy.SINGLE && profiles.length > 1) {
      v.fail(`${prop}.${name}`, 'must use one MIG profile with MigStrategy.SINGLE (every MIG device of a node is advertised as nvidia.com/gpu)', profiles);
    }
    if (!models.some((m) => profiles.every((p) => m.migProfiles.includes(p)))) {
      v.fail(`${prop}.${name}`, `must use MIG profiles that one declared GPU model offers (${models.map((m) => `${m.name}: ${m.migProfiles.join(', ') || 'no MIG'}`).join('; ')})`, profiles);
    }
  }
  return layouts;
}

/** The MIG manager's mig-parted config file (`version: v1`): `all-disabled`, then each layout on every GPU. */
function renderLayouts(layouts: Record<string, Record<string, number>>): string {
  const migConfigs: Record<string, unknown> = { [MIG_DISABLED]: [{ 'devices': 'all', 'mig-enabled': false }] };
  for (const [name, layout] of Object.entries(layouts)) migConfigs[name] = [{ 'devices': 'all', 'mig-enabled': true, 'mig-devices': layout }];
  return yamlModule().stringify({ 'version': 'v1', 'mig-configs': migConfigs });
}
