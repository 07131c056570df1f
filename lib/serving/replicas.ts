import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Accelerator, checkFileMountPath, configChecksumAnnotation, ConfigFiles, IValidator, Placement, PodBuilder, PodNetworkPolicy, PodOptions,
  resolveConfigEnv, resolveFileMounts, ResolvedFileMount,
} from '../core';
import { durationSeconds } from '../core/job';
import { childName, imageTag } from '../core/labels';
import { ServerBlock, serverProbe } from '../core/server';
import { trainingSharedMemory } from '../core/training';
import { validateInteger } from '../core/validation';
import { checkMounts, resolveMount, ResolvedMount } from '../core/volumes';
import { renderAutoscaler, ResolvedAutoscaling, StartupBudget } from './autoscaling';
import { ModelServerProps } from './model-server-props';
import { RuntimeProbe } from './runtime-options';
import { VariantSpec } from './variants';

/** The image of the init container that downloads models from object storage (KServe's storage initializer). */
export const MODEL_DOWNLOAD_IMAGE = 'kserve/storage-initializer:v0.15.2';

/** What {@link renderReplicas} needs of the ModelServer. */
export interface ReplicaInput {
  /** The server's name (the runtime's default served model name). */
  readonly serverName: string;
  readonly namespace?: string;
  readonly props: ModelServerProps;
  readonly variant: VariantSpec;
  /** The variant's Deployment, PodDisruptionBudget and autoscaler: its name, labels and selector. */
  readonly block: ServerBlock;
  /** The replica count without autoscaling. */
  readonly replicas: number;
  readonly autoscaling?: ResolvedAutoscaling;
  /** The most replicas there can be (claims must be mountable from every node they may run on). */
  readonly maxReplicas: number;
  /** The probe period in seconds. */
  readonly period: number;
  readonly placement: Placement;
  /** The server's NetworkPolicy (model downloads need egress). */
  readonly networkPolicy: PodNetworkPolicy;
  /** Makes the pod (the ModelServer keeps every pod for wiring). */
  readonly newPod: (options: PodOptions) => PodBuilder;
}

/**
 * The replicas of one variant: a pod of the runtime's server container with the model mounted or downloaded, the
 * runtime's config files and probes, run by a Deployment with a PodDisruptionBudget and, when asked, an autoscaler.
 */
export function renderReplicas(scope: Construct, v: IValidator, input: ReplicaInput): void {
  const { props, variant, block } = input;
  const runtime = variant.runtime;
  const accelerator = props.accelerator;
  if (accelerator !== undefined && !(accelerator instanceof Accelerator)) v.fail('accelerator', 'must be made with an Accelerator factory such as Accelerator.nvidiaGpu(1)', accelerator);
  if (accelerator !== undefined && accelerator.hostsInSlice !== 1) v.fail('accelerator', 'must fit on one node (a replica is one pod)', accelerator.description);
  const gpus = accelerator?.isNvidia || accelerator?.vendor === 'amd' ? accelerator.count : 0;
  const isVllm = runtime.kind === 'vllm';
  const memory = props.memory ?? (isVllm ? '32Gi' : '8Gi');
  const sharedMemory = props.sharedMemory !== undefined || runtime.needsSharedMemory ? trainingSharedMemory(v, memory, props.sharedMemory) : undefined;
  const config = runtimeConfig(v, input);
  const pod = input.newPod({
    scheduling: input.placement.scheduling,
    serviceAccountName: input.placement.serviceAccountName,
    sharedMemory,
    security: props.security,
    labels: block.podLabels(),
    // A changed config file rolls the pods (a new pod template), as well as reaching the running ones.
    annotations: config === undefined ? undefined : configChecksumAnnotation(config.data),
    topologySpreadConstraints: block.spread({ requireAcrossNodes: props.requireSpreadAcrossNodes }),
  });
  const { mounts, volumeMounts } = mountModel(v, pod, input);
  if (runtime.downloadsFromInternet) input.networkPolicy.allowToCidr(runtime.downloadCidr, [{ port: 443 }]);
  if (config !== undefined) {
    const labels = input.block.identity.labels;
    new k8s.KubeConfigMap(scope, 'RuntimeConfig', { metadata: { name: config.name, namespace: input.namespace, labels }, data: config.data });
  }
  const probes = replicaProbes(v, input);
  if (gpus > 0 && runtime.kind === 'tf-serving' && runtime.imageOverridden && !/gpu/i.test(imageTag(runtime.image(true)) ?? '')) {
    // TF Serving's GPU build is a separate image (`-gpu` tags); the CPU build ignores the GPUs it is given.
    v.fail('runtime.image', 'must be a TF Serving GPU image (a tag with \'gpu\', e.g. \'tensorflow/serving:2.18.0-gpu\') with a GPU accelerator', runtime.image(true));
  }
  pod.addContainer({
    name: 'server',
    image: runtime.image(gpus > 0),
    command: runtime.command,
    args: runtime.args({ serverName: input.serverName, gpus, hasModelSource: variant.model !== undefined }, v),
    env: props.env,
    secretEnv: { ...runtime.secretEnv, ...props.secretEnv },
    resources: { cpu: props.cpu ?? (isVllm ? 4 : 2), cpuLimit: props.cpuLimit, memory, memoryLimit: props.memoryLimit },
    accelerator,
    ports: runtime.ports,
    mounts,
    volumeMounts,
    files: [...config?.files ?? [], ...resolveFileMounts(v, 'files', props.files)],
    envFrom: resolveConfigEnv(v, 'envFrom', props.envFrom),
    writablePaths: runtime.writablePaths,
    ...probes,
  });

  const maxSurge = validateInteger(v, 'maxSurge', props.maxSurge ?? 1, 1, 100);
  block.addDeployment({ pod, replicas: input.autoscaling ? undefined : input.replicas, maxSurge });
  block.addDisruptionBudget();
  if (input.autoscaling) renderAutoscaler(scope, v, block, input.autoscaling, startupBudget(probes.startupProbe, input));
}

/** The startup budget of a replica: the startup probe's checks × its period. */
function startupBudget(startupProbe: k8s.Probe, input: ReplicaInput): StartupBudget {
  const checks = startupProbe.failureThreshold ?? 1;
  const from = input.props.startupTimeout !== undefined ? 'startupTimeout' : `the ${input.variant.runtime.kind} runtime's default startup budget`;
  return { seconds: checks * input.period, source: `${from}: the startup probe's ${checks} checks every ${input.period}s` };
}

/**
 * The model in the server container at the runtime's model path: a claim mounted read-only, or an `emptyDir` an
 * init container downloads the model into (with egress to the store).
 */
function mountModel(v: IValidator, pod: PodBuilder, input: ReplicaInput): { mounts: ResolvedMount[]; volumeMounts: k8s.VolumeMount[] } {
  const { variant, networkPolicy } = input;
  const runtime = variant.runtime;
  const model = variant.model;
  const volumeMounts: k8s.VolumeMount[] = [];
  const mounts: ResolvedMount[] = [];
  if (model?.claim !== undefined) {
    mounts.push(resolveMount(v, variant.prop, { claim: model.claim, path: runtime.modelPath, subPath: model.subPath, readOnly: true }, true));
    checkMounts(v, mounts, {
      podsMaySpanNodes: input.maxReplicas > 1,
      namespace: input.namespace,
      why: `the ${input.maxReplicas} replicas may run on different nodes`,
    });
  } else if (model?.download !== undefined) {
    const download = model.download;
    pod.addVolume({ name: 'model', emptyDir: { sizeLimit: download.sizeLimit ? k8s.Quantity.fromString(download.sizeLimit) : undefined } });
    const initMounts: k8s.VolumeMount[] = [{ name: 'model', mountPath: runtime.modelPath }];
    const env = { ...download.env };
    if (download.keyFile) {
      pod.addVolume({ name: 'model-credentials', secret: { secretName: download.keyFile.secretName, items: [{ key: download.keyFile.key, path: 'key.json' }] } });
      initMounts.push({ name: 'model-credentials', mountPath: '/var/run/secrets/model-storage', readOnly: true });
      env.GOOGLE_APPLICATION_CREDENTIALS = '/var/run/secrets/model-storage/key.json';
    }
    pod.addInitContainer({
      name: 'model-download',
      image: MODEL_DOWNLOAD_IMAGE,
      args: [model.uri, runtime.modelPath],
      env,
      secretEnv: download.secretEnv,
      resources: { cpu: '100m', cpuLimit: 1, memory: '256Mi', memoryLimit: '1Gi' },
      volumeMounts: initMounts,
      prop: `${variant.prop}`,
    });
    volumeMounts.push({ name: 'model', mountPath: runtime.modelPath, readOnly: true });
    networkPolicy.allowToCidr(download.cidr ?? '0.0.0.0/0', [{ port: download.port }]);
  }
  return { mounts, volumeMounts };
}

/**
 * The runtime's config files in a ConfigMap `<deployment>-config`, mounted directory by directory (never file by file
 * with `subPath`, which would keep the running server on the old file): its name, data and file mounts.
 */
function runtimeConfig(v: IValidator, input: ReplicaInput): { name: string; data: Record<string, string>; files: ResolvedFileMount[] } | undefined {
  const runtime = input.variant.runtime;
  if (runtime.configFiles.length === 0) return undefined;
  const name = childName(input.block.identity.name, 'config');
  const data: Record<string, string> = {};
  const directories = new Map<string, { first: number; items: Record<string, { path: string }> }>();
  runtime.configFiles.forEach((file, i) => {
    const slash = file.path.lastIndexOf('/');
    const directory = file.path.slice(0, slash) || '/';
    const key = `file-${i}-${file.path.slice(slash + 1)}`;
    data[key] = file.content;
    const entry = directories.get(directory) ?? { first: i, items: {} };
    entry.items[key] = { path: file.path.slice(slash + 1) };
    directories.set(directory, entry);
  });
  const files = [...directories].map(([path, { first, items }], i): ResolvedFileMount => {
    const prop = `runtime.configFiles[${first}]`;
    checkFileMountPath(v, `${prop}.path`, path, 'the directory of a config file is mounted whole');
    return { source: ConfigFiles.fromConfigMap(name, { items }), path, prop, volumeName: i === 0 ? 'runtime-config' : `runtime-config-${i}` };
  });
  return { name, data, files };
}

/**
 * The runtime's probes at the server's period. Startup gets the whole startup budget (a slow model load is not
 * killed); readiness and liveness start after it and fail after three misses.
 */
function replicaProbes(v: IValidator, input: ReplicaInput): { startupProbe: k8s.Probe; readinessProbe: k8s.Probe; livenessProbe: k8s.Probe } {
  const runtime = input.variant.runtime;
  const period = input.period;
  const startupSeconds = durationSeconds(v, 'startupTimeout', input.props.startupTimeout ?? runtime.startupBudget);
  if (startupSeconds < period) {
    v.fail('startupTimeout', `must be at least one probe period (${period}s): the startup probe needs one check to succeed`, `${startupSeconds}s`);
  }
  const probe = (check: RuntimeProbe, failureThreshold: number) => serverProbe(check, { periodSeconds: period, timeoutSeconds: Math.min(5, period), failureThreshold });
  return {
    startupProbe: probe(runtime.probes.startup ?? runtime.probes.readiness, Math.ceil(startupSeconds / period)),
    readinessProbe: probe(runtime.probes.readiness, 3),
    livenessProbe: probe(runtime.probes.liveness, 3),
  };
}
