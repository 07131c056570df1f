// Device-plugin mode of GpuNodeSetup: the NVIDIA device plugin DaemonSet with its config ConfigMap, GPU Feature
// Discovery (the node labels `nvidia.com/gpu.product`, `nvidia.com/gpu.memory`, `nvidia.com/mps.capable`), and the
// MPS control daemon when a configuration shares GPUs with MPS. The settings follow the plugin's own Helm chart
// (NVIDIA/k8s-device-plugin v0.20.0, deployments/helm/nvidia-device-plugin), with less host access: no CDI or
// driver-root mounts (the default `envvar` device list strategy needs none) and the MPS mounts only with MPS.
import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PodNetworkPolicy } from '../core/network';
import { addDaemonSet, DaemonContainer, DaemonResources } from './daemon';
import { GpuSharingStrategy, NODE_CONFIG_LABEL, renderNodeConfig, NamedGpuNodeConfig } from './sharing';

/** The device plugin release the library pins (its image also holds GFD, the config manager and the MPS daemon). */
export const DEVICE_PLUGIN_IMAGE = 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0';
/** Where the MPS control daemon keeps its pipes, logs and `/dev/shm` on the host (the chart's default). */
const MPS_ROOT = '/run/nvidia/mps';

const SMALL: DaemonResources = { cpu: '10m', memory: '32Mi', cpuLimit: '100m', memoryLimit: '64Mi' };
const DAEMON: DaemonResources = { cpu: '50m', memory: '64Mi', cpuLimit: '500m', memoryLimit: '256Mi' };

/** What the device-plugin mode renders from. */
export interface DevicePluginRenderProps {
  readonly namespace: string;
  /** Labels of every object, by component name. */
  readonly labels: (component: string) => Record<string, string>;
  readonly selector: (component: string) => Record<string, string>;
  /** The configurations, the default one first. */
  readonly configs: NamedGpuNodeConfig[];
  readonly image: string;
  readonly featureDiscovery: boolean;
  readonly placement: DaemonPlacement;
}

/** Where the node daemons run. */
export interface DaemonPlacement {
  readonly nodeAffinity?: k8s.NodeAffinity;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations: k8s.Toleration[];
  readonly priorityClassName?: string;
}

/** The objects of the device-plugin mode. */
export interface DevicePluginObjects {
  readonly configMap: k8s.KubeConfigMap;
  readonly daemonSet: k8s.KubeDaemonSet;
  readonly featureDiscovery?: k8s.KubeDaemonSet;
  readonly mpsControlDaemon?: k8s.KubeDaemonSet;
}

const CONFIG_MAP = 'nvidia-device-plugin-config';
const SERVICE_ACCOUNT = 'nvidia-device-plugin';

/** Renders the device plugin, GFD and (with MPS) the MPS control daemon. */
export function renderDevicePlugin(scope: Construct, props: DevicePluginRenderProps): DevicePluginObjects {
  const perNode = props.configs.length > 1;
  const data = Object.fromEntries(props.configs.map((c) => [c.name, renderNodeConfig(c)]));
  const configMap = new k8s.KubeConfigMap(scope, 'Config', {
    metadata: { name: CONFIG_MAP, namespace: props.namespace, labels: props.labels('device-plugin') },
    data,
  });
  // A config change rolls the daemons (the config manager follows the node label, not the ConfigMap's content).
  const annotations = { 'nvidia.com/device-plugin.config-hash': createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16) };
  renderIdentity(scope, props, perNode);
  const mps = props.configs.some((c) => c.sharing.strategy === GpuSharingStrategy.MPS);

  const daemonSet = renderPlugin(scope, props, perNode, mps, annotations);
  const featureDiscovery = props.featureDiscovery ? renderFeatureDiscovery(scope, props, perNode, annotations) : undefined;
  const mpsControlDaemon = mps ? renderMpsControlDaemon(scope, props, perNode, annotations) : undefined;
  return { configMap, daemonSet, featureDiscovery, mpsControlDaemon };
}

/** The service account; with per-node configs, the ClusterRole that lets the config manager read node labels. */
function renderIdentity(scope: Construct, props: DevicePluginRenderProps, perNode: boolean): void {
  const labels = props.labels('device-plugin');
  new k8s.KubeServiceAccount(scope, 'ServiceAccount', {
    metadata: { name: SERVICE_ACCOUNT, namespace: props.namespace, labels },
    automountServiceAccountToken: false,
  });
  if (!perNode) return;
  const roleName = `${props.namespace}-nvidia-device-plugin`;
  new k8s.KubeClusterRole(scope, 'NodeReader', {
    metadata: { name: roleName, labels },
    rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }],
  });
  new k8s.KubeClusterRoleBinding(scope, 'NodeReaderBinding', {
    metadata: { name: roleName, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: props.namespace }],
  });
}

/**
 * The config manager (as init container and sidecar) copies the configuration named by the node's
 * `nvidia.com/device-plugin.config` label to `/config/config.yaml` and signals the daemon when the label changes.
 */
function configManager(image: string, name: string, oneshot: boolean, processToSignal: string): DaemonContainer {
  return {
    name,
    image,
    command: ['config-manager'],
    root: true,
    env: [
      { name: 'ONESHOT', value: String(oneshot) },
      { name: 'KUBECONFIG', value: '' },
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'NODE_LABEL', value: NODE_CONFIG_LABEL },
      { name: 'CONFIG_FILE_SRCDIR', value: '/available-configs' },
      { name: 'CONFIG_FILE_DST', value: '/config/config.yaml' },
      { name: 'DEFAULT_CONFIG', value: 'default' },
      { name: 'FALLBACK_STRATEGIES', value: 'named' },
      { name: 'SEND_SIGNAL', value: String(!oneshot) },
      { name: 'SIGNAL', value: oneshot ? '' : '1' },
      { name: 'PROCESS_TO_SIGNAL', value: oneshot ? '' : processToSignal },
    ],
    mounts: CONFIG_MOUNTS,
    resources: SMALL,
  };
}

const CONFIG_MOUNTS: k8s.VolumeMount[] = [{ name: 'available-configs', mountPath: '/available-configs' }, { name: 'config', mountPath: '/config' }];

/** The volumes and env of the configuration: the ConfigMap itself, or the config manager's copy of one of its keys. */
function configWiring(perNode: boolean): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[]; env: k8s.EnvVar[] } {
  const available: k8s.Volume = { name: 'available-configs', configMap: { name: CONFIG_MAP } };
  if (!perNode) {
    return { volumes: [available], mounts: [{ name: 'available-configs', mountPath: '/available-configs', readOnly: true }], env: [{ name: 'CONFIG_FILE', value: '/available-configs/default' }] };
  }
  return { volumes: [available, { name: 'config', emptyDir: {} }], mounts: CONFIG_MOUNTS, env: [{ name: 'CONFIG_FILE', value: '/config/config.yaml' }] };
}

/** The daemons' NetworkPolicy: nothing in, DNS out, and the API server for the config manager. */
function daemonPolicy(scope: Construct, id: string, name: string, props: DevicePluginRenderProps, component: string, readsApi: boolean): void {
  const policy = new PodNetworkPolicy(scope, id, { name, namespace: props.namespace, podSelector: props.selector(component), labels: props.labels(component) });
  // The API server's address is not known at synth: its ports (443 behind the `kubernetes` Service, 6443 on
  // kubeadm control planes) are opened to the pods that read their node's label.
  if (readsApi) policy.allowToCidr('0.0.0.0/0', [{ port: 443 }, { port: 6443 }]);
}

function renderPlugin(scope: Construct, props: DevicePluginRenderProps, perNode: boolean, mps: boolean, annotations: Record<string, string>): k8s.KubeDaemonSet {
  const config = configWiring(perNode);
  const mpsMounts: k8s.VolumeMount[] = mps ? [{ name: 'mps-root', mountPath: '/mps' }, { name: 'mps-shm', mountPath: '/dev/shm' }] : [];
  const plugin: DaemonContainer = {
    name: 'nvidia-device-plugin',
    image: props.image,
    command: ['nvidia-device-plugin'],
    // The plugin registers its socket in the kubelet's root-owned directory. The image itself sets
    // NVIDIA_VISIBLE_DEVICES=all for the plugin (it must see every GPU to advertise them); no workload gets it.
    root: true,
    env: [...(mps ? [{ name: 'MPS_ROOT', value: MPS_ROOT }] : []), ...config.env],
    mounts: [{ name: 'device-plugins', mountPath: '/var/lib/kubelet/device-plugins' }, ...mpsMounts, ...config.mounts],
    resources: DAEMON,
  };
  const volumes: k8s.Volume[] = [
    { name: 'device-plugins', hostPath: { path: '/var/lib/kubelet/device-plugins', type: 'Directory' } },
    ...(mps ? mpsVolumes() : []),
    ...config.volumes,
  ];
  return addConfiguredDaemon(scope, { resource: 'Resource', policy: 'NetworkPolicy' }, 'device-plugin', props, perNode, annotations, plugin, volumes);
}

function renderFeatureDiscovery(scope: Construct, props: DevicePluginRenderProps, perNode: boolean, annotations: Record<string, string>): k8s.KubeDaemonSet {
  const config = configWiring(perNode);
  const gfd: DaemonContainer = {
    name: 'gpu-feature-discovery',
    image: props.image,
    command: ['gpu-feature-discovery'],
    // Privileged, as in the plugin's chart: GFD reads vGPU and MIG details of the host's devices.
    privileged: true,
    env: [
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ...config.env,
    ],
    mounts: [
      { name: 'output-dir', mountPath: '/etc/kubernetes/node-feature-discovery/features.d' },
      { name: 'host-sys', mountPath: '/sys' },
      ...config.mounts,
    ],
    resources: DAEMON,
  };
  return addConfiguredDaemon(scope, { resource: 'FeatureDiscovery', policy: 'FeatureDiscoveryNetworkPolicy' }, 'gpu-feature-discovery', props, perNode, annotations, gfd, [
    // NFD's worker turns the files written here into node labels.
    { name: 'output-dir', hostPath: { path: '/etc/kubernetes/node-feature-discovery/features.d', type: 'DirectoryOrCreate' } },
    { name: 'host-sys', hostPath: { path: '/sys', type: 'Directory' } },
    ...config.volumes,
  ]);
}

/**
 * A daemon that reads the plugin's configuration (the plugin, GFD) with its NetworkPolicy, both `nvidia-<component>`;
 * with per-node configurations, the config manager's init and sidecar containers join it
 * (they share its process namespace to signal its main container's process) and it gets a token to read its node's label.
 */
function addConfiguredDaemon(scope: Construct, ids: { resource: string; policy: string }, component: string, props: DevicePluginRenderProps,
  perNode: boolean, annotations: Record<string, string>, main: DaemonContainer, volumes: k8s.Volume[]): k8s.KubeDaemonSet {
  const name = `nvidia-${component}`;
  daemonPolicy(scope, ids.policy, name, props, component, perNode);
  return addDaemonSet(scope, ids.resource, {
    ...placement(props.placement),
    name,
    namespace: props.namespace,
    labels: props.labels(component),
    selector: props.selector(component),
    annotations,
    serviceAccountName: SERVICE_ACCOUNT,
    automountServiceAccountToken: perNode,
    shareProcessNamespace: perNode ? true : undefined,
    initContainers: perNode ? [configManager(props.image, 'config-manager-init', true, '')] : undefined,
    containers: perNode ? [main, configManager(props.image, 'config-manager', false, main.name)] : [main],
    volumes,
  });
}

/**
 * The MPS control daemon puts the GPUs of MPS nodes in exclusive-process mode and runs one MPS server per GPU (what
 * the seed did by hand with `nvidia-smi -c EXCLUSIVE_PROCESS` and `nvidia-cuda-mps-control -d`). It runs only on
 * nodes GFD labelled `nvidia.com/mps.capable=true`, which are those whose configuration uses MPS.
 */
function renderMpsControlDaemon(scope: Construct, props: DevicePluginRenderProps, perNode: boolean, annotations: Record<string, string>): k8s.KubeDaemonSet {
  const config = configWiring(perNode);
  const daemon: DaemonContainer = {
    name: 'mps-control-daemon',
    image: props.image,
    command: ['mps-control-daemon'],
    privileged: true,
    env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }, ...config.env],
    mounts: [{ name: 'mps-root', mountPath: '/mps' }, { name: 'mps-shm', mountPath: '/dev/shm' }, ...config.mounts],
    resources: { cpu: '50m', memory: '64Mi', cpuLimit: '500m', memoryLimit: '512Mi' },
  };
  const mountShm: DaemonContainer = {
    name: 'mount-shm',
    image: props.image,
    command: ['mps-control-daemon', 'mount-shm'],
    privileged: true,
    mounts: [{ name: 'mps-root', mountPath: '/mps', mountPropagation: 'Bidirectional' }],
    resources: SMALL,
  };
  daemonPolicy(scope, 'MpsNetworkPolicy', 'nvidia-mps-control-daemon', props, 'mps-control-daemon', perNode);
  const where = placement(props.placement);
  return addDaemonSet(scope, 'MpsControlDaemon', {
    ...where,
    nodeSelector: { ...where.nodeSelector, 'nvidia.com/mps.capable': 'true' },
    name: 'nvidia-mps-control-daemon',
    namespace: props.namespace,
    labels: props.labels('mps-control-daemon'),
    selector: props.selector('mps-control-daemon'),
    annotations,
    serviceAccountName: SERVICE_ACCOUNT,
    automountServiceAccountToken: perNode,
    // The MPS server finds its own PID through /proc: it needs the host's PID namespace.
    hostPid: true,
    initContainers: [mountShm, ...(perNode ? [configManager(props.image, 'config-manager-init', true, '')] : [])],
    containers: perNode ? [daemon, configManager(props.image, 'config-manager', false, '/usr/bin/mps-control-daemon')] : [daemon],
    volumes: [...mpsVolumes(), ...config.volumes],
  });
}

function mpsVolumes(): k8s.Volume[] {
  return [
    { name: 'mps-root', hostPath: { path: MPS_ROOT, type: 'DirectoryOrCreate' } },
    { name: 'mps-shm', hostPath: { path: `${MPS_ROOT}/shm` } },
  ];
}

function placement(p: DaemonPlacement) {
  return { nodeAffinity: p.nodeAffinity, nodeSelector: p.nodeSelector, tolerations: p.tolerations, priorityClassName: p.priorityClassName };
}
