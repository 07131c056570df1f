import { Accelerator } from '../core/accelerator';
import { IValidator } from '../core/errors';
import { durationSeconds } from '../core/job';
import { QuantityInput, quantityToNumber, validateInteger, validateQuantity, validateSingleLine } from '../core/validation';
import { isRemoteUri, SparkProgram, validateSparkUri } from './program';
import { SparkDependencies, SparkDynamicAllocation, SparkExecutorOptions } from './spark-job-props';

/** The driver's RPC port (`spark.driver.port`): executors connect to it. */
export const SPARK_DRIVER_PORT = 7078;
/** The block manager port of the driver and of every executor: shuffle and broadcast blocks are fetched from it. */
export const SPARK_BLOCK_MANAGER_PORT = 7079;
/** The Spark UI of the driver. */
export const SPARK_UI_PORT = 4040;

const MIB = 1024 * 1024;
/** Spark's smallest memory overhead (`MEMORY_OVERHEAD_MIN_MIB`). */
const MIN_OVERHEAD_MIB = 384;
const DEFAULT_GPU_DISCOVERY_SCRIPT = '/opt/spark/examples/src/main/scripts/getGpusResources.sh';

/** The memory of one Spark pod, in MiB, as Spark passes it on and as the pod requests it. */
export interface SparkMemory {
  /** The JVM heap (`spark.*.memory`), e.g. `2048m`. */
  readonly heap: string;
  /** The overhead (`spark.*.memoryOverhead`), e.g. `384m`. */
  readonly overhead: string;
  /** What the pod requests and is limited to: heap + overhead, e.g. `2432Mi`. */
  readonly pod: string;
}

/**
 * The heap and overhead of a driver or executor, rounded up to whole MiB (Spark takes `m` units). The overhead is
 * what Spark would compute (10% of the heap, 40% for Python and R, at least 384 MiB) unless given.
 */
export function sparkMemory(v: IValidator, prop: string, memory: QuantityInput, overhead: QuantityInput | undefined, program: SparkProgram): SparkMemory {
  const heapMib = Math.ceil(quantityToNumber(validateQuantity(v, `${prop}.memory`, memory)) / MIB);
  if (heapMib < 512) v.fail(`${prop}.memory`, 'must be at least 512Mi (a smaller JVM heap cannot start Spark)', memory);
  const factor = program.isNonJvm ? 0.4 : 0.1;
  const overheadMib = overhead === undefined
    ? Math.max(Math.floor(heapMib * factor), MIN_OVERHEAD_MIB)
    : Math.ceil(quantityToNumber(validateQuantity(v, `${prop}.memoryOverhead`, overhead)) / MIB);
  return { heap: `${heapMib}m`, overhead: `${overheadMib}m`, pod: `${heapMib + overheadMib}Mi` };
}

/** The Spark conf of GPU executors: Spark's GPU scheduling and, unless turned off, the RAPIDS Accelerator. */
export function gpuConf(v: IValidator, executor: SparkExecutorOptions, cores: number): Record<string, string> {
  const accelerator = executor.accelerator;
  if (accelerator === undefined) {
    if (executor.rapids === true) v.fail('executor.rapids', 'needs GPU executors (set executor.accelerator to Accelerator.nvidiaGpu(1))', executor.rapids);
    if (executor.gpuDiscoveryScript !== undefined) v.fail('executor.gpuDiscoveryScript', 'needs GPU executors (set executor.accelerator)', executor.gpuDiscoveryScript);
    return {};
  }
  if (!(accelerator instanceof Accelerator)) v.fail('executor.accelerator', 'must be made with Accelerator.nvidiaGpu(1)', accelerator);
  if (accelerator.resourceName !== 'nvidia.com/gpu' || accelerator.count !== 1) {
    v.fail('executor.accelerator', 'must be Accelerator.nvidiaGpu(1): Spark schedules whole GPUs by vendor (nvidia.com/gpu) and RAPIDS uses one GPU per executor', accelerator.description);
  }
  const script = executor.gpuDiscoveryScript ?? DEFAULT_GPU_DISCOVERY_SCRIPT;
  if (typeof script !== 'string' || !/^\/\S+$/.test(script)) v.fail('executor.gpuDiscoveryScript', 'must be an absolute path inside the image', script);
  const conf: Record<string, string> = {
    'spark.executor.resource.gpu.amount': '1',
    'spark.executor.resource.gpu.vendor': 'nvidia.com',
    'spark.executor.resource.gpu.discoveryScript': script,
    // The executor's tasks share its GPU: one task slot per core.
    'spark.task.resource.gpu.amount': String(1 / cores),
  };
  if (executor.rapids !== undefined && typeof executor.rapids !== 'boolean') v.fail('executor.rapids', 'must be true or false', executor.rapids);
  if (executor.rapids ?? true) {
    conf['spark.plugins'] = 'com.nvidia.spark.SQLPlugin';
    conf['spark.rapids.sql.enabled'] = 'true';
  }
  return conf;
}

/** The operator's `dynamicAllocation`, checked. */
export function dynamicAllocationSpec(v: IValidator, da: SparkDynamicAllocation): Record<string, unknown> {
  if (!da || typeof da !== 'object') v.fail('dynamicAllocation', 'must be an object with at least maxExecutors', da);
  const min = validateInteger(v, 'dynamicAllocation.minExecutors', da.minExecutors ?? 0, 0, 10000);
  const max = validateInteger(v, 'dynamicAllocation.maxExecutors', da.maxExecutors, 1, 10000);
  if (max < min) v.fail('dynamicAllocation.maxExecutors', `must be at least minExecutors (${min})`, max);
  const initial = validateInteger(v, 'dynamicAllocation.initialExecutors', da.initialExecutors ?? min, 0, 10000);
  if (initial < min || initial > max) v.fail('dynamicAllocation.initialExecutors', `must be from minExecutors (${min}) to maxExecutors (${max})`, initial);
  const timeout = da.shuffleTrackingTimeout === undefined ? undefined
    : validateInteger(v, 'dynamicAllocation.shuffleTrackingTimeout', durationSeconds(v, 'dynamicAllocation.shuffleTrackingTimeout', da.shuffleTrackingTimeout), 1) * 1000;
  return {
    enabled: true,
    minExecutors: min,
    maxExecutors: max,
    initialExecutors: initial,
    // No external shuffle service on Kubernetes: executors holding shuffle data must be kept.
    shuffleTrackingEnabled: true,
    shuffleTrackingTimeout: timeout,
  };
}

/** The checked dependencies and whether any of them is downloaded over the network, by whom. */
export interface ResolvedDependencies {
  readonly deps?: Record<string, string[]>;
  /** The driver downloads (remote files, Maven packages). */
  readonly driverDownloads: boolean;
  /** The executors download remote jars, files and archives themselves. */
  readonly executorsDownload: boolean;
}

const MAVEN_COORDINATE = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.+-]+$/;
const MAVEN_MODULE = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$/;

/** Checks the dependencies: URIs with an allowed scheme and suffix, Maven coordinates, HTTPS repositories. */
export function resolveDependencies(v: IValidator, deps: SparkDependencies | undefined, program: SparkProgram): ResolvedDependencies {
  if (deps === undefined) return { driverDownloads: isRemoteUri(program.mainFile), executorsDownload: false };
  if (!deps || typeof deps !== 'object') v.fail('dependencies', 'must be an object such as { jars: [...] }', deps);
  const list = (key: keyof SparkDependencies, check: (prop: string, value: string) => void): string[] | undefined => {
    const values = deps[key];
    if (values === undefined) return undefined;
    if (!Array.isArray(values)) v.fail(`dependencies.${key}`, 'must be a list of strings', values);
    values.forEach((value, i) => check(`dependencies.${key}[${i}]`, value));
    if (new Set(values).size !== values.length) v.fail(`dependencies.${key}`, 'must not list an entry twice', values);
    return values.length > 0 ? [...values] : undefined;
  };
  const uri = (suffixes?: string[]) => (prop: string, value: string) => validateSparkUri(v, prop, value, suffixes);
  const coordinate = (pattern: RegExp, example: string) => (prop: string, value: string) => {
    if (typeof value !== 'string' || !pattern.test(value)) v.fail(prop, `must be a Maven coordinate such as ${example}`, value);
  };
  const resolved: Record<string, string[] | undefined> = {
    jars: list('jars', uri(['.jar'])),
    pyFiles: list('pyFiles', uri(['.py', '.zip', '.egg'])),
    files: list('files', uri()),
    archives: list('archives', uri(['.zip', '.tar.gz', '.tgz', '.tar', '.jar'])),
    packages: list('packages', coordinate(MAVEN_COORDINATE, 'org.apache.spark:spark-avro_2.12:3.5.5')),
    excludePackages: list('excludePackages', coordinate(MAVEN_MODULE, 'com.google.guava:guava')),
    repositories: list('repositories', (prop, value) => {
      validateSingleLine(v, prop, value);
      if (!/^https:\/\/\S+$/.test(value)) v.fail(prop, 'must be an https:// URL', value);
    }),
  };
  if (resolved.pyFiles && program.language !== 'Python') v.fail('dependencies.pyFiles', 'needs a Python program', resolved.pyFiles);
  if ((resolved.excludePackages || resolved.repositories) && !resolved.packages) {
    v.fail(resolved.repositories ? 'dependencies.repositories' : 'dependencies.excludePackages', 'needs dependencies.packages', resolved.repositories ?? resolved.excludePackages);
  }
  const remote = [...(resolved.jars ?? []), ...(resolved.pyFiles ?? []), ...(resolved.files ?? []), ...(resolved.archives ?? [])].some(isRemoteUri);
  const entries = Object.entries(resolved).filter((e): e is [string, string[]] => e[1] !== undefined);
  return {
    deps: entries.length > 0 ? Object.fromEntries(entries) : undefined,
    driverDownloads: remote || resolved.packages !== undefined || isRemoteUri(program.mainFile),
    executorsDownload: remote,
  };
}

/** Keys the construct sets from its props, with the prop to use instead. */
const OWNED_KEYS: ReadonlyArray<[RegExp, string]> = [
  [/^spark\.master$/, 'set by the operator'],
  [/^spark\.kubernetes\.namespace$/, 'use namespace'],
  [/^spark\.kubernetes\.authenticate\./, 'use serviceAccountName'],
  [/^spark\.kubernetes\.(driver\.|executor\.)?container\.image$/, 'use image'],
  [/^spark\.kubernetes\.(driver|executor)\.podTemplate/, 'the construct builds the pod templates'],
  [/^spark\.(driver|blockManager|driver\.blockManager)\.port$/, 'the construct fixes the ports its NetworkPolicies open'],
  [/^spark\.(driver|executor)\.(cores|memory|memoryOverhead|memoryOverheadFactor)$/, 'use driver/executor cores, memory and memoryOverhead'],
  [/^spark\.kubernetes\.(driver|executor)\.(request|limit)\.cores$/, 'use driver/executor cores and cpuLimit'],
  [/^spark\.executor\.instances$/, 'use executor.instances'],
  [/^spark\.dynamicAllocation\./, 'use dynamicAllocation'],
  [/^spark\.(executor|driver|task)\.resource\./, 'use executor.accelerator'],
  [/^spark\.kubernetes\.(driver|executor)\.(secretKeyRef|secrets)\./, 'use secretEnv'],
  [/^spark\.jars\.ivy$/, 'set by the construct to a writable directory when packages are given'],
];

/** Credential-like Spark and Hadoop keys: their values must come from Secrets (`secretEnv`), not from the manifest. */
const CREDENTIAL_KEY = /(secret|password|passwd|token|credential|access\.key|\.sas\.|private\.key)/i;

/** Checks the user's Spark conf: string values, no key the construct owns, no credential. */
export function validateSparkConf(v: IValidator, conf: Record<string, string> | undefined): Record<string, string> {
  if (conf === undefined) return {};
  if (!conf || typeof conf !== 'object' || Array.isArray(conf)) v.fail('sparkConf', 'must be an object of string values', conf);
  for (const [key, value] of Object.entries(conf)) {
    if (!/^spark\.[A-Za-z0-9_.-]+$/.test(key)) v.fail('sparkConf', 'must have keys that start with \'spark.\' (letters, digits, \'.\', \'_\', \'-\')', key);
    const owned = OWNED_KEYS.find(([pattern]) => pattern.test(key));
    if (owned) v.fail(`sparkConf.${key}`, `is set by SparkJob (${owned[1]})`, value);
    if (typeof value !== 'string') v.fail(`sparkConf.${key}`, 'must be a string', value);
    validateSingleLine(v, `sparkConf.${key}`, value);
    if (CREDENTIAL_KEY.test(key) && !/\.(provider|type|file)$/i.test(key)) {
      v.fail(`sparkConf.${key}`, 'looks like a credential and must not be in the manifest: pass it with secretEnv (e.g. AWS_SECRET_ACCESS_KEY)', key);
    }
  }
  return { ...conf };
}
