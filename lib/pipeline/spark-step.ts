import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator } from '../core/errors';
import { PodNetworkPolicy } from '../core/network';
import { propNames, rejectUnknownProps } from '../core/props';
import { SecretValue } from '../core/secrets';
import { IWorkload } from '../core/workload';
import { renderSparkApplication, RenderedSparkApplication, sparkApplicationManifest } from '../spark/application';
import { SparkJobProps } from '../spark/spark-job-props';
import { PipelineContext } from './context';
import { AllowCreate, ResourceTemplate } from './resource-template';
import { Retry } from './retry';
import { PipelineStep, StepOptions } from './step';

/**
 * Props of {@link MlPipeline.addSparkStep}: the props of a `SparkJob` (without a name, namespace, team or schedule:
 * the pipeline's), and when the step runs.
 */
export interface SparkStepProps extends Omit<SparkJobProps, 'name' | 'namespace' | 'team' | 'schedule' | 'scheduleOptions'>, StepOptions {
  /**
   * Wall-clock limit of the step: the run fails when the SparkApplication has not completed by then.
   * @default - no limit but the pipeline's
   */
  readonly timeout?: Duration;
}

const SPARK_STEP_PROPS = propNames<SparkStepProps>()({
  after: true, when: true, timeout: true,
  image: true, program: true, sparkVersion: true, arguments: true, driver: true, executor: true, dynamicAllocation: true,
  dependencies: true, sparkConf: true, env: true, secretEnv: true, mounts: true, egress: true, retries: true, retryInterval: true,
  timeToLive: true, scheduling: true, serviceAccountName: true, security: true, labels: true,
});

/**
 * A Spark step: the run creates a SparkApplication `<pipeline>-<step>` (rendered by the same code as `SparkJob`) and
 * waits until the Spark operator reports it `COMPLETED`; `FAILED` or `SUBMISSION_FAILED` fails the step. The
 * driver's ServiceAccount and Role and the Spark pods' NetworkPolicies stay in the chart; the pipeline's runner may
 * only create and get SparkApplications. It is a workload: `connect()` wires the driver and executors
 * (`mlflow.connect(step)`). A failed Spark run is restarted by the operator (`retries`), not by Argo: a second
 * `create` of the same SparkApplication would fail (argo-workflows#6150).
 */
export class SparkStep extends PipelineStep implements IWorkload {
  /** The SparkApplication's name: `<pipeline>-<step>`. */
  public readonly workloadName: string;
  /** The namespace of the pipeline. */
  public readonly namespace?: string;
  /** Labels that select the driver and every executor. */
  public readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of every Spark pod of the step: wiring opens paths in it. */
  public readonly networkPolicy: PodNetworkPolicy;
  /** The driver's ServiceAccount. */
  public readonly serviceAccountName: string;
  /**
   * The NetworkPolicy `<pipeline>-<step>-runner` of the step's own pod (Argo's executor, which creates the
   * SparkApplication and polls it): DNS and the API server.
   */
  public readonly runnerNetworkPolicy: PodNetworkPolicy;

  private readonly app: RenderedSparkApplication;
  private readonly template: ResourceTemplate;

  /** @internal */
  public constructor(scope: Construct, name: string, ctx: PipelineContext, v: IValidator, props: SparkStepProps, allowCreate: AllowCreate) {
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least an image and a program', props);
    if ('retry' in props) {
      v.fail('retry', 'cannot be given to a Spark step: Argo would create the same SparkApplication again and fail (argo-workflows#6150); use retries, which the Spark operator restarts the run with', (props as { retry?: unknown }).retry);
    }
    rejectUnknownProps(v, props, SPARK_STEP_PROPS);
    super(scope, name, ctx, props, {});
    const appName = `${ctx.name}-${name}`;
    // The driver pod is `<name>-driver`, and Spark names executors after the application: 56 characters at most.
    if (appName.length > 56) ctx.v.fail('stepName', `must be at most ${55 - ctx.name.length} characters for a Spark step, so that the SparkApplication '${ctx.name}-<step>' is within 56`, name);
    const { after, when, timeout, ...job } = props;
    this.app = renderSparkApplication(this, v, { ...job, name: appName, namespace: ctx.namespace, team: ctx.team }, false);
    this.workloadName = this.app.name;
    this.namespace = this.app.namespace;
    this.podSelector = this.app.podSelector;
    this.networkPolicy = this.app.networkPolicy;
    this.serviceAccountName = this.app.serviceAccountName;
    const { apiVersion, kind, metadata, spec } = sparkApplicationManifest(this.app) as { apiVersion: string; kind: string; metadata: Record<string, any>; spec: unknown };
    const resource = new ApiObject(this, 'SparkApplication', { apiVersion, kind, metadata, spec });
    this.template = new ResourceTemplate(this, name, ctx, v, { resource, retry: Retry.none(), timeout, policyId: 'RunnerNetworkPolicy', policyName: `${appName}-runner` }, allowCreate);
    this.runnerNetworkPolicy = this.template.networkPolicy;
  }

  /** Adds an environment variable to the driver and executors (used by wiring such as `MlflowPlatform.connect`). */
  public addEnv(name: string, value: string | SecretValue): void {
    this.app.addEnv(name, value);
  }

  /** Adds a label to the driver and executor pods. */
  public addPodLabel(key: string, value: string): void {
    this.app.addPodLabel(key, value);
  }

  /** @internal */
  public _template(): Record<string, unknown> {
    return this.template.render(this.stepName);
  }
}
