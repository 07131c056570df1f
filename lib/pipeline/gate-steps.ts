import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator, Validator } from '../core/errors';
import { PodNetworkPolicy } from '../core/network';
import { propNames, rejectUnknownProps } from '../core/props';
import { Subject } from '../tenancy/persona';
import { PipelineContext } from './context';
import { AllowCreate, ResourceTemplate } from './resource-template';
import { PipelineStep, RunOptions, StepOptions } from './step';

/** Props of {@link MlPipeline.addApprovalStep}: a manual gate. */
export interface ApprovalStepProps extends StepOptions {
  /**
   * Who may approve: users and groups of the cluster's authenticator, bound to the Role `<pipeline>-approvers`
   * (resume or stop the pipeline's runs).
   */
  readonly approvers: Subject[];
}

/**
 * A manual approval gate: the run suspends here until an approver resumes it (`argo resume`, or Resume in the Argo
 * UI); stopping the run rejects. Steps after the gate run only once it is resumed. It never resumes by itself.
 */
export class ApprovalStep extends PipelineStep {
  /** Who may resume (approve) or stop (reject) the pipeline's runs. */
  public readonly approvers: Subject[];

  /** @internal */
  public constructor(scope: Construct, name: string, ctx: PipelineContext, v: IValidator, props: ApprovalStepProps) {
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with approvers', props);
    rejectUnknownProps(v, props, APPROVAL_STEP_PROPS);
    if (!Array.isArray(props.approvers) || props.approvers.length === 0) {
      v.fail('approvers', 'must list at least one Subject.user(...) or Subject.group(...): nobody could approve otherwise', props.approvers);
    }
    props.approvers.forEach((a, i) => {
      if (!(a instanceof Subject)) v.fail(`approvers[${i}]`, 'must be made with Subject.user(...) or Subject.group(...)', a);
    });
    super(scope, name, ctx, props, {});
    this.approvers = [...props.approvers];
  }

  /** Steps after a gate run only when it was approved, never when its condition skipped it. @internal */
  public get _dependsOnMe(): string {
    return `${this.stepName}.Succeeded`;
  }

  /** @internal */
  public _template(): Record<string, unknown> {
    return { name: this.stepName, suspend: {} };
  }
}

const APPROVAL_STEP_PROPS = propNames<ApprovalStepProps>()({ after: true, when: true, approvers: true });

/** A field of an object's JSON compared to a value: Argo's success and failure conditions of a resource step. */
export class ResourceCondition {
  /** The field at `path` (dotted, `status.phase`) equals `value`. */
  public static equals(path: string, value: string | number): ResourceCondition {
    return ResourceCondition.make('ResourceCondition.equals', path, '==', value);
  }

  /** The field at `path` differs from `value`. */
  public static notEquals(path: string, value: string | number): ResourceCondition {
    return ResourceCondition.make('ResourceCondition.notEquals', path, '!=', value);
  }

  /** The number at `path` is greater than `value`. */
  public static greaterThan(path: string, value: number): ResourceCondition {
    return ResourceCondition.make('ResourceCondition.greaterThan', path, '>', value);
  }

  /** The number at `path` is less than `value`. */
  public static lessThan(path: string, value: number): ResourceCondition {
    return ResourceCondition.make('ResourceCondition.lessThan', path, '<', value);
  }

  /** Every condition holds. */
  public static all(...conditions: ResourceCondition[]): ResourceCondition {
    const v = Validator.forFactory('ResourceCondition.all');
    if (conditions.length === 0) v.fail('conditions', 'must list at least one condition', conditions);
    conditions.forEach((c, i) => {
      if (!(c instanceof ResourceCondition)) v.fail(`conditions[${i}]`, 'must be made with ResourceCondition.equals(...) and friends', c);
    });
    return new ResourceCondition(conditions.map((c) => c.expression).join(','));
  }

  private static make(factory: string, path: string, operator: string, value: string | number): ResourceCondition {
    const v = Validator.forFactory(factory);
    // Argo parses conditions as label selectors: keys are at most 63 letters, digits, '-', '_' and '.'.
    if (typeof path !== 'string' || !/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(path)) {
      v.fail('path', 'must be a dotted field path of at most 63 letters, digits, \'-\', \'_\' and \'.\' (e.g. \'status.succeeded\')', path);
    }
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) v.fail('value', 'must be a whole number (Argo compares integers)', value);
    } else if (typeof value !== 'string' || !/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(value)) {
      v.fail('value', 'must be a label-like value (letters, digits, \'-\', \'_\' and \'.\')', value);
    }
    return new ResourceCondition(`${path} ${operator} ${value}`);
  }

  private constructor(
    /** The Argo condition. @internal */
    public readonly expression: string,
  ) {}
}

/** Props of {@link MlPipeline.addResourceStep}: create another construct's object and wait for it. */
export interface ResourceStepProps extends RunOptions {
  /**
   * The object to create: a construct's main object (a DistributedTraining run's Job, JobSet or PyTorchJob, a
   * ModelServer's Deployment). It is taken out of its chart: the pipeline creates it when the step runs, owned by the
   * run (deleted with it); a Deployment is applied instead (a rollout that outlives the run). It keeps its name, so
   * runs with a created object must not overlap (the default `ConcurrencyPolicy.FORBID`) and a run must be deleted
   * (`ttlAfterSuccess`) before the next creates it again.
   */
  readonly resource: ApiObject;
  /**
   * When the object has succeeded.
   * @default - by kind: a Job's `status.succeeded > 0`, a JobSet's `status.terminalState == Completed`, a Kubeflow
   * job's master, chief or launcher succeeded, a SparkApplication `COMPLETED`, a Deployment's `status.readyReplicas` at
   * its replicas; other kinds must give it
   */
  readonly successCondition?: ResourceCondition;
  /**
   * When the object has failed (the step fails at once).
   * @default - by kind: a Job failed more than its backoffLimit, a JobSet's `status.terminalState == Failed`, a
   * Kubeflow job's master, chief or launcher failed, a SparkApplication `FAILED` or `SUBMISSION_FAILED`; none otherwise
   */
  readonly failureCondition?: ResourceCondition;
}

const RESOURCE_STEP_PROPS = propNames<ResourceStepProps>()({
  after: true, when: true, retry: true, timeout: true, resource: true, successCondition: true, failureCondition: true,
});

/**
 * A step that creates another construct's object and waits until it succeeds or fails (Argo's resource template,
 * `kubectl create` by the executor, or `kubectl apply` for a Deployment rollout). The runner's Role gets `create` and
 * `get` on that kind (and `patch` to apply), nothing more.
 */
export class ResourceStep extends PipelineStep {
  /** The kind created. */
  public readonly kind: string;
  /** The NetworkPolicy of the step's pod (Argo's executor): DNS and the API server. */
  public readonly networkPolicy: PodNetworkPolicy;
  /** Labels that select the step's pod. */
  public readonly podSelector: Record<string, string>;

  private readonly template: ResourceTemplate;

  /** @internal */
  public constructor(scope: Construct, name: string, ctx: PipelineContext, v: IValidator, props: ResourceStepProps, allowCreate: AllowCreate) {
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with a resource', props);
    rejectUnknownProps(v, props, RESOURCE_STEP_PROPS);
    if (!(props.resource instanceof ApiObject)) v.fail('resource', 'must be a cdk8s ApiObject (a construct\'s main object, e.g. its `resource` handle)', props.resource);
    for (const prop of ['successCondition', 'failureCondition'] as const) {
      if (props[prop] !== undefined && !(props[prop] instanceof ResourceCondition)) v.fail(prop, 'must be made with ResourceCondition.equals(...) and friends', props[prop]);
    }
    super(scope, name, ctx, props, {});
    this.template = new ResourceTemplate(this, name, ctx, v, {
      resource: props.resource,
      success: props.successCondition?.expression,
      failure: props.failureCondition?.expression,
      retry: props.retry,
      timeout: props.timeout,
      policyId: 'NetworkPolicy',
    }, allowCreate);
    this.kind = this.template.kind;
    this.networkPolicy = this.template.networkPolicy;
    this.podSelector = this.template.podSelector;
  }

  /** @internal */
  public _template(): Record<string, unknown> {
    return this.template.render(this.stepName);
  }
}
