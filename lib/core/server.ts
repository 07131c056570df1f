import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PodNetworkPolicy } from './network';
import { PodBuilder, PortSpec } from './pod';

/** What every object of one server shares: name, namespace, labels, and the labels that select its pods. */
export interface ServerIdentity {
  /** The name of the Deployment, Service, PodDisruptionBudget, autoscaler and NetworkPolicy. */
  readonly name: string;
  /** Their namespace. */
  readonly namespace?: string;
  /** The labels of every object (the pods carry them too). */
  readonly labels: Record<string, string>;
  /** The labels that select the server's pods (immutable in a Deployment: keep them stable across upgrades). */
  readonly selector: Record<string, string>;
}

/** Options of {@link ServerBlock.addDeployment}. */
export interface ServerDeploymentOptions {
  /** The pod, with its containers. */
  readonly pod: PodBuilder;
  /**
   * The replica count.
   * @default - not set: an autoscaler owns the count (setting it would reset the scale on every apply)
   */
  readonly replicas?: number;
  /**
   * Extra pods a rolling update may start above the desired count.
   * @default 1
   */
  readonly maxSurge?: number;
  /**
   * Stop the old pod before the new one starts (`Recreate`), for a server that must be the only writer of its
   * data (a SQLite file). Otherwise a rolling update that never takes a replica down before its replacement is ready.
   * @default false
   */
  readonly recreate?: boolean;
}

/** Options of {@link ServerBlock.addDisruptionBudget}. */
export interface ServerDisruptionBudgetOptions {
  /**
   * Let node drains evict pods that are not ready (`unhealthyPodEvictionPolicy: AlwaysAllow`), so that a
   * crash-looping pod cannot block a drain.
   * @default true
   */
  readonly evictUnhealthyPods?: boolean;
}

/** A port of the Service: it forwards to the container port of the same name (`port` may differ from its number). */
export interface ServerServicePort extends PortSpec {
  /**
   * The protocol Istio and L7 load balancers speak to it (`http`, `grpc`).
   * @default - not set
   */
  readonly appProtocol?: string;
}

/** Options of {@link ServerBlock.addService}. */
export interface ServerServiceOptions {
  /**
   * The Service's name, when clients must call it by another name than the Deployment's.
   * @default - the block's name
   */
  readonly name?: string;
  /** The ports, each forwarding to the container port of its name. */
  readonly ports: ServerServicePort[];
  /**
   * The Service type. LoadBalancer and NodePort keep the client address (`externalTrafficPolicy: Local`), so that
   * the pods' NetworkPolicy can admit clients by address range.
   * @default - not set (ClusterIP)
   */
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /**
   * The client ranges a LoadBalancer accepts (`loadBalancerSourceRanges`; ignored for other types).
   * @default - any
   */
  readonly sourceRanges?: string[];
  /**
   * Annotations of the Service (a cloud load balancer's settings).
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/** Options of {@link ServerBlock.addAutoscaler}. */
export interface ServerAutoscalerOptions {
  /** The fewest replicas. */
  readonly minReplicas: number;
  /** The most replicas. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilisation in percent of the request (the first metric).
   * @default - no CPU metric
   */
  readonly cpuUtilization?: number;
  /**
   * Further metrics, after the CPU metric.
   * @default - none
   */
  readonly metrics?: k8s.MetricSpecV2[];
  /**
   * Scale-up and scale-down behaviour.
   * @default - Kubernetes' default behaviour
   */
  readonly behavior?: k8s.HorizontalPodAutoscalerBehaviorV2;
}

/** Options of {@link ServerBlock.spread}. */
export interface ServerSpreadOptions {
  /**
   * Require replicas on different nodes (`DoNotSchedule`), else only preferred.
   * @default false
   */
  readonly requireAcrossNodes?: boolean;
  /**
   * Also prefer replicas in different zones.
   * @default true
   */
  readonly acrossZones?: boolean;
  /**
   * Count only the pods of the same revision (`matchLabelKeys: [pod-template-hash]`), so that a rolling update is
   * not skewed by the pods it replaces.
   * @default true
   */
  readonly perRevision?: boolean;
}

/** What a probe checks: an HTTP GET of `path` on the named container port, or a TCP connect without a path. */
export interface ServerProbeCheck {
  /** The name of a container port. */
  readonly port: string;
  /**
   * The HTTP path (a 2xx or 3xx answer is healthy).
   * @default - a TCP connect
   */
  readonly path?: string;
}

/** How often a probe runs and how many failures in a row count. */
export interface ServerProbeTiming {
  /** Seconds between checks. */
  readonly periodSeconds: number;
  /** Failures in a row before the probe fails. */
  readonly failureThreshold: number;
  /**
   * Seconds a check may take.
   * @default - not set (Kubernetes: 1 second)
   */
  readonly timeoutSeconds?: number;
}

/** A container probe: `check` at `timing`. */
export function serverProbe(check: ServerProbeCheck, timing: ServerProbeTiming): k8s.Probe {
  const port = k8s.IntOrString.fromString(check.port);
  return {
    ...(check.path === undefined ? { tcpSocket: { port } } : { httpGet: { path: check.path, port } }),
    periodSeconds: timing.periodSeconds,
    timeoutSeconds: timing.timeoutSeconds,
    failureThreshold: timing.failureThreshold,
  };
}

/**
 * The one way the library builds a long-running server: a Deployment of a pod built with PodBuilder, a Service in
 * front of it, a PodDisruptionBudget, a HorizontalPodAutoscaler and a deny-by-default NetworkPolicy, all named,
 * labelled and selecting alike, with the library's rollout (never below the desired capacity), spread (nodes and
 * zones, per revision) and probe conventions.
 *
 * Each `add*` method creates one object under the scope with its conventional construct id and returns it. The
 * caller adds the objects it needs in the order it wants them: the order is the order of the manifest, and a
 * server of several Deployments (a ModelServer's variants) uses one block per Deployment and one for the Service.
 */
export class ServerBlock {
  /**
   * The metadata of every object of the block (name, namespace, labels), for the server's other objects too (a
   * KEDA ScaledObject, a ServiceMonitor).
   */
  public readonly metadata: ApiObjectMetadata;

  public constructor(private readonly scope: Construct, public readonly identity: ServerIdentity) {
    this.metadata = { name: identity.name, namespace: identity.namespace, labels: identity.labels };
  }

  /** The labels of the pod template: the server's labels and its selector. */
  public podLabels(): Record<string, string> {
    return { ...this.identity.labels, ...this.identity.selector };
  }

  /** Topology spread constraints of the pods over nodes (and zones). */
  public spread(options: ServerSpreadOptions = {}): k8s.TopologySpreadConstraint[] {
    const constraint = (topologyKey: string, required: boolean): k8s.TopologySpreadConstraint => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: required ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: this.identity.selector },
      matchLabelKeys: (options.perRevision ?? true) ? ['pod-template-hash'] : undefined,
    });
    const nodes = constraint('kubernetes.io/hostname', options.requireAcrossNodes ?? false);
    return (options.acrossZones ?? true) ? [nodes, constraint('topology.kubernetes.io/zone', false)] : [nodes];
  }

  /** The NetworkPolicy of the pods (id `NetworkPolicy`): DNS only until the owner opens paths. */
  public addNetworkPolicy(): PodNetworkPolicy {
    const { name, namespace, selector, labels } = this.identity;
    return new PodNetworkPolicy(this.scope, 'NetworkPolicy', { name, namespace, podSelector: selector, labels });
  }

  /** The Deployment (id `Resource`). Add it once the pod has its containers. */
  public addDeployment(options: ServerDeploymentOptions): k8s.KubeDeployment {
    const strategy: k8s.DeploymentStrategy = options.recreate
      ? { type: 'Recreate' }
      // Never take a serving replica down before its replacement is ready.
      : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(options.maxSurge ?? 1) } };
    return new k8s.KubeDeployment(this.scope, 'Resource', {
      metadata: this.metadata,
      spec: {
        replicas: options.replicas,
        selector: { matchLabels: this.identity.selector },
        strategy,
        template: options.pod.template(),
      },
    });
  }

  /** A PodDisruptionBudget that lets drains take down one pod at a time (id `DisruptionBudget`). */
  public addDisruptionBudget(options: ServerDisruptionBudgetOptions = {}): k8s.KubePodDisruptionBudget {
    return new k8s.KubePodDisruptionBudget(this.scope, 'DisruptionBudget', {
      metadata: this.metadata,
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: this.identity.selector },
        unhealthyPodEvictionPolicy: (options.evictUnhealthyPods ?? true) ? 'AlwaysAllow' : undefined,
      },
    });
  }

  /** The Service in front of the pods (id `Service`). */
  public addService(options: ServerServiceOptions): k8s.KubeService {
    const type = options.type;
    const external = type === 'LoadBalancer' || type === 'NodePort';
    const named = options.name === undefined ? this.metadata : { ...this.metadata, name: options.name };
    return new k8s.KubeService(this.scope, 'Service', {
      metadata: options.annotations === undefined ? named : { ...named, annotations: options.annotations },
      spec: {
        type,
        externalTrafficPolicy: external ? 'Local' : undefined,
        loadBalancerSourceRanges: type === 'LoadBalancer' ? options.sourceRanges : undefined,
        selector: this.identity.selector,
        ports: options.ports.map((p) => ({
          name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP', appProtocol: p.appProtocol,
        })),
      },
    });
  }

  /** What an autoscaler scales: the block's Deployment. */
  public get scaleTarget(): { apiVersion: string; kind: string; name: string } {
    return { apiVersion: 'apps/v1', kind: 'Deployment', name: this.identity.name };
  }

  /** A HorizontalPodAutoscaler of the Deployment (id `Autoscaler`). */
  public addAutoscaler(options: ServerAutoscalerOptions): k8s.KubeHorizontalPodAutoscalerV2 {
    const metrics: k8s.MetricSpecV2[] = [];
    if (options.cpuUtilization !== undefined) {
      metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: options.cpuUtilization } } });
    }
    metrics.push(...options.metrics ?? []);
    return new k8s.KubeHorizontalPodAutoscalerV2(this.scope, 'Autoscaler', {
      metadata: this.metadata,
      spec: {
        scaleTargetRef: this.scaleTarget,
        minReplicas: options.minReplicas,
        maxReplicas: options.maxReplicas,
        metrics,
        behavior: options.behavior,
      },
    });
  }
}
