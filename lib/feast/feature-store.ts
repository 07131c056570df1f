import { propNames, rejectUnknownProps } from '../core/props';
import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  childName, componentLabels, ConnectOptions, connectWorkload, imageTag, IService, ITeam, IWorkload, PodBuilder, PodNetworkPolicy, Placement, QuantityInput,
  RequiredSecret, requiredSecretsOf, resolvePlacement, SchedulingOptions, selectorLabels, serviceHost, validateImage,
  validateInteger, Validator, WorkloadRole,
} from '../core';
import { childObject } from '../core/handles';
import { ServerBlock } from '../core/server';
import { validateDuration, validateEnum, validateEnvName, validateLabels, validateServiceName } from '../core/validation';
import { FeastProvider, FeastSettings, renderConfigMap, renderFeatureStoreYaml } from './config';
import { FeastContext, FeastStores } from './context';
import { FeatureRepository } from './feature-repository';
import { checkScaling, FeatureServerAutoscaling, FeatureServerScaling, featureServerPod, SERVER_PORT } from './feature-server';
import { renderApplyJob } from './jobs';
import { MaterializationOptions, renderMaterialization } from './materialization';
import { OfflineStore } from './offline-store';
import { OnlineStore } from './online-store';
import { inClusterRedis } from './redis';
import { Registry } from './registry';
import { reachStores, storeSecretUses } from './stores';
import { registerConstruct } from '../core/platform';
import { registerServerSecrets } from '../core/server-secrets';

/** The Feast feature server image the library is tested with (Feast publishes its images on quay.io since 0.47). */
export const FEAST_IMAGE = 'quay.io/feastdev/feature-server:0.62.0';
/** Feast's own project-name rule: letters, digits and underscores, not starting with an underscore. */
const FEAST_PROJECT = /^[A-Za-z0-9][A-Za-z0-9_]*$/;

/** Options of {@link FeatureStore.connect}. */
export interface FeatureStoreConnectOptions extends ConnectOptions {
  /**
   * The environment variable that receives the feature server's URL.
   * @default 'FEAST_FEATURE_SERVER_URL'
   */
  readonly envName?: string;
}

/** Props of {@link FeatureStore}. */
export interface FeatureStoreProps {
  /**
   * The name of the feature server's Deployment and Service, and the prefix of every other object. A DNS-1123
   * label of at most 40 characters (the materialization CronJob adds `-materialize`).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace of every object.
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * The team that owns the store: its namespace and serving service account are used unless given here.
   * @default - no team
   */
  readonly team?: ITeam;
  /**
   * The Feast project: letters, digits and underscores, not starting with an underscore (Feast's rule).
   * @default - the name with '-' replaced by '_'
   */
  readonly project?: string;
  /**
   * The Feast provider.
   * @default FeastProvider.LOCAL
   */
  readonly provider?: FeastProvider;
  /** Where the registry lives. */
  readonly registry: Registry;
  /**
   * How long the feature server and clients cache the registry before re-reading it.
   * @default Duration.minutes(1)
   */
  readonly registryTtl?: Duration;
  /** The online store. */
  readonly onlineStore: OnlineStore;
  /**
   * The offline store.
   * @default OfflineStore.file()
   */
  readonly offlineStore?: OfflineStore;
  /**
   * The entity key serialization version (3 is the current scheme; 1 and 2 are kept only for stores written by
   * older Feast releases).
   * @default 3
   */
  readonly entityKeySerializationVersion?: number;
  /**
   * The Feast image of the feature server and the jobs, pinned.
   * @default FEAST_IMAGE
   */
  readonly image?: string;
  /**
   * Feature server replicas (not together with `autoscaling`). With two or more, a PodDisruptionBudget keeps one
   * serving during node drains.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Scale the feature server on CPU with a HorizontalPodAutoscaler.
   * @default - a fixed number of replicas
   */
  readonly autoscaling?: FeatureServerAutoscaling;
  /**
   * Worker processes per feature server pod (`feast serve --workers`).
   * @default 1
   */
  readonly workers?: number;
  /**
   * CPU of a feature server pod.
   * @default 1
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory of a feature server pod.
   * @default '1Gi'
   */
  readonly memory?: QuantityInput;
  /**
   * The feature definitions. When given, a Job `<name>-apply` runs `feast apply`. A Job's pod template cannot
   * change: it is deleted after `ttlAfterFinished` (1 day), or delete it to apply new definitions sooner.
   * @default - no apply Job (definitions are applied from CI)
   */
  readonly featureRepository?: FeatureRepository;
  /**
   * Scheduled materialization from the offline to the online store, as a CronJob `<name>-materialize`.
   * @default - no scheduled materialization
   */
  readonly materialization?: MaterializationOptions;
  /**
   * Where the feature server pods are scheduled.
   * @default - anywhere
   */
  readonly scheduling?: SchedulingOptions;
  /**
   * The ServiceAccount of the feature server.
   * @default - the team's serving service account, else the namespace's default, without a token
   */
  readonly serviceAccountName?: string;
  /**
   * Extra labels on every object.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * Accept that the Secrets this feature store (Redis, stores, registry) uses live in a namespace where someone else may create Jobs or pods (a
   * team's trainers or pipeline runners): any such pod can run as any ServiceAccount there and mount any Secret.
   * Refused at synth otherwise (a platform check), naming the Roles that allow it.
   * @default false
   */
  readonly allowSecretsInJobNamespace?: boolean;
}

/** The props of a FeatureStore, checked, with their defaults. */
interface FeatureStoreSettings extends FeastSettings {
  readonly name: string;
  readonly placement: Placement;
  readonly offlineStore: OfflineStore;
  readonly image: string;
  readonly registryTtlSeconds: number;
  readonly workers: number;
}


/** Every prop of FeatureStoreProps, for refusing unknown ones (the compiler checks the list against the interface). */
const FEATURE_STORE_PROPS = propNames<FeatureStoreProps>()({
  name: true, namespace: true, team: true, project: true, provider: true, registry: true, registryTtl: true,
  onlineStore: true, offlineStore: true, entityKeySerializationVersion: true, image: true, replicas: true,
  autoscaling: true, workers: true, cpu: true, memory: true, featureRepository: true, materialization: true,
  scheduling: true, serviceAccountName: true, labels: true, allowSecretsInJobNamespace: true,
});
/**
 * A Feast feature store: the online feature server (`feast serve`, port 6566) as a Deployment and Service, its
 * `feature_store.yaml` generated from typed props and mounted from a ConfigMap (secrets reach it only through
 * `${VAR}` expansion from Secret references), Redis as the online store (a StatefulSet in the cluster or an
 * external Redis), a `feast apply` Job and a materialization CronJob, and NetworkPolicies that let only the
 * feature server and the jobs reach Redis and only connected workloads reach the feature server.
 *
 * @example
 * const store = new FeatureStore(chart, 'feast', {
 *   registry: Registry.file(VolumeClaim.fromClaimName('feast-registry', { accessModes: [AccessMode.READ_WRITE_MANY] })),
 *   onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password') }),
 *   replicas: 2,
 *   materialization: { schedule: Schedule.cron('0 * * * *') },
 * });
 * store.connect(trainingJob);
 */
export class FeatureStore extends Construct implements IService {
  /** The feature server's Service name. */
  public readonly serviceName: string;
  /** The namespace. */
  public readonly namespace?: string;
  /** The feature server port. */
  public readonly port = SERVER_PORT;
  /** `name.namespace.svc` (or `name` without a namespace). */
  public readonly host: string;
  /** `http://host:6566`, what clients put in FEAST_FEATURE_SERVER_URL. */
  public readonly url: string;
  /** The Feast project. */
  public readonly project: string;
  /** The ConfigMap holding feature_store.yaml (key `feature_store.yaml`). */
  public readonly configMapName: string;
  /** The generated feature_store.yaml. */
  public readonly featureStoreYaml: string;
  /** Labels that select the feature server pods. */
  public readonly podSelector: Record<string, string>;
  /** The feature server's NetworkPolicy. */
  public readonly networkPolicy: PodNetworkPolicy;
  /** The in-cluster Redis's Service host, if the library runs Redis. */
  public readonly redisHost?: string;
  /** The in-cluster Redis's NetworkPolicy, if the library runs Redis. */
  public readonly redisNetworkPolicy?: PodNetworkPolicy;
  /** The Secrets you must create before applying the manifests. */
  public readonly requiredSecrets: RequiredSecret[];

  public constructor(scope: Construct, id: string, props: FeatureStoreProps) {
    super(scope, id);
    registerConstruct(this, 'FeatureStore', [registerServerSecrets(this, props?.allowSecretsInJobNamespace)]);
    const v = Validator.forConstruct('FeatureStore', id);
    rejectUnknownProps(v, props, FEATURE_STORE_PROPS);
    const settings = checkProps(v, this, id, props);
    const { name, placement } = settings;
    const namespace = this.namespace = placement.namespace;
    this.serviceName = name;
    this.host = serviceHost(name, namespace);
    this.url = `http://${this.host}:${SERVER_PORT}`;
    this.project = settings.project;
    const labelsOf = (component: string) => ({
      ...props.labels,
      ...componentLabels({ name: 'feast', instance: name, component, version: imageTag(settings.image) }),
    });
    const serverLabels = labelsOf('feature-server');
    this.podSelector = selectorLabels({ instance: name, component: 'feature-server' });

    // In-cluster Redis first: its address goes into the connection string.
    const redis = props.onlineStore._inCluster
      ? inClusterRedis(this, v, { name: childName(name, 'redis'), namespace, options: props.onlineStore._inCluster, labels: props.labels })
      : undefined;
    this.redisHost = redis?.host;
    this.redisNetworkPolicy = redis?.networkPolicy;
    const stores: FeastStores = {
      registry: props.registry._bind(settings.registryTtlSeconds),
      online: props.onlineStore._bind(redis?.host),
      offline: settings.offlineStore._bind(),
      redisPolicy: redis?.networkPolicy,
      onlineCidr: props.onlineStore._externalCidr,
      configMapName: this.configMapName = childName(name, 'config'),
    };
    const ctx: FeastContext = { scope: this, v, name, namespace, image: settings.image, labelsOf, stores };
    this.featureStoreYaml = renderFeatureStoreYaml(ctx, settings);
    renderConfigMap(ctx, this.featureStoreYaml);
    this.requiredSecrets = requiredSecretsOf(storeSecretUses(stores, namespace));

    const scaling = checkScaling(v, props.replicas, props.autoscaling);
    const server = new ServerBlock(this, { name, namespace, labels: serverLabels, selector: this.podSelector });
    const pod = featureServerPod(ctx, {
      scaling, workers: settings.workers, registryTtlSeconds: settings.registryTtlSeconds, cpu: props.cpu, memory: props.memory,
      scheduling: placement.scheduling, serviceAccountName: placement.serviceAccountName, server, featureStoreYaml: this.featureStoreYaml,
    });
    renderServer(server, pod, scaling);
    this.networkPolicy = server.addNetworkPolicy();
    reachStores(stores, this.networkPolicy, false);

    const repo = props.featureRepository;
    if (repo !== undefined && !(repo instanceof FeatureRepository)) {
      v.fail('featureRepository', 'must be made with FeatureRepository.fromImage(...) or FeatureRepository.fromClaim(...)', repo);
    }
    if (repo) renderApplyJob(ctx, repo);
    if (props.materialization !== undefined) renderMaterialization(ctx, props.materialization, repo);
  }

  /** The feature server's Deployment (child id `Resource`). */
  public get deployment(): k8s.KubeDeployment {
    return childObject(this, ['Resource'], k8s.KubeDeployment)!;
  }

  /** The feature server's Service (child id `Service`). */
  public get service(): k8s.KubeService {
    return childObject(this, ['Service'], k8s.KubeService)!;
  }

  /** The HorizontalPodAutoscaler (child id `Autoscaler`), if `autoscaling` is set. */
  public get autoscaler(): k8s.KubeHorizontalPodAutoscalerV2 | undefined {
    return childObject(this, ['Autoscaler'], k8s.KubeHorizontalPodAutoscalerV2);
  }

  /** The ConfigMap holding `feature_store.yaml` (child id `Config`). */
  public get configMap(): k8s.KubeConfigMap {
    return childObject(this, ['Config'], k8s.KubeConfigMap)!;
  }

  /** The `feast apply` Job (child id `Apply`), if `featureRepository` is set. */
  public get applyJob(): k8s.KubeJob | undefined {
    return childObject(this, ['Apply'], k8s.KubeJob);
  }

  /** The materialization CronJob (child id `Materialize`), if `materialization` is set. */
  public get materializationCronJob(): k8s.KubeCronJob | undefined {
    return childObject(this, ['Materialize'], k8s.KubeCronJob);
  }

  /**
   * Connects a workload (a training job, a model server) to the feature server: FEAST_FEATURE_SERVER_URL in its
   * environment, and the network path from its pods to the feature server opened on both sides.
   */
  public connect(workload: IWorkload, options: FeatureStoreConnectOptions = {}): void {
    const v = Validator.forConstruct('FeatureStore', this.node.id);
    const envName = validateEnvName(v, 'connect.envName', options.envName ?? 'FEAST_FEATURE_SERVER_URL');
    connectWorkload(v, this, workload, { [envName]: this.url }, [{ port: SERVER_PORT }], options);
  }
}

/**
 * The feature server's Deployment and Service, a HorizontalPodAutoscaler with autoscaling, and a
 * PodDisruptionBudget when more than one server may run.
 */
function renderServer(server: ServerBlock, pod: PodBuilder, scaling: FeatureServerScaling): void {
  const autoscaling = scaling.autoscaling;
  server.addDeployment({ pod, replicas: autoscaling ? undefined : scaling.replicas });
  server.addService({ ports: [{ name: 'http', port: SERVER_PORT }] });
  if (autoscaling) {
    server.addAutoscaler({ minReplicas: autoscaling.minReplicas, maxReplicas: autoscaling.maxReplicas, cpuUtilization: autoscaling.targetCpuUtilization ?? 70 });
  }
  // No unhealthyPodEvictionPolicy: Feast's budget as it always was (ModelServer's would change the manifests).
  if (scaling.replicated) server.addDisruptionBudget({ evictUnhealthyPods: false });
}

/** Checks the props that need no other object, and fills in the defaults. */
function checkProps(v: Validator, scope: Construct, id: string, props: FeatureStoreProps): FeatureStoreSettings {
  if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least registry and onlineStore', props);
  const name = validateServiceName(v, 'name', props.name ?? id, 40);
  const placement = resolvePlacement(v, scope, props, WorkloadRole.SERVING);
  const project = props.project ?? name.replace(/-/g, '_');
  if (typeof project !== 'string' || !FEAST_PROJECT.test(project)) {
    v.fail('project', 'must be a Feast project name (letters, digits and underscores, not starting with an underscore)', project);
  }
  const provider = validateEnum(v, 'provider', props.provider ?? FeastProvider.LOCAL, FeastProvider, 'FeastProvider');
  if (!(props.registry instanceof Registry)) {
    v.fail('registry', 'must be made with Registry.file(...), Registry.s3(...), Registry.gcs(...) or Registry.sql(...)', props.registry);
  }
  if (!(props.onlineStore instanceof OnlineStore)) {
    v.fail('onlineStore', 'must be made with OnlineStore.redis(...) or OnlineStore.externalRedis(...) (the supported online store type is redis)', props.onlineStore);
  }
  const offlineStore = props.offlineStore ?? OfflineStore.file();
  if (!(offlineStore instanceof OfflineStore)) {
    v.fail('offlineStore', 'must be made with OfflineStore.file(), .postgres(...), .snowflake(...) or .bigquery(...)', offlineStore);
  }
  const entityKeySerializationVersion = validateInteger(v, 'entityKeySerializationVersion', props.entityKeySerializationVersion ?? 3, 1, 3);
  const image = validateImage(v, 'image', props.image ?? FEAST_IMAGE);
  const registryTtlSeconds = validateDuration(v, 'registryTtl', props.registryTtl ?? Duration.minutes(1), 1);
  const workers = validateInteger(v, 'workers', props.workers ?? 1, 1, 64);
  validateLabels(v, 'labels', props.labels);
  return { name, placement, project, provider, offlineStore, entityKeySerializationVersion, image, registryTtlSeconds, workers };
}
