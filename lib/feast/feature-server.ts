import { checkMounts, configChecksumAnnotation, IValidator, PodBuilder, QuantityInput, SchedulingOptions, validateInteger } from '../core';
import { ServerBlock, serverProbe } from '../core/server';
import { CONFIG_FILE, configMounts, configVolumes, withRenderedConfig } from './config';
import { FeastContext } from './context';
import { registryMounts } from './stores';

/** The port of the Feast online feature server (`feast serve`). */
export const SERVER_PORT = 6566;

/** Autoscaling of the feature server. */
export interface FeatureServerAutoscaling {
  /** The fewest replicas. */
  readonly minReplicas: number;
  /** The most replicas. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilization, in percent of the request.
   * @default 70
   */
  readonly targetCpuUtilization?: number;
}

/** How many feature servers run: a fixed count, or what the autoscaler decides from `minReplicas` up. */
export interface FeatureServerScaling {
  /** The replicas at start (the Deployment's count without autoscaling). */
  readonly replicas: number;
  readonly autoscaling?: FeatureServerAutoscaling;
  /** Whether more than one server may run: then pods spread over nodes and a PodDisruptionBudget keeps one serving. */
  readonly replicated: boolean;
}

/** Checks `replicas` and `autoscaling`, which exclude each other. */
export function checkScaling(v: IValidator, replicas: number | undefined, autoscaling: FeatureServerAutoscaling | undefined): FeatureServerScaling {
  if (replicas !== undefined && autoscaling !== undefined) v.fail('replicas', 'cannot be combined with autoscaling (use autoscaling.minReplicas)', replicas);
  if (autoscaling === undefined) {
    const count = validateInteger(v, 'replicas', replicas ?? 1, 1, 1000);
    return { replicas: count, replicated: count > 1 };
  }
  const min = validateInteger(v, 'autoscaling.minReplicas', autoscaling.minReplicas, 1, 1000);
  const max = validateInteger(v, 'autoscaling.maxReplicas', autoscaling.maxReplicas, min, 1000);
  validateInteger(v, 'autoscaling.targetCpuUtilization', autoscaling.targetCpuUtilization ?? 70, 1, 100);
  return { replicas: min, autoscaling, replicated: min > 1 || max > 1 };
}

/** What the feature server's pod runs with. */
export interface FeatureServerOptions {
  readonly scaling: FeatureServerScaling;
  /** `feast serve --workers`. */
  readonly workers: number;
  /** How long the server caches the registry, in seconds. */
  readonly registryTtlSeconds: number;
  readonly cpu?: QuantityInput;
  readonly memory?: QuantityInput;
  readonly scheduling?: SchedulingOptions;
  readonly serviceAccountName?: string;
  /** The server's Deployment, Service and NetworkPolicy: the pod takes its labels and spread from it. */
  readonly server: ServerBlock;
  /** The feature_store.yaml of the ConfigMap: a change rolls the pods (they render it once, at start). */
  readonly featureStoreYaml: string;
}

/** The feature server's pod: `feast serve` with feature_store.yaml, reading the registry and the online store. */
export function featureServerPod(ctx: FeastContext, o: FeatureServerOptions): PodBuilder {
  const { v, stores } = ctx;
  const mounts = registryMounts(v, stores, true);
  checkMounts(v, mounts, { podsMaySpanNodes: true, namespace: ctx.namespace, why: 'the feature server runs while the Feast jobs write the registry, on any node' });
  const pod = new PodBuilder(v, {
    scheduling: o.scheduling,
    serviceAccountName: o.serviceAccountName,
    labels: o.server.podLabels(),
    annotations: configChecksumAnnotation({ 'feature_store.yaml': o.featureStoreYaml }),
    // Nodes only, counting every revision: Feast's spread as it always was (ModelServer's would change the manifests).
    topologySpreadConstraints: o.scaling.replicated ? o.server.spread({ acrossZones: false, perRevision: false }) : undefined,
  });
  for (const volume of configVolumes(ctx)) pod.addVolume(volume);
  pod.addContainer({
    name: 'feature-server',
    image: ctx.image,
    command: withRenderedConfig([
      'feast', '--feature-store-yaml', CONFIG_FILE, 'serve',
      '--host', '0.0.0.0', '--port', String(SERVER_PORT),
      '--workers', String(o.workers), '--registry_ttl_sec', String(o.registryTtlSeconds),
    ]),
    env: { ...stores.registry.env, ...stores.online.env },
    secretEnv: { ...stores.registry.secretEnv, ...stores.online.secretEnv },
    resources: { cpu: o.cpu ?? 1, memory: o.memory ?? '1Gi' },
    ports: [{ name: 'http', port: SERVER_PORT }],
    mounts,
    volumeMounts: configMounts(),
    // /health answers 503 until the registry was loaded: it gates traffic, but must not restart the pod. No
    // timeoutSeconds (Kubernetes' 1 s): Feast's probes as they always were (MLflow's and ModelServer's set 5 s).
    startupProbe: serverProbe({ port: 'http', path: '/health' }, { periodSeconds: 5, failureThreshold: 60 }),
    readinessProbe: serverProbe({ port: 'http', path: '/health' }, { periodSeconds: 10, failureThreshold: 3 }),
    livenessProbe: serverProbe({ port: 'http' }, { periodSeconds: 20, failureThreshold: 3 }),
  });
  return pod;
}
