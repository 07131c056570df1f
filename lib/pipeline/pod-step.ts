import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ContainerSpec, PodBuilder } from '../core/pod';
import { PodNetworkPolicy } from '../core/network';
import { SecretValue } from '../core/secrets';
import { validateEnvName } from '../core/validation';
import { IWorkload } from '../core/workload';
import { INPUTS_DIR, OUTPUTS_DIR, PipelineContext } from './context';
import { ArtifactRef, ParameterRef } from './refs';
import { resolveRetry } from './retry';
import { optionalSeconds, PipelineStep, RunOptions } from './step';

/** What steps that run a program take besides when they run: the values they read and write. */
export interface StepIoOptions extends RunOptions {
  /**
   * Parameters the program reads, as environment variables of these names: a pipeline parameter
   * (`pipeline.parameter('threshold')`) or an earlier step's output (`evaluate.output('accuracy')`).
   * @default - none
   */
  readonly parameters?: Record<string, ParameterRef>;
  /**
   * Artifacts of earlier steps the program reads, placed at `/tmp/inputs/<name>` (a file or a directory, as the
   * writing step left it). Needs the pipeline's `artifactRepository`.
   * @default - none
   */
  readonly inputArtifacts?: Record<string, ArtifactRef>;
  /**
   * Output parameters: the program writes each to the file `/tmp/outputs/<name>` (`$OUTPUTS_DIR/<name>`), whose
   * content becomes the value (`step.output(name)`).
   * @default - none
   */
  readonly outputParameters?: string[];
  /**
   * Output artifacts: the program writes each to `/tmp/outputs/<name>` (a file or a directory), which is uploaded
   * to the artifact repository (`step.artifact(name)`). Needs the pipeline's `artifactRepository`.
   * @default - none
   */
  readonly outputArtifacts?: string[];
}

/** The pod of a step, built by the step kind. @internal */
export interface StepPod {
  readonly pod: PodBuilder;
  /** The main container (its name is replaced by Argo's `main`). */
  readonly container: ContainerSpec;
  /** Labels that select the step's pods. */
  readonly podSelector: Record<string, string>;
  /** Labels of the step's objects. */
  readonly labels: Record<string, string>;
}

/**
 * A step that runs a pod of its own: a container or training step. It is a workload, so platform services wire to it
 * like to a Job (`mlflow.connect(step)`): the environment goes into its container and the network path opens from its
 * pods only.
 */
export class PodStep extends PipelineStep implements IWorkload {
  /** The step's pods' name prefix: `<pipeline>-<step>`. */
  public readonly workloadName: string;
  /** The namespace of the pipeline. */
  public readonly namespace?: string;
  /** Labels that select the step's pods. */
  public readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of the step's pods: DNS, the API server and the artifact repository until wired. */
  public readonly networkPolicy: PodNetworkPolicy;

  private readonly pod: PodBuilder;
  private readonly parameterRefs: Record<string, ParameterRef>;
  private readonly artifactRefs: Record<string, ArtifactRef>;
  private readonly retryStrategy?: Record<string, unknown>;
  private readonly deadline?: number;

  /** @internal */
  public constructor(scope: Construct, name: string, ctx: PipelineContext, options: StepIoOptions, build: (step: Construct) => StepPod) {
    super(scope, name, ctx, options, { parameters: options.outputParameters, artifacts: options.outputArtifacts });
    const at = `steps.${name}`;
    this.workloadName = `${ctx.name}-${name}`;
    this.namespace = ctx.namespace;
    this.retryStrategy = resolveRetry(ctx.v, options.retry);
    this.deadline = optionalSeconds(ctx, `${at}.timeout`, options.timeout);
    this.parameterRefs = { ...options.parameters };
    for (const [env, ref] of Object.entries(this.parameterRefs)) {
      validateEnvName(ctx.v, `${at}.parameters`, env);
      this.read(ref, `${at}.parameters.${env}`);
      if (ref.step === undefined && !ctx.parameterNames.includes(ref.name)) ctx.v.fail(`${at}.parameters.${env}`, 'must be a parameter the pipeline declares', ref.name);
    }
    this.artifactRefs = { ...options.inputArtifacts };
    for (const [input, ref] of Object.entries(this.artifactRefs)) {
      if (!/^[a-zA-Z0-9][-a-zA-Z0-9_]{0,62}$/.test(input)) ctx.v.fail(`${at}.inputArtifacts`, 'must have names of letters, digits, \'-\' and \'_\'', input);
      this.read(ref, `${at}.inputArtifacts.${input}`);
    }
    const usesArtifacts = Object.keys(this.artifactRefs).length > 0 || this.outputArtifactNames.length > 0;
    if (usesArtifacts && !ctx.hasArtifactRepository) {
      ctx.v.fail('artifactRepository', `must be set: step '${name}' passes artifacts (ArtifactRepository.fromMlflow(...), .s3(...) or .gcs(...))`, undefined);
    }

    const built = build(this);
    this.pod = built.pod;
    this.podSelector = built.podSelector;
    this.pod.addVolume({ name: 'outputs', emptyDir: {} });
    this.pod.addContainer({
      ...built.container,
      name: 'main',
      env: {
        ...built.container.env,
        OUTPUTS_DIR,
        ...(Object.keys(this.artifactRefs).length > 0 ? { INPUTS_DIR } : {}),
        // Argo substitutes the input parameters of the template.
        ...Object.fromEntries(Object.keys(this.parameterRefs).map((env) => [env, `{{inputs.parameters.${env}}}`])),
      },
      volumeMounts: [...(built.container.volumeMounts ?? []), { name: 'outputs', mountPath: OUTPUTS_DIR }],
    });
    this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', { name: this.workloadName, namespace: this.namespace, podSelector: this.podSelector, labels: built.labels });
    ctx.openExecutorPaths(this.networkPolicy);
  }

  /** Adds an environment variable to the step's container (used by wiring such as `MlflowPlatform.connect`). */
  public addEnv(name: string, value: string | SecretValue): void {
    this.pod.addEnv(name, value);
  }

  /** Adds a label to the step's pods. */
  public addPodLabel(key: string, value: string): void {
    this.pod.addLabel(key, value);
  }

  /** @internal */
  public _template(): Record<string, unknown> {
    return {
      name: this.stepName,
      ...podTemplateFields(this.pod),
      inputs: this.inputs(),
      outputs: this.outputs(),
      retryStrategy: this.retryStrategy,
      activeDeadlineSeconds: this.deadline,
    };
  }

  protected taskArguments(): Record<string, unknown> | undefined {
    const parameters = Object.entries(this.parameterRefs).map(([name, ref]) => ({ name, value: ref._expression }));
    const artifacts = Object.entries(this.artifactRefs).map(([name, ref]) => ({ name, from: ref._expression }));
    if (parameters.length === 0 && artifacts.length === 0) return undefined;
    return { parameters: parameters.length > 0 ? parameters : undefined, artifacts: artifacts.length > 0 ? artifacts : undefined };
  }

  private inputs(): Record<string, unknown> | undefined {
    const parameters = Object.keys(this.parameterRefs).map((name) => ({ name }));
    const artifacts = Object.keys(this.artifactRefs).map((name) => ({ name, path: `${INPUTS_DIR}/${name}` }));
    if (parameters.length === 0 && artifacts.length === 0) return undefined;
    return { parameters: parameters.length > 0 ? parameters : undefined, artifacts: artifacts.length > 0 ? artifacts : undefined };
  }

  private outputs(): Record<string, unknown> | undefined {
    const parameters = this.outputParameterNames.map((name) => ({ name, valueFrom: { path: `${OUTPUTS_DIR}/${name}` } }));
    const artifacts = this.outputArtifactNames.map((name) => ({ name, path: `${OUTPUTS_DIR}/${name}` }));
    if (parameters.length === 0 && artifacts.length === 0) return undefined;
    return { parameters: parameters.length > 0 ? parameters : undefined, artifacts: artifacts.length > 0 ? artifacts : undefined };
  }
}

/**
 * The pod fields of an Argo template, from a restricted pod built by PodBuilder: the container (named `main`, as Argo
 * names it), init containers, volumes, security context, placement, service account and pod labels.
 */
export function podTemplateFields(pod: PodBuilder): Record<string, unknown> {
  const spec = k8s.toJson_PodSpec(pod.podSpec())!;
  const template = pod.template();
  return {
    metadata: { labels: template.metadata?.labels, annotations: template.metadata?.annotations },
    container: spec.containers[0],
    initContainers: spec.initContainers,
    volumes: spec.volumes,
    securityContext: spec.securityContext,
    serviceAccountName: spec.serviceAccountName,
    automountServiceAccountToken: spec.automountServiceAccountToken,
    nodeSelector: spec.nodeSelector,
    tolerations: spec.tolerations,
    affinity: spec.affinity,
    priorityClassName: spec.priorityClassName,
    schedulerName: spec.schedulerName,
  };
}
