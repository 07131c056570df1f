import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { cronJobFields } from '../core/job';
import { PodNetworkPolicy } from '../core/network';
import { propNames, rejectUnknownProps } from '../core/props';
import { SecretValue } from '../core/secrets';
import { IWorkload } from '../core/workload';
import { renderSparkApplication, RenderedSparkApplication, SPARK_API_VERSION } from './application';
import { SparkJobProps } from './spark-job-props';

const SPARK_JOB_PROPS = propNames<SparkJobProps>()({
  name: true, namespace: true, team: true, image: true, program: true, sparkVersion: true, arguments: true, driver: true,
  executor: true, dynamicAllocation: true, dependencies: true, sparkConf: true, env: true, secretEnv: true, mounts: true,
  egress: true, retries: true, retryInterval: true, timeToLive: true, schedule: true, scheduleOptions: true,
  scheduling: true, serviceAccountName: true, security: true, labels: true,
});

/**
 * A Spark data-processing job on the Kubeflow Spark operator (v2.x): a `SparkApplication`, or a
 * `ScheduledSparkApplication` when given a schedule. The driver and executors are built from pod templates (no
 * webhook needed) that meet Pod Security "restricted" with a read-only root filesystem; the driver gets a
 * ServiceAccount and Role with exactly what it does through the API (executor pods, their ConfigMap, Services) and is
 * the only pod with a token. NetworkPolicies open only the driver ↔ executor paths on fixed ports (7078 RPC, 7079
 * block manager), the API server to the driver, and what `connect()` and `egress` add. GPU executors run the RAPIDS
 * Accelerator.
 *
 * @example
 * new SparkJob(chart, 'etl', {
 *   image: 'apache/spark:3.5.5-python3',
 *   program: SparkProgram.python('local:///opt/spark/work/etl.py'),
 *   executor: { instances: 4, cores: 2, memory: '8Gi' },
 * });
 */
export class SparkJob extends Construct implements IWorkload {
  /** The SparkApplication's (or ScheduledSparkApplication's) name. */
  public readonly workloadName: string;
  /** The namespace, if known. */
  public readonly namespace?: string;
  /** Labels that select the driver and every executor. */
  public readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of every pod of the job: wiring (`connect()`) opens paths in it. */
  public readonly networkPolicy: PodNetworkPolicy;
  /** The driver's ServiceAccount. */
  public readonly serviceAccountName: string;
  /** The SparkApplication or ScheduledSparkApplication. */
  public readonly resource: ApiObject;

  private readonly rendered: RenderedSparkApplication;

  public constructor(scope: Construct, id: string, props: SparkJobProps) {
    super(scope, id);
    const v = Validator.forConstruct('SparkJob', id);
    rejectUnknownProps(v, props, SPARK_JOB_PROPS);
    const scheduled = props?.schedule !== undefined;
    if (!scheduled && props?.scheduleOptions !== undefined) v.fail('scheduleOptions', 'needs a schedule', props.scheduleOptions);
    const app = this.rendered = renderSparkApplication(this, v, props, scheduled);
    this.workloadName = app.name;
    this.namespace = app.namespace;
    this.podSelector = app.podSelector;
    this.networkPolicy = app.networkPolicy;
    this.serviceAccountName = app.serviceAccountName;
    const metadata = { name: app.name, namespace: app.namespace, labels: app.labels };
    if (!scheduled) {
      this.resource = new ApiObject(this, 'Resource', { apiVersion: SPARK_API_VERSION, kind: 'SparkApplication', metadata, spec: app.spec });
      return;
    }
    if (props.scheduleOptions?.startingDeadline !== undefined) {
      v.fail('scheduleOptions.startingDeadline', 'is not supported by the Spark operator\'s ScheduledSparkApplication (leave it out)', props.scheduleOptions.startingDeadline);
    }
    const cron = cronJobFields(v, props.schedule!, props.scheduleOptions);
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: SPARK_API_VERSION,
      kind: 'ScheduledSparkApplication',
      metadata,
      spec: {
        schedule: cron.schedule,
        timeZone: cron.timeZone,
        concurrencyPolicy: cron.concurrencyPolicy,
        successfulRunHistoryLimit: cron.successfulJobsHistoryLimit,
        failedRunHistoryLimit: cron.failedJobsHistoryLimit,
        template: app.spec,
      },
    });
  }

  /** Adds an environment variable to the driver and executors (used by wiring such as `MlflowPlatform.connect`). */
  public addEnv(name: string, value: string | SecretValue): void {
    this.rendered.addEnv(name, value);
  }

  /** Adds a label to the driver and executor pods. */
  public addPodLabel(key: string, value: string): void {
    this.rendered.addPodLabel(key, value);
  }
}
