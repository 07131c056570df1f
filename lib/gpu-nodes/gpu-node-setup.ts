import { ApiObject, App } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { GpuModel } from '../core/accelerator';
import { Validator } from '../core/errors';
import { componentLabels, selectorLabels } from '../core/labels';
import { PodNetworkPolicy } from '../core/network';
import { rejectUnknownProps } from '../core/props';
import { validateDnsLabel, validateDnsSubdomain, validateLabels } from '../core/validation';
import { checkWorkloads } from './checks';
import { DaemonPlacement, renderDevicePlugin } from './device-plugin';
import { GPU_NODE_SETUP_PROPS, GpuNodeSetupProps } from './gpu-node-setup-props';
import { renderDcgmExporter, renderScrapingAndAlerts, ResolvedMetrics, resolveMetrics } from './metrics';
import { renderOperatorMode } from './operator';
import { DEFAULT_NODE_CONFIG, GpuSharing, MigStrategy, resolveNodeConfig, NamedGpuNodeConfig } from './sharing';
import { GpuNodeSoftware, GpuNodeSoftwareKind } from './software';

/** The Pod Security level of the setup's namespace: the node software needs host access. */
const PRIVILEGED_LABELS: Readonly<Record<string, string>> = Object.freeze({
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/audit': 'privileged',
  'pod-security.kubernetes.io/warn': 'privileged',
});

/** The `app.kubernetes.io/component` of the setup's Namespace, which the test support recognises. */
export const GPU_NODE_SETUP_COMPONENT = 'gpu-node-setup';

/**
 * The default node selection: nodes that Node Feature Discovery found an NVIDIA PCI device on, Tegra nodes, or
 * nodes labelled `nvidia.com/gpu.present=true` by hand (the device plugin chart's affinity).
 */
const GPU_NODES: k8s.NodeAffinity = {
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: [
      { matchExpressions: [{ key: 'feature.node.kubernetes.io/pci-10de.present', operator: 'In', values: ['true'] }] },
      { matchExpressions: [{ key: 'feature.node.kubernetes.io/cpu-model.vendor_id', operator: 'In', values: ['NVIDIA'] }] },
      { matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }] },
    ],
  },
};

/** The taint GPU node pools carry (GKE, AKS and most installers): the daemons must run there. */
const GPU_TAINT: k8s.Toleration = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };

/**
 * The GPU software of the nodes: the NVIDIA device plugin (with GPU Feature Discovery and, for MPS, the MPS control
 * daemon) and its configuration: GPU sharing by time-slicing or MPS, the MIG strategy, and per-node configurations
 * chosen by the `nvidia.com/device-plugin.config` node label.
 *
 * The daemons need host access (the kubelet's device-plugin directory, `/sys`, the MPS pipes), so they run in a
 * namespace of their own labelled Pod Security `privileged`, which the setup creates; nothing else may run in it.
 * Everything else of the library's rules holds: pinned images, requests and limits, read-only root filesystems, no
 * service-account token unless a daemon reads the API, and a NetworkPolicy for every daemon.
 *
 * @example
 * new GpuNodeSetup(chart, 'gpus', {
 *   sharing: GpuSharing.timeSlicing({ replicas: 4 }),
 *   nodeConfigs: { 'mig-mixed': { migStrategy: MigStrategy.MIXED } },
 *   gpuModels: [GpuModel.A100_80GB],
 * });
 */
export class GpuNodeSetup extends Construct {
  /** The namespace of the node software. */
  public readonly namespace: string;
  /** The software that runs on the nodes. */
  public readonly software: GpuNodeSoftware;
  /** The device plugin configurations, the default one first. */
  public readonly configs: readonly NamedGpuNodeConfig[];
  /** The declared GPU models (empty when not declared). */
  public readonly gpuModels: readonly GpuModel[];
  /** The device plugin DaemonSet; undefined with the GPU Operator, which runs its own. */
  public readonly daemonSet?: k8s.KubeDaemonSet;
  /** The GPU Operator's ClusterPolicy; undefined in device-plugin mode. */
  public readonly clusterPolicy?: ApiObject;
  /** The device plugin's configuration ConfigMap (one key per configuration), in both modes. */
  public readonly configMap: k8s.KubeConfigMap;

  public constructor(scope: Construct, id: string, props: GpuNodeSetupProps = {}) {
    super(scope, id);
    const v = Validator.forConstruct('GpuNodeSetup', id);
    rejectUnknownProps(v, props, GPU_NODE_SETUP_PROPS);
    refuseSecondSetup(v, this);
    const software = props.software ?? GpuNodeSoftware.devicePlugin();
    if (!(software instanceof GpuNodeSoftware)) v.fail('software', 'must be made with GpuNodeSoftware.devicePlugin() or GpuNodeSoftware.gpuOperator()', software);
    this.software = software;
    const operatorMode = software.kind === GpuNodeSoftwareKind.GPU_OPERATOR;
    this.namespace = validateDnsLabel(v, 'namespace', props.namespace ?? (operatorMode ? 'gpu-operator' : 'nvidia-gpu'));
    this.configs = resolveConfigs(v, props);
    this.gpuModels = resolveModels(v, props.gpuModels, this.configs);
    if (!software.featureDiscovery && this.configs.some((c) => c.sharing.strategy === 'mps')) {
      v.fail('software', 'must run GPU Feature Discovery with GpuSharing.mps(): the MPS control daemon runs on the nodes it labels nvidia.com/mps.capable', 'featureDiscovery: false');
    }

    const labels = (component: string) => componentLabels({ name: `nvidia-${component}`, instance: this.namespace, component, partOf: GPU_NODE_SETUP_COMPONENT });
    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: { name: this.namespace, labels: { ...labels(GPU_NODE_SETUP_COMPONENT), ...PRIVILEGED_LABELS } },
    });
    if (operatorMode && props.nodeSelector !== undefined) {
      v.fail('nodeSelector', 'cannot be used with the GPU Operator: it runs its daemons on the nodes Node Feature Discovery found NVIDIA GPUs on (label a node nvidia.com/gpu.deploy.operands=false to leave it out)', props.nodeSelector);
    }
    const placement = resolvePlacement(v, props);
    const metrics = resolveMetrics(v, props.metrics);
    if (operatorMode) {
      if (props.metrics?.image !== undefined) v.fail('metrics.image', 'cannot be set with the GPU Operator: the release of its Helm chart pins the exporter image', props.metrics.image);
      const objects = renderOperatorMode(this, v, {
        namespace: this.namespace, labels, configs: [...this.configs], gpuModels: this.gpuModels, featureDiscovery: software.featureDiscovery,
        operator: software._operator!, placement, metrics,
      });
      this.clusterPolicy = objects.clusterPolicy;
      this.configMap = objects.configMap;
    } else {
      const objects = this.renderDevicePluginMode(labels, placement, metrics);
      this.daemonSet = objects.daemonSet;
      this.configMap = objects.configMap;
    }
    // At synth, when every workload of the app is known: their GPU requests against what the nodes advertise.
    this.node.addValidation({ validate: () => checkWorkloads({ subject: v.subject, namespace: this.namespace, configs: this.configs, gpuModels: this.gpuModels, construct: this }, App.of(this)) });
  }

  /** Device-plugin mode: the namespace's default deny, the plugin's daemons and the DCGM exporter with its alerts. */
  private renderDevicePluginMode(labels: (component: string) => Record<string, string>, placement: DaemonPlacement, metrics: ResolvedMetrics) {
    // Every pod of the namespace is denied everything but DNS unless its own policy opens a path.
    new PodNetworkPolicy(this, 'DefaultDeny', { name: 'default-deny', namespace: this.namespace, podSelector: {}, labels: labels(GPU_NODE_SETUP_COMPONENT) });
    const selector = (component: string) => selectorLabels({ instance: this.namespace, component });
    const objects = renderDevicePlugin(this, {
      namespace: this.namespace,
      labels,
      selector,
      configs: [...this.configs],
      image: this.software.image!,
      featureDiscovery: this.software.featureDiscovery,
      placement,
    });
    if (metrics.enabled) {
      const exporter = { namespace: this.namespace, labels: labels('dcgm-exporter'), selector: selector('dcgm-exporter'), placement, metrics };
      renderDcgmExporter(this, exporter);
      renderScrapingAndAlerts(this, this.namespace, exporter.labels, exporter.selector, metrics);
    }
    return objects;
  }

  /** The resource names the setup advertises on some node (`nvidia.com/gpu`, `nvidia.com/gpu.shared`, MIG profiles). */
  public get advertisedResources(): string[] {
    const names = new Set<string>();
    for (const config of this.configs) {
      names.add(config.sharing.resourceName);
      // Nodes of a MIG configuration still have whole GPUs where MIG is disabled.
      if (config.migStrategy !== MigStrategy.NONE) names.add('nvidia.com/gpu');
    }
    return [...names];
  }
}

/** One GpuNodeSetup per app: two device plugins would fight over the same nodes. */
function refuseSecondSetup(v: Validator, self: GpuNodeSetup): void {
  const others = App.of(self).node.findAll().filter((c) => c instanceof GpuNodeSetup && c !== self);
  if (others.length > 0) v.fail('(construct)', 'must be the only GpuNodeSetup of the app: the nodes run one device plugin', others[0].node.path);
}

function resolveConfigs(v: Validator, props: GpuNodeSetupProps): NamedGpuNodeConfig[] {
  const configs = [resolveNodeConfig(v, '', DEFAULT_NODE_CONFIG, { sharing: props.sharing ?? GpuSharing.none(), migStrategy: props.migStrategy })];
  const named = props.nodeConfigs ?? {};
  if (named === null || typeof named !== 'object' || Array.isArray(named)) v.fail('nodeConfigs', 'must map configuration names to GpuNodeConfig objects', named);
  for (const [name, config] of Object.entries(named)) {
    const prop = `nodeConfigs.${name}`;
    if (name === DEFAULT_NODE_CONFIG) v.fail(prop, `must not be named '${DEFAULT_NODE_CONFIG}': that is the configuration of the setup's own 'sharing' and 'migStrategy'`, name);
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name)) v.fail(prop, 'must be a label value (the node label nvidia.com/device-plugin.config names it): at most 63 letters, digits, -, _ and .', name);
    configs.push(resolveNodeConfig(v, `${prop}.`, name, config));
  }
  return configs;
}

function resolveModels(v: Validator, models: GpuModel[] | undefined, configs: readonly NamedGpuNodeConfig[]): GpuModel[] {
  if (models !== undefined && (!Array.isArray(models) || models.some((m) => !(m instanceof GpuModel)))) {
    v.fail('gpuModels', 'must be a list of GpuModel (GpuModel.A100_80GB, GpuModel.H100_80GB, GpuModel.withoutMig(\'L4\')...)', models);
  }
  const mixed = configs.find((c) => c.migStrategy === MigStrategy.MIXED);
  if (mixed && (models === undefined || models.length === 0)) {
    v.fail('gpuModels', `must list the cluster's GPU models with MigStrategy.MIXED (configuration '${mixed.name}'), to check the MIG profiles workloads request`, models);
  }
  return [...(models ?? [])];
}

function resolvePlacement(v: Validator, props: GpuNodeSetupProps): DaemonPlacement {
  const nodeSelector = validateLabels(v, 'nodeSelector', props.nodeSelector);
  const priorityClassName = props.priorityClassName ?? 'system-node-critical';
  validateDnsSubdomain(v, 'priorityClassName', priorityClassName);
  return {
    nodeSelector,
    nodeAffinity: nodeSelector === undefined ? GPU_NODES : undefined,
    tolerations: [GPU_TAINT],
    priorityClassName,
  };
}
