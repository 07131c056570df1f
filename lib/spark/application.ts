import { Duration, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator } from '../core/accelerator';
import { IValidator } from '../core/errors';
import { durationSeconds } from '../core/job';
import { componentLabels, imageTag } from '../core/labels';
import { allowBetween, PodNetworkPolicy } from '../core/network';
import { PodBuilder } from '../core/pod';
import { Queue, SchedulingOptions, validateScheduling } from '../core/scheduling';
import { SecretValue } from '../core/secrets';
import { quantityToNumber, validateCidr, validateDnsSubdomain, validateImage, validateInteger, validateLabels, validatePort, validateQuantity, validateServiceName } from '../core/validation';
import { checkMounts, resolveMount, ResolvedMount } from '../core/volumes';
import { resolvePlacement, WorkloadRole } from '../core/workload';
import { dynamicAllocationSpec, gpuConf, resolveDependencies, ResolvedDependencies, SPARK_BLOCK_MANAGER_PORT, SPARK_DRIVER_PORT, sparkMemory, SparkMemory, validateSparkConf } from './conf';
import { SparkProgram } from './program';
import { addDriverAccount } from './rbac';
import { SparkJobProps } from './spark-job-props';

/** The API version of the Spark operator's kinds. */
export const SPARK_API_VERSION = 'sparkoperator.k8s.io/v1beta2';
/** The label every pod of a SparkJob carries, with the job's name: its NetworkPolicies select by it. */
export const SPARK_JOB_LABEL = 'spark.cdk8s-mlops.io/job';
/** The label that tells a SparkJob's driver (`driver`) from its executors (`executor`). */
export const SPARK_ROLE_LABEL = 'spark.cdk8s-mlops.io/role';
/** The container names Spark looks for in the pod templates. */
const DRIVER_CONTAINER = 'spark-kubernetes-driver';
const EXECUTOR_CONTAINER = 'spark-kubernetes-executor';
/** The working directory of the Apache Spark images: executors download `--files` into it. */
const WORK_DIR = '/opt/spark/work-dir';
/** The `spark` user of the Apache Spark images. */
const SPARK_USER = 185;

/**
 * A SparkApplication as the library renders it, before it becomes an object: its spec (the pod templates are
 * rendered at synth, so wiring added later shows), the labels of the object, and the handles of the pods around it.
 * `SparkJob` wraps it in a SparkApplication or ScheduledSparkApplication; a pipeline step can embed
 * {@link sparkApplicationManifest} in its own resource.
 */
export interface RenderedSparkApplication {
  /** The SparkApplication's name. */
  readonly name: string;
  /** Its namespace, if known. */
  readonly namespace?: string;
  /** Labels of the SparkApplication object (with a Kueue queue's label). */
  readonly labels: Record<string, string>;
  /** The SparkApplication spec. */
  readonly spec: Record<string, unknown>;
  /** Labels that select the driver and every executor. */
  readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of every pod of the job (what wiring opens). */
  readonly networkPolicy: PodNetworkPolicy;
  /** The driver's ServiceAccount. */
  readonly serviceAccountName: string;
  /** Adds an environment variable to the driver and executors. */
  addEnv(name: string, value: string | SecretValue): void;
  /** Adds a label to the driver and executor pods. */
  addPodLabel(key: string, value: string): void;
}

/** The props every part needs, checked. */
interface SparkBasics {
  readonly name: string;
  readonly namespace?: string;
  readonly image: string;
  readonly program: SparkProgram;
  readonly sparkVersion: string;
  readonly labels: Record<string, string>;
  readonly scheduling?: SchedulingOptions;
  readonly queue?: Queue;
  readonly mounts: ResolvedMount[];
  readonly deps: ResolvedDependencies;
}

/** One pod role: its selector, resources and template builder. */
interface SparkPodRole {
  readonly pod: PodBuilder;
  readonly cores: number;
  readonly cpuLimit: string;
  readonly memory: SparkMemory;
  /** Spark conf the role needs (GPU scheduling of the executors). */
  readonly conf?: Record<string, string>;
}

/**
 * Renders a SparkApplication and creates, under `scope`, what its pods need: the driver's ServiceAccount, Role and
 * RoleBinding (ids `ServiceAccount`, `Role`, `RoleBinding`, unless `serviceAccountName` is given) and the
 * NetworkPolicies (`NetworkPolicy` for every pod, `DriverNetworkPolicy`, `ExecutorNetworkPolicy`).
 * `scheduled` shortens the allowed name (the operator appends a run suffix).
 */
export function renderSparkApplication(scope: Construct, v: IValidator, props: SparkJobProps, scheduled: boolean): RenderedSparkApplication {
  if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least an image and a program', props);
  const basics = resolveBasics(scope, v, props, scheduled);
  const serviceAccountName = driverAccount(scope, v, props, basics);
  const podSelector = { [SPARK_JOB_LABEL]: basics.name };
  const driver = driverRole(v, props, basics, serviceAccountName);
  const executor = executorRole(v, props, basics);
  const networkPolicy = addNetworkPolicies(scope, v, props, basics, podSelector);
  const spec: Record<string, unknown> = {
    type: basics.program.language,
    mode: 'cluster',
    image: basics.image,
    imagePullPolicy: 'IfNotPresent',
    mainApplicationFile: basics.program.mainFile,
    mainClass: basics.program.mainClass,
    arguments: checkedArguments(v, props.arguments),
    sparkVersion: basics.sparkVersion,
    sparkConf: sparkConf(v, props, basics, executor.conf),
    deps: basics.deps.deps,
    driver: podRoleSpec(driver, { serviceAccount: serviceAccountName }),
    executor: podRoleSpec(executor, { instances: executorInstances(v, props) }),
    dynamicAllocation: props.dynamicAllocation === undefined ? undefined : dynamicAllocationSpec(v, props.dynamicAllocation),
    restartPolicy: restartPolicy(v, props),
    timeToLiveSeconds: timeToLive(v, props, scheduled),
    batchScheduler: basics.queue?.system === 'volcano' ? 'volcano' : undefined,
    batchSchedulerOptions: basics.queue?.system === 'volcano' ? { queue: basics.queue.name } : undefined,
  };
  const pods = [driver.pod, executor.pod];
  return {
    name: basics.name,
    namespace: basics.namespace,
    labels: { ...basics.labels, ...basics.queue?.labels },
    spec,
    podSelector,
    networkPolicy,
    serviceAccountName,
    addEnv: (name, value) => pods.forEach((p) => p.addEnv(name, value)),
    addPodLabel: (key, value) => pods.forEach((p) => p.addLabel(key, value)),
  };
}

/** A SparkApplication manifest of a rendered application, for a pipeline step that creates it. */
export function sparkApplicationManifest(app: RenderedSparkApplication): Record<string, unknown> {
  return {
    apiVersion: SPARK_API_VERSION,
    kind: 'SparkApplication',
    metadata: { name: app.name, namespace: app.namespace, labels: app.labels },
    spec: app.spec,
  };
}

/** The given ServiceAccount, or the driver's own with its Role (its RoleBinding must name the namespace). */
function driverAccount(scope: Construct, v: IValidator, props: SparkJobProps, basics: SparkBasics): string {
  if (props.serviceAccountName !== undefined) return validateDnsSubdomain(v, 'serviceAccountName', props.serviceAccountName);
  if (basics.namespace === undefined) {
    v.fail('namespace', 'must be set (here, by the team or on the chart): the RoleBinding of the driver\'s ServiceAccount names its namespace', basics.namespace);
  }
  return addDriverAccount(scope, basics.name, basics.namespace, basics.labels);
}

function resolveBasics(scope: Construct, v: IValidator, props: SparkJobProps, scheduled: boolean): SparkBasics {
  // The driver pod is `<name>-driver`; a scheduled run is `<name>-<19-digit timestamp>`.
  const maxName = scheduled ? 36 : 56;
  const name = validateServiceName(v, 'name', props.name ?? scope.node.id, maxName);
  const placement = resolvePlacement(v, scope, { ...props, serviceAccountName: undefined }, WorkloadRole.PIPELINE);
  const image = validateImage(v, 'image', props.image);
  const program = props.program;
  if (!(program instanceof SparkProgram)) v.fail('program', 'must be made with SparkProgram.python(...), .scala(...), .java(...) or .r(...)', program);
  validateLabels(v, 'labels', props.labels);
  validateScheduling(v, placement.scheduling);
  const { queue, ...scheduling } = placement.scheduling ?? {};
  if (queue?.system === 'kueue' && props.dynamicAllocation !== undefined) {
    v.fail('dynamicAllocation', `cannot be used with the Kueue queue '${queue.name}': Kueue admits a SparkApplication of a fixed size only`, props.dynamicAllocation);
  }
  if (props.mounts !== undefined && !Array.isArray(props.mounts)) v.fail('mounts', 'must be a list of { claim, path }', props.mounts);
  const mounts = (props.mounts ?? []).map((m, i) => resolveMount(v, `mounts[${i}]`, m, true));
  checkMounts(v, mounts, { podsMaySpanNodes: true, namespace: placement.namespace, why: 'the driver and executors run on different nodes' });
  return {
    name,
    namespace: placement.namespace,
    image,
    program,
    sparkVersion: sparkVersionOf(v, props.sparkVersion, image),
    labels: { ...props.labels, ...componentLabels({ name, instance: name, component: 'spark', version: imageTag(image) }) },
    scheduling: Object.keys(scheduling).length > 0 ? scheduling : undefined,
    queue,
    mounts,
    deps: resolveDependencies(v, props.dependencies, program),
  };
}

/** The Spark version: given, else the image tag's leading `x.y.z`; 3.0.0 or later (pod templates). */
function sparkVersionOf(v: IValidator, given: string | undefined, image: string): string {
  const version = given ?? /^v?(\d+\.\d+\.\d+)/.exec(imageTag(image) ?? '')?.[1];
  if (version === undefined) v.fail('sparkVersion', 'must be given when the image tag does not start with the Spark version (x.y.z)', given);
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) v.fail('sparkVersion', 'must be a version x.y.z such as 3.5.5', version);
  if (Number(match[1]) < 3) v.fail('sparkVersion', 'must be 3.0.0 or later (the driver and executors are built from pod templates)', version);
  return version;
}

function checkedArguments(v: IValidator, args: string[] | undefined): string[] | undefined {
  if (args === undefined) return undefined;
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string' || a.includes('\0'))) v.fail('arguments', 'must be a list of strings without NUL characters', args);
  return args.length > 0 ? [...args] : undefined;
}

/** CPU: whole cores for Spark, a limit at least as large. */
function cpuOf(v: IValidator, prop: string, cores: number | undefined, limit: unknown): { cores: number; cpuLimit: string } {
  const n = validateInteger(v, `${prop}.cores`, cores ?? 1, 1, 256);
  const cpuLimit = limit === undefined ? String(n) : validateQuantity(v, `${prop}.cpuLimit`, limit as string);
  if (quantityToNumber(cpuLimit) < n) v.fail(`${prop}.cpuLimit`, `must be at least the cores (${n})`, cpuLimit);
  return { cores: n, cpuLimit };
}

function driverRole(v: IValidator, props: SparkJobProps, basics: SparkBasics, serviceAccountName: string): SparkPodRole {
  const options = props.driver ?? {};
  if (!options || typeof options !== 'object') v.fail('driver', 'must be an object such as { cores: 1, memory: \'2Gi\' }', options);
  const { cores, cpuLimit } = cpuOf(v, 'driver', options.cores, options.cpuLimit);
  const memory = sparkMemory(v, 'driver', options.memory ?? '1Gi', options.memoryOverhead, basics.program);
  // The driver calls the Kubernetes API (executor pods): the only pod with a service-account token.
  const pod = new PodBuilder(v, {
    scheduling: basics.scheduling,
    serviceAccountName,
    automountServiceAccountToken: true,
    security: props.security ?? { user: SPARK_USER, group: SPARK_USER },
    labels: { ...basics.labels, [SPARK_JOB_LABEL]: basics.name, [SPARK_ROLE_LABEL]: 'driver' },
  });
  addSparkContainer(pod, DRIVER_CONTAINER, props, basics, { cpu: cores, cpuLimit, memory: memory.pod });
  return { pod, cores, cpuLimit, memory };
}

function executorRole(v: IValidator, props: SparkJobProps, basics: SparkBasics): SparkPodRole {
  const options = props.executor ?? {};
  if (!options || typeof options !== 'object') v.fail('executor', 'must be an object such as { instances: 4, cores: 2 }', options);
  const { cores, cpuLimit } = cpuOf(v, 'executor', options.cores, options.cpuLimit);
  const memory = sparkMemory(v, 'executor', options.memory ?? '2Gi', options.memoryOverhead, basics.program);
  const conf = gpuConf(v, options, cores);
  const pod = new PodBuilder(v, {
    scheduling: options.scheduling === undefined ? basics.scheduling : withoutQueue(v, options.scheduling),
    security: props.security ?? { user: SPARK_USER, group: SPARK_USER },
    labels: { ...basics.labels, [SPARK_JOB_LABEL]: basics.name, [SPARK_ROLE_LABEL]: 'executor' },
  });
  addSparkContainer(pod, EXECUTOR_CONTAINER, props, basics, { cpu: cores, cpuLimit, memory: memory.pod }, options.accelerator);
  return { pod, cores, cpuLimit, memory, conf };
}

/** The executors' scheduling: a queue belongs to the whole application (`scheduling.queue`), not to its pods. */
function withoutQueue(v: IValidator, scheduling: SchedulingOptions): SchedulingOptions {
  if (!scheduling || typeof scheduling !== 'object') v.fail('executor.scheduling', 'must be an object of scheduling options', scheduling);
  if (scheduling.queue !== undefined) v.fail('executor.scheduling.queue', 'must not be set: the queue admits the whole application (set scheduling.queue)', scheduling.queue.name);
  return scheduling;
}

/**
 * The container Spark fills in (image, command, resources, ports, its own env and volumes): the template gives it
 * the restricted security context, a writable `/tmp` and working directory, env, Secrets and claims. Its resources
 * are what Spark will set, so the template reads as the pod will run.
 */
function addSparkContainer(pod: PodBuilder, name: string, props: SparkJobProps, basics: SparkBasics, resources: { cpu: number; cpuLimit: string; memory: string }, accelerator?: Accelerator): void {
  pod.addContainer({
    name,
    image: basics.image,
    env: props.env,
    secretEnv: props.secretEnv,
    resources: { cpu: resources.cpu, cpuLimit: resources.cpuLimit, memory: resources.memory },
    accelerator,
    mounts: basics.mounts,
    writablePaths: [WORK_DIR],
  });
}

function podRoleSpec(role: SparkPodRole, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    cores: role.cores,
    coreLimit: role.cpuLimit,
    memory: role.memory.heap,
    memoryOverhead: role.memory.overhead,
    ...extra,
    // At synth, so wiring added later shows; the spec as plain data (the builder's template() defers it with a Lazy).
    template: Lazy.any({ produce: () => k8s.toJson_PodTemplateSpec({ metadata: role.pod.template().metadata, spec: role.pod.podSpec() }) }),
  };
}

function executorInstances(v: IValidator, props: SparkJobProps): number | undefined {
  const given = props.executor?.instances;
  if (props.dynamicAllocation !== undefined) {
    if (given !== undefined) v.fail('executor.instances', 'cannot be combined with dynamicAllocation (use dynamicAllocation.initialExecutors)', given);
    return undefined;
  }
  return validateInteger(v, 'executor.instances', given ?? 2, 1, 10000);
}

/** The Spark conf: the user's, then what the construct fixes (ports, GPUs, Ivy's directory). */
function sparkConf(v: IValidator, props: SparkJobProps, basics: SparkBasics, executorConf: Record<string, string> | undefined): Record<string, string> {
  const conf: Record<string, string> = {
    ...validateSparkConf(v, props.sparkConf),
    // Fixed ports, so that the NetworkPolicies can open exactly them.
    'spark.driver.port': String(SPARK_DRIVER_PORT),
    'spark.driver.blockManager.port': String(SPARK_BLOCK_MANAGER_PORT),
    'spark.blockManager.port': String(SPARK_BLOCK_MANAGER_PORT),
    ...executorConf,
  };
  // Ivy resolves packages under the JVM's user.home, which a random uid does not have, and the root is read-only.
  if (basics.deps.deps?.packages) conf['spark.jars.ivy'] = '/tmp/.ivy2';
  return conf;
}

function restartPolicy(v: IValidator, props: SparkJobProps): Record<string, unknown> {
  const retries = validateInteger(v, 'retries', props.retries ?? 0, 0, 100);
  if (retries === 0) {
    if (props.retryInterval !== undefined) v.fail('retryInterval', 'needs retries above 0', props.retryInterval);
    return { type: 'Never' };
  }
  const interval = validateInteger(v, 'retryInterval', durationSeconds(v, 'retryInterval', props.retryInterval ?? Duration.seconds(30)), 1);
  return {
    type: 'OnFailure',
    onFailureRetries: retries,
    onFailureRetryInterval: interval,
    onSubmissionFailureRetries: retries,
    onSubmissionFailureRetryInterval: interval,
  };
}

function timeToLive(v: IValidator, props: SparkJobProps, scheduled: boolean): number | undefined {
  if (scheduled) {
    if (props.timeToLive !== undefined) v.fail('timeToLive', 'cannot be used with a schedule (scheduleOptions keeps a history of runs)', props.timeToLive);
    return undefined;
  }
  if (props.timeToLive === undefined) return 86400;
  return validateInteger(v, 'timeToLive', durationSeconds(v, 'timeToLive', props.timeToLive), 1);
}

/**
 * The job's NetworkPolicies: one over every pod (DNS, `egress`, downloads, and what `connect()` adds), the driver's
 * (executors reach its RPC and block manager ports; it reaches the Kubernetes API to run executors) and the
 * executors' (the driver and the other executors fetch blocks from them). Nothing else reaches a Spark pod.
 */
function addNetworkPolicies(scope: Construct, v: IValidator, props: SparkJobProps, basics: SparkBasics, podSelector: Record<string, string>): PodNetworkPolicy {
  const common = { namespace: basics.namespace, labels: basics.labels };
  const all = new PodNetworkPolicy(scope, 'NetworkPolicy', { ...common, name: basics.name, podSelector });
  const driver = new PodNetworkPolicy(scope, 'DriverNetworkPolicy', { ...common, name: `${basics.name}-driver`, podSelector: { ...podSelector, [SPARK_ROLE_LABEL]: 'driver' } });
  const executors = new PodNetworkPolicy(scope, 'ExecutorNetworkPolicy', { ...common, name: `${basics.name}-executor`, podSelector: { ...podSelector, [SPARK_ROLE_LABEL]: 'executor' } });
  allowBetween(executors, driver, [{ port: SPARK_DRIVER_PORT }, { port: SPARK_BLOCK_MANAGER_PORT }]);
  allowBetween(driver, executors, [{ port: SPARK_BLOCK_MANAGER_PORT }]);
  allowBetween(executors, executors, [{ port: SPARK_BLOCK_MANAGER_PORT }]);
  // The API server's address is not known at synth: its ports (443 behind the `kubernetes` Service, 6443 on kubeadm
  // control planes) are opened to the driver alone; the same rule lets it download remote files and packages.
  driver.allowToCidr('0.0.0.0/0', [{ port: 443 }, { port: 6443 }]);
  if (basics.deps.executorsDownload) executors.allowToCidr('0.0.0.0/0', [{ port: 443 }]);
  if (props.egress !== undefined && !Array.isArray(props.egress)) v.fail('egress', 'must be a list of { cidr, ports }', props.egress);
  (props.egress ?? []).forEach((e, i) => {
    if (!e || typeof e !== 'object') v.fail(`egress[${i}]`, 'must be an object { cidr, ports }', e);
    validateCidr(v, `egress[${i}].cidr`, e?.cidr);
    if (!Array.isArray(e.ports) || e.ports.length === 0) v.fail(`egress[${i}].ports`, 'must be a non-empty list of ports', e.ports);
    all.allowToCidr(e.cidr, e.ports.map((port, j) => ({ port: validatePort(v, `egress[${i}].ports[${j}]`, port) })));
  });
  return all;
}
