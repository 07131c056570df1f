import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator } from '../core/errors';
import { componentLabels, selectorLabels } from '../core/labels';
import { PodNetworkPolicy } from '../core/network';
import { PipelineContext } from './context';
import { resolveRetry, Retry } from './retry';
import { optionalSeconds } from './step';

/** The kind a resource step creates, and the conditions it waits for by default. */
interface KindDefaults {
  readonly success?: string;
  readonly failure?: string;
  /** A long-running object (a Deployment) is applied, a rollout that outlives the run; runs are created and owned. */
  readonly rollout?: boolean;
}

/** The conditions that mean "done" for the kinds the library's constructs emit. */
function kindDefaults(manifest: Record<string, any>): KindDefaults {
  const group = String(manifest.apiVersion).includes('/') ? String(manifest.apiVersion).split('/')[0] : '';
  const spec = manifest.spec ?? {};
  switch (`${group}/${manifest.kind}`) {
    case 'batch/Job': return { success: 'status.succeeded > 0', failure: `status.failed > ${spec.backoffLimit ?? 6}` };
    case 'jobset.x-k8s.io/JobSet': return { success: 'status.terminalState == Completed', failure: 'status.terminalState == Failed' };
    case 'apps/Deployment': return { success: `status.readyReplicas > ${(spec.replicas ?? 1) - 1}`, rollout: true };
    case 'kubeflow.org/PyTorchJob': return replicaConditions('Master', spec.pytorchReplicaSpecs);
    case 'kubeflow.org/TFJob': return replicaConditions('Chief', spec.tfReplicaSpecs, 'Worker');
    case 'kubeflow.org/MPIJob': return replicaConditions('Launcher', spec.mpiReplicaSpecs);
    // The Spark operator's states: COMPLETED, or FAILED / SUBMISSION_FAILED once its retries are spent.
    case 'sparkoperator.k8s.io/SparkApplication':
      return { success: 'status.applicationState.state == COMPLETED', failure: 'status.applicationState.state in (FAILED,SUBMISSION_FAILED)' };
    default: return {};
  }
}

function replicaConditions(role: string, specs: Record<string, unknown> | undefined, fallback?: string): KindDefaults {
  const r = specs && role in specs ? role : (fallback ?? role);
  return { success: `status.replicaStatuses.${r}.succeeded > 0`, failure: `status.replicaStatuses.${r}.failed > 0` };
}

/** The plural resource name of a kind, as RBAC rules name it (`Job` → `jobs`, `Policy` → `policies`). */
function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

/** Lets the runner create (and get, and patch to apply) objects of a kind. */
export type AllowCreate = (apiGroup: string, resource: string, apply: boolean) => void;

/** What an Argo resource template does, as a step asks for it. @internal */
export interface ResourceTemplateOptions {
  /** The object to create; it leaves its chart. */
  readonly resource: ApiObject;
  /** Argo's success condition; else the kind's default. */
  readonly success?: string;
  /** Argo's failure condition; else the kind's default. */
  readonly failure?: string;
  readonly retry?: Retry;
  readonly timeout?: Duration;
  /** The construct id of the executor pod's NetworkPolicy under the step. */
  readonly policyId: string;
  /** The name of that NetworkPolicy; else `<pipeline>-<step>`. */
  readonly policyName?: string;
}

/**
 * An Argo resource template: the executor (`kubectl create`, or `apply` for a Deployment rollout) creates the object
 * and polls it until its success or failure condition holds. The object is taken out of its chart, the runner may
 * create and get that kind, and the executor's pod gets a NetworkPolicy of its own (DNS and the API server). Shared by
 * the resource step and the Spark step. @internal
 */
export class ResourceTemplate {
  /** The NetworkPolicy of the executor's pod. */
  public readonly networkPolicy: PodNetworkPolicy;
  /** Labels that select the executor's pod. */
  public readonly podSelector: Record<string, string>;
  /** The kind created. */
  public readonly kind: string;

  private readonly resource: ApiObject;
  private readonly labels: Record<string, string>;
  private readonly success: string;
  private readonly failure?: string;
  private readonly rollout: boolean;
  private readonly retryStrategy?: Record<string, unknown>;
  private readonly deadline?: number;

  public constructor(step: Construct, stepName: string, ctx: PipelineContext, v: IValidator, options: ResourceTemplateOptions, allowCreate: AllowCreate) {
    const resource = this.resource = options.resource;
    const namespace = resource.metadata.namespace;
    if (namespace !== ctx.namespace) {
      v.fail('resource', `must be in the pipeline's namespace '${ctx.namespace ?? 'chart default'}' (the runner's Role is namespaced)`, `${resource.kind}/${resource.name} in ${namespace ?? 'the chart default'}`);
    }
    this.kind = resource.kind;
    const defaults = kindDefaults({ apiVersion: resource.apiVersion, kind: resource.kind, spec: resource.toJson().spec });
    const success = options.success ?? defaults.success;
    this.failure = options.failure ?? defaults.failure;
    this.rollout = defaults.rollout === true;
    if (success === undefined) v.fail('successCondition', `must be given for a ${resource.kind} (the library knows when Jobs, JobSets, Kubeflow jobs and Deployments are done)`, undefined);
    this.success = success;
    this.retryStrategy = resolveRetry(v, options.retry);
    this.deadline = optionalSeconds(ctx, `steps.${stepName}.timeout`, options.timeout);
    // The pipeline creates the object: it leaves its chart.
    resource.node.scope?.node.tryRemoveChild(resource.node.id);
    allowCreate(resource.apiGroup, pluralOf(resource.kind), this.rollout);

    const instance = `${ctx.name}-${stepName}`;
    this.podSelector = selectorLabels({ instance, component: 'pipeline-step' });
    this.labels = { ...ctx.labels, ...componentLabels({ name: ctx.name, instance, component: 'pipeline-step', partOf: ctx.name }) };
    this.networkPolicy = new PodNetworkPolicy(step, options.policyId, { name: options.policyName ?? instance, namespace: ctx.namespace, podSelector: this.podSelector, labels: this.labels });
    ctx.openExecutorPaths(this.networkPolicy);
  }

  /** The Argo template of the step; the manifest is rendered now (at synth), so wiring added later shows. */
  public render(stepName: string): Record<string, unknown> {
    return {
      name: stepName,
      metadata: { labels: this.labels },
      resource: {
        action: this.rollout ? 'apply' : 'create',
        manifest: JSON.stringify(this.resource.toJson(), null, 2),
        // A run's object is deleted with the run; a rollout is not.
        setOwnerReference: this.rollout ? undefined : true,
        successCondition: this.success,
        failureCondition: this.failure,
      },
      retryStrategy: this.retryStrategy,
      activeDeadlineSeconds: this.deadline,
    };
  }
}
