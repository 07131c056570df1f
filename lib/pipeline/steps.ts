import { Construct } from 'constructs';
import { ConfigEnv, FileMount, resolveConfigEnv, resolveFileMounts } from '../core/config-files';
import { IValidator } from '../core/errors';
import { componentLabels, imageTag, selectorLabels } from '../core/labels';
import { PodBuilder, PodSecurityOptions } from '../core/pod';
import { propNames, rejectUnknownProps } from '../core/props';
import { SecretValue } from '../core/secrets';
import { QuantityInput, validateDnsSubdomain, validateImage, validateLabels } from '../core/validation';
import { checkMounts, resolveMount, VolumeMount } from '../core/volumes';
import { TrainingRun, TrainingRunProps } from '../training/run';
import { PipelineContext } from './context';
import { StepIoOptions, StepPod } from './pod-step';

/** Props of {@link MlPipeline.addContainerStep}: a CPU program (data preparation, evaluation, deployment). */
export interface ContainerStepProps extends StepIoOptions {
  /** The image, pinned by tag (not `latest`) or digest. */
  readonly image: string;
  /**
   * The command. Required: Argo's emissary executor runs it through its own launcher and would otherwise look the
   * image's entrypoint up in the registry from the controller.
   */
  readonly command: string[];
  /**
   * Arguments.
   * @default - none
   */
  readonly args?: string[];
  /**
   * The working directory.
   * @default - the image's
   */
  readonly workingDir?: string;
  /**
   * Plain environment variables (credential-like names are refused: use `secretEnv`).
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables read from Secrets.
   * @default - none
   */
  readonly secretEnv?: Record<string, SecretValue>;
  /**
   * CPU request (and limit unless `cpuLimit`).
   * @default 1
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory request (and limit unless `memoryLimit`).
   * @default '2Gi'
   */
  readonly memory?: QuantityInput;
  /**
   * CPU limit.
   * @default - the CPU request
   */
  readonly cpuLimit?: QuantityInput;
  /**
   * Memory limit.
   * @default - the memory request
   */
  readonly memoryLimit?: QuantityInput;
  /**
   * Claims to mount (read-only unless `readOnly: false`).
   * @default - none
   */
  readonly mounts?: VolumeMount[];
  /**
   * Files from ConfigMaps and Secrets that exist in the namespace, each mounted read-only as a directory:
   * `{ source: ConfigFiles.fromConfigMap('eval-config'), path: '/etc/eval' }`.
   * @default - none
   */
  readonly files?: FileMount[];
  /**
   * ConfigMaps and Secrets whose keys all become environment variables (`envFrom`), with an optional prefix.
   * @default - none
   */
  readonly envFrom?: ConfigEnv[];
  /**
   * The ServiceAccount the step's pod runs as (its token is not mounted into the program's container).
   * @default - the pipeline's runner ServiceAccount
   */
  readonly serviceAccountName?: string;
  /**
   * The user and group the containers run as.
   * @default - user 1000, group 1000
   */
  readonly security?: PodSecurityOptions;
  /**
   * Extra labels on the step's pods.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Props of {@link MlPipeline.addTrainingStep}: the run props of `GpuTrainingJob`, as one step of a pipeline. */
export interface TrainingStepProps extends Omit<TrainingRunProps, 'namespace' | 'team' | 'backoffLimit' | 'activeDeadline' | 'ttlAfterFinished' | 'retryOnDisruption' | 'failFastExitCodes' | 'suspend'>, StepIoOptions {}

/** Props of {@link MlPipeline.setExitHandler}: a container step that runs when the run ends, outside the DAG. */
export interface ExitHandlerProps extends Omit<ContainerStepProps, 'after' | 'when' | 'parameters' | 'inputArtifacts' | 'outputArtifacts' | 'outputParameters'> {}

const IO_PROPS = {
  after: true, when: true, retry: true, timeout: true, parameters: true, inputArtifacts: true, outputParameters: true, outputArtifacts: true,
} as const;

const CONTAINER_STEP_PROPS = propNames<ContainerStepProps>()({
  ...IO_PROPS, image: true, command: true, args: true, workingDir: true, env: true, secretEnv: true, cpu: true, memory: true,
  cpuLimit: true, memoryLimit: true, mounts: true, files: true, envFrom: true, serviceAccountName: true, security: true, labels: true,
});

const TRAINING_STEP_PROPS = propNames<TrainingStepProps>()({
  ...IO_PROPS, image: true, command: true, args: true, workingDir: true, accelerator: true, cpu: true, cpuLimit: true, memory: true, memoryLimit: true, sharedMemory: true,
  env: true, secretEnv: true, hyperparameters: true, hyperparametersConfigMapName: true, files: true, envFrom: true, scheduling: true,
  serviceAccountName: true, automountServiceAccountToken: true,
  security: true, labels: true, dataset: true, modelOutput: true, checkpoints: true, mounts: true,
});

/** Refuses a missing or empty command (Argo's emissary executor needs it). */
function requireCommand(v: IValidator, command: unknown): void {
  if (!Array.isArray(command) || command.length === 0) {
    v.fail('command', 'must be given as a non-empty list: Argo\'s emissary executor wraps the command and cannot read the image\'s entrypoint without registry access', command);
  }
}

/** The pod of a container step. @internal */
export function containerStepPod(ctx: PipelineContext, v: IValidator, name: string, props: ContainerStepProps): (scope: Construct) => StepPod {
  if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least image and command', props);
  rejectUnknownProps(v, props, CONTAINER_STEP_PROPS);
  validateImage(v, 'image', props.image);
  requireCommand(v, props.command);
  if (props.serviceAccountName !== undefined) validateDnsSubdomain(v, 'serviceAccountName', props.serviceAccountName);
  if (props.mounts !== undefined && !Array.isArray(props.mounts)) v.fail('mounts', 'must be a list of { claim, path }', props.mounts);
  const mounts = (props.mounts ?? []).map((m, i) => resolveMount(v, `mounts[${i}]`, m, true));
  checkMounts(v, mounts, { podsMaySpanNodes: false, namespace: ctx.namespace });
  const files = resolveFileMounts(v, 'files', props.files);
  const envFrom = resolveConfigEnv(v, 'envFrom', props.envFrom);
  const instance = `${ctx.name}-${name}`;
  const labels = {
    ...ctx.labels,
    ...validateLabels(v, 'labels', props.labels),
    ...componentLabels({ name: ctx.name, instance, component: 'pipeline-step', partOf: ctx.name, version: imageTag(props.image) }),
  };
  const podSelector = selectorLabels({ instance, component: 'pipeline-step' });
  ctx.useSecrets(props.secretEnv, `environment of step ${name}`);
  return () => ({
    pod: new PodBuilder(v, { serviceAccountName: props.serviceAccountName, security: props.security, labels: { ...labels, ...podSelector } }),
    container: {
      name: 'main',
      image: props.image,
      command: props.command,
      args: props.args,
      workingDir: props.workingDir,
      env: props.env,
      secretEnv: props.secretEnv,
      resources: { cpu: props.cpu ?? 1, memory: props.memory ?? '2Gi', cpuLimit: props.cpuLimit, memoryLimit: props.memoryLimit },
      mounts,
      files,
      envFrom,
    },
    podSelector,
    labels,
  });
}

/**
 * The pod of a training step, built by the same code as GpuTrainingJob's (TrainingRun): accelerator, tolerations and
 * node selection, `/dev/shm`, hyperparameters ConfigMap, dataset/model/checkpoint claims, the team's training
 * ServiceAccount and queue. @internal
 */
export function trainingStepPod(ctx: PipelineContext, v: IValidator, name: string, props: TrainingStepProps): (scope: Construct) => StepPod {
  if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least image and command', props);
  rejectUnknownProps(v, props, TRAINING_STEP_PROPS);
  validateImage(v, 'image', props.image);
  requireCommand(v, props.command);
  ctx.useSecrets(props.secretEnv, `environment of step ${name}`);
  return (scope) => {
    const runName = `${ctx.name}-${name}`;
    const run = TrainingRun.prepare(scope, v, { ...props, namespace: ctx.namespace, team: ctx.team }, { name: runName, podsMaySpanNodes: false });
    const labels = { ...ctx.labels, ...run.labels, 'app.kubernetes.io/part-of': ctx.name };
    return {
      pod: run.pod({ restartPolicy: undefined, labels: { 'app.kubernetes.io/part-of': ctx.name } }),
      container: run.container({ name: 'main' }),
      podSelector: run.podSelector,
      labels,
    };
  };
}
