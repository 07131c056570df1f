// The node daemons of GpuNodeSetup. They are the one place in the library that needs host access (the kubelet's
// device-plugin socket directory, /sys, the MPS pipes), so they are not built by the restricted PodBuilder: this
// builder keeps everything else of the library's rules (pinned image, requests and limits, read-only root
// filesystem, RuntimeDefault seccomp, capabilities dropped unless privileged, no service-account token unless the
// daemon reads the API) and grants host access per container, explicitly.
import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { deepFreeze } from '../core/frozen';

/** Requests and limits of one daemon container. */
export interface DaemonResources {
  readonly cpu: string;
  readonly memory: string;
  readonly cpuLimit: string;
  readonly memoryLimit: string;
}

/** One container of a node daemon. */
export interface DaemonContainer {
  readonly name: string;
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: k8s.EnvVar[];
  readonly mounts?: k8s.VolumeMount[];
  readonly ports?: k8s.ContainerPort[];
  readonly resources: DaemonResources;
  /** Runs as root (the kubelet's socket directory and the driver's device files belong to root). */
  readonly root?: boolean;
  /** A privileged container (MPS control daemon, GPU Feature Discovery): every device and capability of the node. */
  readonly privileged?: boolean;
  /** Linux capabilities added after dropping all (DCGM's SYS_ADMIN for profiling metrics). */
  readonly addCapabilities?: string[];
  readonly readinessProbe?: k8s.Probe;
  readonly livenessProbe?: k8s.Probe;
}

/** One node daemon (a DaemonSet on every GPU node). */
export interface DaemonProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly containers: DaemonContainer[];
  readonly initContainers?: DaemonContainer[];
  readonly volumes?: k8s.Volume[];
  readonly serviceAccountName: string;
  /** Mount a service-account token: only daemons that read the API (the config manager reads its node's label). */
  readonly automountServiceAccountToken: boolean;
  readonly nodeAffinity?: k8s.NodeAffinity;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations: k8s.Toleration[];
  readonly priorityClassName?: string;
  readonly annotations?: Record<string, string>;
  readonly hostPid?: boolean;
  readonly shareProcessNamespace?: boolean;
}

const TMP_VOLUME: k8s.Volume = deepFreeze({ name: 'tmp', emptyDir: {} });
const TMP_MOUNT: k8s.VolumeMount = deepFreeze({ name: 'tmp', mountPath: '/tmp' });

/** The DaemonSet of one node daemon. */
export function addDaemonSet(scope: Construct, id: string, props: DaemonProps): k8s.KubeDaemonSet {
  const metadata: ApiObjectMetadata = { name: props.name, namespace: props.namespace, labels: props.labels };
  return new k8s.KubeDaemonSet(scope, id, {
    metadata,
    spec: {
      selector: { matchLabels: props.selector },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
      template: {
        metadata: { labels: props.labels, annotations: props.annotations },
        spec: {
          serviceAccountName: props.serviceAccountName,
          automountServiceAccountToken: props.automountServiceAccountToken,
          priorityClassName: props.priorityClassName,
          hostPid: props.hostPid,
          shareProcessNamespace: props.shareProcessNamespace,
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          nodeSelector: props.nodeSelector,
          affinity: props.nodeAffinity ? { nodeAffinity: props.nodeAffinity } : undefined,
          tolerations: props.tolerations,
          initContainers: props.initContainers?.map(container),
          containers: props.containers.map(container),
          volumes: [...(props.volumes ?? []), TMP_VOLUME],
        },
      },
    },
  });
}

function container(c: DaemonContainer): k8s.Container {
  return {
    name: c.name,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    command: c.command,
    args: c.args,
    env: c.env,
    ports: c.ports,
    securityContext: securityContext(c),
    resources: {
      requests: { cpu: k8s.Quantity.fromString(c.resources.cpu), memory: k8s.Quantity.fromString(c.resources.memory) },
      limits: { cpu: k8s.Quantity.fromString(c.resources.cpuLimit), memory: k8s.Quantity.fromString(c.resources.memoryLimit) },
    },
    volumeMounts: [...(c.mounts ?? []), TMP_MOUNT],
    readinessProbe: c.readinessProbe,
    livenessProbe: c.livenessProbe,
  };
}

function securityContext(c: DaemonContainer): k8s.SecurityContext {
  if (c.privileged) {
    // Seccomp does not apply to privileged containers (they run unconfined), so none is claimed here.
    return { privileged: true, readOnlyRootFilesystem: true, runAsUser: 0 };
  }
  return {
    // The API server refuses allowPrivilegeEscalation: false next to an added CAP_SYS_ADMIN (DCGM's profiling).
    allowPrivilegeEscalation: c.addCapabilities?.includes('SYS_ADMIN') ?? false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'], add: c.addCapabilities },
    ...(c.root ? { runAsUser: 0 } : { runAsNonRoot: true }),
  };
}
