import { ApiObject, Duration, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { cronJobFields, Schedule, ScheduleOptions } from '../core/job';
import { componentLabels } from '../core/labels';
import { PodNetworkPolicy } from '../core/network';
import { propNames, rejectUnknownProps } from '../core/props';
import { RequiredSecret, requiredSecretsOf, SecretUse, SecretValue } from '../core/secrets';
import { validateCidr, validateDnsLabel, validateDuration, validateEnum, validateInteger, validateLabels, validateSingleLine } from '../core/validation';
import { ITeam, resolveNamespace } from '../core/workload';
import { ArtifactRepository } from './artifact-repository';
import { PipelineContext } from './context';
import { PodStep } from './pod-step';
import { RunnerIdentity } from './rbac';
import { ParameterRef } from './refs';
import { PipelineStep } from './step';
import { ApprovalStep, ApprovalStepProps, ResourceStep, ResourceStepProps } from './gate-steps';
import { SparkStep, SparkStepProps } from './spark-step';
import { ContainerStepProps, containerStepPod, ExitHandlerProps, TrainingStepProps, trainingStepPod } from './steps';

/** The Argo API version of every object the pipeline emits. */
export const ARGO_API_VERSION = 'argoproj.io/v1alpha1';

/** When Argo deletes the pods of finished steps (`podGC.strategy`). */
export enum PodGcStrategy {
  /** Delete each pod as soon as it finishes. */
  ON_POD_COMPLETION = 'OnPodCompletion',
  /** Delete each pod that succeeded as soon as it finishes; keep failed ones (and their logs) until the run is deleted. */
  ON_POD_SUCCESS = 'OnPodSuccess',
  /** Delete every pod when the run finishes. */
  ON_WORKFLOW_COMPLETION = 'OnWorkflowCompletion',
  /** Delete every pod when the run succeeds; keep all of a failed run's pods. */
  ON_WORKFLOW_SUCCESS = 'OnWorkflowSuccess',
}

/** Props of {@link MlPipeline}. */
export interface MlPipelineProps {
  /**
   * The WorkflowTemplate's name (and CronWorkflow's), the prefix of every other object's name. A DNS-1123 label of at
   * most 45 characters (Argo appends a timestamp to scheduled runs' names).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace of every object.
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * The team that owns the pipeline: its namespace, and for training steps its training ServiceAccount and queue.
   * @default - no team
   */
  readonly team?: ITeam;
  /**
   * Where artifacts passed between steps are kept; required when a step has input or output artifacts.
   * @default - none: steps pass parameters only
   */
  readonly artifactRepository?: ArtifactRepository;
  /**
   * Parameters of the pipeline with their default values; a run or schedule may override them. Steps read them with
   * `pipeline.parameter(name)`.
   * @default - none
   */
  readonly parameters?: Record<string, string>;
  /**
   * Run on this schedule as a CronWorkflow.
   * @default - no schedule: start runs with `addRun` or `argo submit --from workflowtemplate/<name>`
   */
  readonly schedule?: Schedule;
  /**
   * How the schedule recurs; only with `schedule`.
   * @default - UTC, Forbid overlapping runs, 1 hour starting deadline, keep 3 successful and 3 failed runs
   */
  readonly scheduleOptions?: ScheduleOptions;
  /**
   * Wall-clock limit of a whole run (a cost cap).
   * @default - no limit
   */
  readonly timeout?: Duration;
  /**
   * Delete a run (and its remaining pods) this long after it succeeded.
   * @default Duration.days(1)
   */
  readonly ttlAfterSuccess?: Duration;
  /**
   * Delete a run this long after it failed (its failed pods are kept until then, for their logs).
   * @default Duration.days(7)
   */
  readonly ttlAfterFailure?: Duration;
  /**
   * When the pods of finished steps are deleted.
   * @default PodGcStrategy.ON_POD_SUCCESS
   */
  readonly podGc?: PodGcStrategy;
  /**
   * The most steps of one run that run at once.
   * @default - no limit
   */
  readonly parallelism?: number;
  /**
   * The addresses of the Kubernetes API server (its endpoints, as NetworkPolicies see them after the Service is
   * resolved): every step pod's executor reports outputs through it (ports 443 and 6443).
   * @default '0.0.0.0/0'
   */
  readonly apiServerCidr?: string;
  /**
   * Extra labels on every object and pod.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

const ML_PIPELINE_PROPS = propNames<MlPipelineProps>()({
  name: true, namespace: true, team: true, artifactRepository: true, parameters: true, schedule: true, scheduleOptions: true,
  timeout: true, ttlAfterSuccess: true, ttlAfterFailure: true, podGc: true, parallelism: true, apiServerCidr: true, labels: true,
});

/**
 * A multi-step ML pipeline on Argo Workflows (v3.5+ / v4): a `WorkflowTemplate` whose DAG is computed from how the
 * steps use each other's outputs, a `CronWorkflow` when given a schedule, and `Workflow` runs from `addRun`. Every step
 * pod runs under Pod Security "restricted" with its own NetworkPolicy; the pipeline's runner ServiceAccount has only
 * what Argo's executor needs.
 *
 * @example
 * const pipeline = new MlPipeline(chart, 'ml-pipeline', { artifactRepository: ArtifactRepository.fromMlflow(mlflow) });
 * const prep = pipeline.addContainerStep('prepare', { image: 'python:3.12.7-slim', command: ['python', '/app/prep.py'], outputArtifacts: ['data'] });
 * const train = pipeline.addTrainingStep('train', { image: 'pytorch/pytorch:2.4.1-cuda12.1-cudnn9-runtime', command: ['python', '/app/train.py'], inputArtifacts: { data: prep.artifact('data') }, outputParameters: ['accuracy'] });
 * pipeline.addContainerStep('deploy', { image: 'python:3.12.7-slim', command: ['python', '/app/deploy.py'], when: train.output('accuracy').atLeast(0.85) });
 */
export class MlPipeline extends Construct {
  /** The WorkflowTemplate's name. */
  public readonly templateName: string;
  /** The namespace, if set. */
  public readonly namespace?: string;
  /** The runner ServiceAccount every step pod runs as unless a step names another; Argo's executor uses its token. */
  public readonly serviceAccountName: string;
  /** The WorkflowTemplate. */
  public readonly workflowTemplate: ApiObject;
  /** The CronWorkflow, when scheduled. */
  public readonly cronWorkflow?: ApiObject;

  private readonly v: Validator;
  private readonly ctx: PipelineContext;
  private readonly steps: PipelineStep[] = [];
  private readonly runner: RunnerIdentity;
  private readonly parameterDefaults: Record<string, string>;
  private readonly labels: Record<string, string>;
  private exitHandler?: PodStep;
  private readonly secretUses: SecretUse[] = [];
  private approvers?: k8s.Subject[];

  public constructor(scope: Construct, id: string, props: MlPipelineProps = {}) {
    super(scope, id);
    const v = this.v = Validator.forConstruct('MlPipeline', id);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object', props);
    rejectUnknownProps(v, props, ML_PIPELINE_PROPS);
    const name = this.templateName = validateDnsLabel(v, 'name', props.name ?? id, 45);
    const namespace = this.namespace = resolveNamespace(v, this, props);
    if (props.artifactRepository !== undefined && !(props.artifactRepository instanceof ArtifactRepository)) {
      v.fail('artifactRepository', 'must be made with ArtifactRepository.fromMlflow(...), .s3(...) or .gcs(...)', props.artifactRepository);
    }
    this.parameterDefaults = checkParameters(v, props.parameters);
    const apiServerCidr = validateCidr(v, 'apiServerCidr', props.apiServerCidr ?? '0.0.0.0/0');
    const extraLabels = validateLabels(v, 'labels', props.labels) ?? {};
    const labels = this.labels = { ...extraLabels, ...componentLabels({ name, instance: name, component: 'pipeline', partOf: name }) };
    const repository = props.artifactRepository;
    this.ctx = {
      v,
      path: this.node.path,
      name,
      namespace,
      team: props.team,
      labels: extraLabels,
      hasArtifactRepository: repository !== undefined,
      parameterNames: Object.keys(this.parameterDefaults),
      useSecrets: (values, purpose) => {
        for (const value of Object.values(values ?? {})) if (value instanceof SecretValue) this.secretUses.push({ value, namespace, purpose });
      },
      openExecutorPaths: (policy: PodNetworkPolicy) => {
        // Argo's wait container reports outputs to the API server (workflowtaskresults) and moves artifacts.
        policy.allowToCidr(apiServerCidr, [{ port: 443 }, { port: 6443 }]);
        repository?._allow(policy);
      },
    };
    for (const value of repository?._secrets ?? []) this.secretUses.push({ value, namespace, purpose: 'artifact repository credentials (Argo\'s executor reads them)' });
    this.runner = new RunnerIdentity(this, `${name}-runner`, namespace, labels);
    this.serviceAccountName = this.runner.serviceAccountName;
    const repositoryRef = repository === undefined ? undefined : this.renderRepository(repository, labels);
    const spec = this.workflowSpec(props, repositoryRef);
    this.workflowTemplate = new ApiObject(this, 'Resource', {
      apiVersion: ARGO_API_VERSION,
      kind: 'WorkflowTemplate',
      metadata: { name, namespace, labels },
      spec,
    });
    if (props.scheduleOptions !== undefined && props.schedule === undefined) v.fail('scheduleOptions', 'can only be given with a schedule', props.scheduleOptions);
    if (props.schedule !== undefined) this.cronWorkflow = this.renderSchedule(props.schedule, props.scheduleOptions, labels);
  }

  /** A parameter of the pipeline, for steps' `parameters` and conditions. */
  public parameter(name: string): ParameterRef {
    if (!(name in this.parameterDefaults)) {
      this.v.fail('parameter', `must name a parameter the pipeline declares (${Object.keys(this.parameterDefaults).join(', ') || 'none declared'})`, name);
    }
    return ParameterRef._ofPipeline(this.node.path, name);
  }

  /** Adds a step that runs a CPU program (data preparation, feature engineering, evaluation, deployment). */
  public addContainerStep(name: string, props: ContainerStepProps): PodStep {
    const sv = this.newStep(name);
    return this.add(new PodStep(this, name, this.ctx, props, containerStepPod(this.ctx, sv, name, props)));
  }

  /**
   * Adds a training step: the run props of `GpuTrainingJob` (accelerator, dataset and output claims, secrets,
   * hyperparameters, queue), built by the same code.
   */
  public addTrainingStep(name: string, props: TrainingStepProps): PodStep {
    const sv = this.newStep(name);
    return this.add(new PodStep(this, name, this.ctx, props, trainingStepPod(this.ctx, sv, name, props)));
  }

  /**
   * Adds a manual approval gate: the run suspends until one of `approvers` resumes it (`argo resume`); the Role
   * `<pipeline>-approvers` lets them get, resume and stop the pipeline's runs (RBAC cannot single out one gate).
   */
  public addApprovalStep(name: string, props: ApprovalStepProps): ApprovalStep {
    const step = this.add(new ApprovalStep(this, name, this.ctx, this.newStep(name), props));
    this.renderApprovers(step);
    return step;
  }

  /**
   * Adds a step that creates another construct's object (a DistributedTraining run's Job, JobSet or PyTorchJob, a
   * ModelServer's Deployment) and waits for it to succeed; the object leaves its chart and the runner may create it.
   */
  public addResourceStep(name: string, props: ResourceStepProps): ResourceStep {
    const sv = this.newStep(name);
    return this.add(new ResourceStep(this, name, this.ctx, sv, props, (apiGroup, resource, apply) => this.runner.allowCreate({ apiGroup, resource, apply })));
  }

  /**
   * Adds a Spark step: the run creates a SparkApplication `<pipeline>-<step>` with the props of a `SparkJob` and waits
   * until the Spark operator reports it COMPLETED (FAILED or SUBMISSION_FAILED fail the step). The driver's
   * ServiceAccount, Role and the Spark pods' NetworkPolicies stay in the chart; the runner may create and get
   * SparkApplications, nothing more.
   */
  public addSparkStep(name: string, props: SparkStepProps): SparkStep {
    const sv = this.newStep(name);
    return this.add(new SparkStep(this, name, this.ctx, sv, props, (apiGroup, resource, apply) => this.runner.allowCreate({ apiGroup, resource, apply })));
  }

  /**
   * Sets the exit handler: a container that runs when the run ends, succeeded or not, with `WORKFLOW_STATUS`
   * (`Succeeded`, `Failed`, `Error`) and `WORKFLOW_FAILURES` (JSON) in its environment (notifications, cleanup).
   */
  public setExitHandler(name: string, props: ExitHandlerProps): PodStep {
    if (this.exitHandler !== undefined) this.v.fail('setExitHandler', 'can be called once', name);
    const sv = this.newStep(name);
    const env = { ...props?.env, WORKFLOW_STATUS: '{{workflow.status}}', WORKFLOW_FAILURES: '{{workflow.failures}}' };
    for (const key of ['after', 'when', 'parameters', 'inputArtifacts', 'outputArtifacts', 'outputParameters']) {
      if (props && key in props) this.v.fail(`steps.${name}.${key}`, 'cannot be given to the exit handler (it runs outside the DAG, after every step)', (props as Record<string, unknown>)[key]);
    }
    const withStatus = { ...props, env } as ContainerStepProps;
    this.exitHandler = new PodStep(this, name, this.ctx, withStatus, containerStepPod(this.ctx, sv, name, withStatus));
    return this.exitHandler;
  }

  /** The Secrets you must create in the pipeline's namespace before a run: the artifact repository's and the steps'. */
  public get requiredSecrets(): RequiredSecret[] {
    return requiredSecretsOf(this.secretUses);
  }

  /** The steps, in the order they were added. */
  public get allSteps(): PipelineStep[] {
    return [...this.steps];
  }

  /**
   * A Workflow that runs the pipeline once (`kubectl create -f`), with these parameter values. Its name is
   * `<pipeline>-<id>`.
   */
  public addRun(id: string, parameters: Record<string, string> = {}): ApiObject {
    const name = validateDnsLabel(this.v, 'addRun.id', `${this.templateName}-${id}`);
    const values = checkParameters(this.v, parameters, 'addRun.parameters');
    for (const key of Object.keys(values)) {
      if (!(key in this.parameterDefaults)) this.v.fail('addRun.parameters', `must name parameters the pipeline declares (${Object.keys(this.parameterDefaults).join(', ') || 'none declared'})`, key);
    }
    return new ApiObject(this, `Run-${id}`, {
      apiVersion: ARGO_API_VERSION,
      kind: 'Workflow',
      metadata: { name, namespace: this.namespace, labels: this.labels },
      spec: {
        workflowTemplateRef: { name: this.templateName },
        arguments: Object.keys(values).length === 0 ? undefined : { parameters: Object.entries(values).map(([n, value]) => ({ name: n, value })) },
      },
    });
  }

  /** Refuses a step name already taken; the validator of the new step's props. */
  private newStep(name: string) {
    if (this.steps.some((s) => s.stepName === name) || this.exitHandler?.stepName === name) this.v.fail('stepName', 'must be unique in the pipeline', name);
    return this.v.nested(`steps.${name}`);
  }

  private add<T extends PipelineStep>(step: T): T {
    this.steps.push(step);
    return step;
  }

  private workflowSpec(props: MlPipelineProps, artifactRepositoryRef: Record<string, string> | undefined): Record<string, unknown> {
    const v = this.v;
    const podGc = validateEnum(v, 'podGc', props.podGc ?? PodGcStrategy.ON_POD_SUCCESS, PodGcStrategy, 'PodGcStrategy');
    const parameters = Object.entries(this.parameterDefaults).map(([name, value]) => ({ name, value }));
    return {
      entrypoint: 'main',
      // The runner's token reaches Argo's executor containers only (executor.serviceAccountName): programs get none.
      serviceAccountName: this.runner.serviceAccountName,
      automountServiceAccountToken: false,
      executor: { serviceAccountName: this.runner.serviceAccountName },
      // Pods without a template of their own (resource steps) run restricted too.
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      arguments: parameters.length > 0 ? { parameters } : undefined,
      artifactRepositoryRef,
      activeDeadlineSeconds: props.timeout === undefined ? undefined : validateDuration(v, 'timeout', props.timeout, 1),
      parallelism: props.parallelism === undefined ? undefined : validateInteger(v, 'parallelism', props.parallelism, 1, 10000),
      ttlStrategy: {
        secondsAfterSuccess: validateDuration(v, 'ttlAfterSuccess', props.ttlAfterSuccess ?? Duration.days(1), 0),
        secondsAfterFailure: validateDuration(v, 'ttlAfterFailure', props.ttlAfterFailure ?? Duration.days(7), 0),
      },
      podGC: { strategy: podGc },
      onExit: Lazy.any({ produce: () => this.exitHandler?.stepName }),
      templates: Lazy.any({ produce: () => this.templates() }),
    };
  }

  private templates(): Record<string, unknown>[] {
    if (this.steps.length === 0) this.v.fail('steps', 'must have at least one step (addContainerStep, addTrainingStep...)', []);
    return [
      { name: 'main', dag: { tasks: this.steps.map((s) => s._task()) } },
      ...this.steps.map((s) => s._template()),
      ...(this.exitHandler ? [this.exitHandler._template()] : []),
    ];
  }

  /** The approvers' Role and RoleBinding, created with the first gate; later gates add their approvers. */
  private renderApprovers(step: ApprovalStep): void {
    const subjects = step.approvers.map((a) => ({ kind: a.kind, name: a.name, apiGroup: 'rbac.authorization.k8s.io' }));
    if (this.approvers !== undefined) {
      for (const s of subjects) if (!this.approvers.some((x) => x.kind === s.kind && x.name === s.name)) this.approvers.push(s);
      return;
    }
    this.approvers = subjects;
    const name = `${this.templateName}-approvers`;
    const metadata = { name, namespace: this.namespace, labels: this.labels };
    new k8s.KubeRole(this, 'ApproversRole', {
      metadata,
      // `argo resume` and `argo stop` read and update the Workflow; the UI lists and watches runs.
      rules: [{ apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['get', 'list', 'watch', 'update', 'patch'] }],
    });
    new k8s.KubeRoleBinding(this, 'ApproversRoleBinding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: this.approvers,
    });
  }

  private renderRepository(repository: ArtifactRepository, labels: Record<string, string>): Record<string, string> {
    const name = `${this.templateName}-artifact-repository`;
    new k8s.KubeConfigMap(this, 'ArtifactRepository', {
      metadata: { name, namespace: this.namespace, labels },
      data: { repository: repository._render() },
    });
    return { configMap: name, key: 'repository' };
  }

  private renderSchedule(schedule: Schedule, options: ScheduleOptions | undefined, labels: Record<string, string>): ApiObject {
    const cron = cronJobFields(this.v, schedule, options);
    return new ApiObject(this, 'Schedule', {
      apiVersion: ARGO_API_VERSION,
      kind: 'CronWorkflow',
      metadata: { name: this.templateName, namespace: this.namespace, labels },
      spec: {
        schedules: [cron.schedule],
        timezone: cron.timeZone,
        concurrencyPolicy: cron.concurrencyPolicy,
        startingDeadlineSeconds: cron.startingDeadlineSeconds,
        successfulJobsHistoryLimit: cron.successfulJobsHistoryLimit,
        failedJobsHistoryLimit: cron.failedJobsHistoryLimit,
        workflowSpec: { workflowTemplateRef: { name: this.templateName } },
      },
    });
  }
}

/** Checks parameter names (Argo's: letters, digits, '-' and '_') and single-line string values. */
function checkParameters(v: Validator, parameters: Record<string, string> | undefined, prop = 'parameters'): Record<string, string> {
  if (parameters === undefined) return {};
  if (!parameters || typeof parameters !== 'object' || Array.isArray(parameters)) v.fail(prop, 'must be an object of parameter names to values', parameters);
  for (const [key, value] of Object.entries(parameters)) {
    if (!/^[a-zA-Z0-9][-a-zA-Z0-9_]{0,62}$/.test(key)) v.fail(prop, 'must have names of letters, digits, \'-\' and \'_\' (at most 63)', key);
    if (typeof value !== 'string') v.fail(`${prop}.${key}`, 'must be a string', value);
    validateSingleLine(v, `${prop}.${key}`, value);
    if (value.includes('{{')) v.fail(`${prop}.${key}`, 'must not contain \'{{\' (Argo would read it as a template expression)', value);
  }
  return { ...parameters };
}
