import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { Validator } from './errors';
import { PodNetworkPolicy } from './network';
import { SecretValue } from './secrets';
import { namespaceOf } from './labels';
import { rejectInlineCredential, validateDnsLabel, validateEnvName, validateInteger, validateLabels } from './validation';
import { IWorkload } from './workload';

/** Props of {@link ExternalWorkload}. */
export interface ExternalWorkloadProps {
  /** The workload's name: the name of its NetworkPolicy, and what messages call it. */
  readonly name: string;
  /**
   * The namespace of its pods.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /** Labels that select its pods (at least one). */
  readonly podSelector: Record<string, string>;
  /**
   * The object that runs the pods (a Deployment, StatefulSet, Job, CronJob or Pod you wrote, or `ApiObject.of(...)`
   * of one): `addEnv` and `addPodLabel` (and so `connect()`) change its pod template with JSON patches.
   * @default - none: only the network side can be wired (`connect()` and `addEnv` throw)
   */
  readonly resource?: ApiObject;
  /**
   * The index of the container in the pod template that `addEnv` gives variables to. The container must have an
   * `env` list (it may be empty): a JSON patch can only append to a list that exists.
   * @default 0
   */
  readonly containerIndex?: number;
}

/** Where the pod template is in each kind that has one. */
const TEMPLATE_PATHS: Record<string, string> = {
  Deployment: '/spec/template', StatefulSet: '/spec/template', DaemonSet: '/spec/template', ReplicaSet: '/spec/template',
  Job: '/spec/template', CronJob: '/spec/jobTemplate/spec/template',
};

/**
 * Pods the library did not create (your own Deployment, a Helm chart's), as a workload the constructs can be wired
 * to: `mlflow.connect(external)`, `server.connect(external)` and `external.networkPolicy.allowTo(...)` open the
 * network paths with the NetworkPolicy this construct creates for the pods (child id `NetworkPolicy`, DNS only until
 * wired); with a `resource`, the environment wiring adds goes into its pod template by JSON patches.
 *
 * @example
 * const raw = new k8s.KubeDeployment(chart, 'scorer', { ... });
 * const scorer = new ExternalWorkload(chart, 'scorer-wiring', { name: 'scorer', podSelector: { app: 'scorer' }, resource: raw });
 * mlflow.connect(scorer);
 */
export class ExternalWorkload extends Construct implements IWorkload {
  /** The workload's name. */
  public readonly workloadName: string;
  /** The namespace of its pods, if known. */
  public readonly namespace?: string;
  /** Labels that select its pods. */
  public readonly podSelector: Record<string, string>;
  /** The NetworkPolicy of its pods (child id `NetworkPolicy`). */
  public readonly networkPolicy: PodNetworkPolicy;
  /** The object that runs the pods, if given. */
  public readonly resource?: ApiObject;

  private readonly v: Validator;
  private readonly containerIndex: number;
  /** The methods that added patches to the resource. */
  private readonly patched: string[] = [];

  public constructor(scope: Construct, id: string, props: ExternalWorkloadProps) {
    super(scope, id);
    const v = this.v = Validator.forConstruct('ExternalWorkload', id);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with a name and a podSelector', props);
    this.workloadName = validateDnsLabel(v, 'name', props.name);
    if (props.namespace !== undefined) validateDnsLabel(v, 'namespace', props.namespace);
    validateLabels(v, 'podSelector', props.podSelector);
    if (props.podSelector === undefined || Object.keys(props.podSelector).length === 0) {
      v.fail('podSelector', 'must have at least one label (an empty selector would select every pod of the namespace)', props.podSelector);
    }
    if (props.resource !== undefined && !(props.resource instanceof ApiObject)) v.fail('resource', 'must be an ApiObject (a generated k8s.Kube* object, or ApiObject.of(...))', props.resource);
    this.containerIndex = validateInteger(v, 'containerIndex', props.containerIndex ?? 0, 0, 100);
    this.resource = props.resource;
    this.namespace = props.namespace ?? namespaceOf(this, props.resource?.metadata.namespace);
    this.podSelector = { ...props.podSelector };
    this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', { name: this.workloadName, namespace: this.namespace, podSelector: this.podSelector });
    // A patch that cannot apply fails deep inside cdk8s at synth: say which list is missing, before that.
    this.node.addValidation({ validate: () => this.patchErrors() });
  }

  /** Appends an environment variable to the container's `env` list (a Secret value as a `secretKeyRef`). */
  public addEnv(name: string, value: string | SecretValue): void {
    validateEnvName(this.v, 'addEnv.name', name);
    if (typeof value === 'string') rejectInlineCredential(this.v, `addEnv.${name}`, name, value);
    const template = this.templatePath('addEnv', name);
    const entry = value instanceof SecretValue ? { name, valueFrom: value.toEnvSource() } : { name, value };
    if (!this.patched.includes('addEnv')) this.patched.push('addEnv');
    this.resource!.addJsonPatch(JsonPatch.add(`${template}/spec/containers/${this.containerIndex}/env/-`, entry));
  }

  /** Adds a label to the pod template (not to the selector). */
  public addPodLabel(key: string, value: string): void {
    validateLabels(this.v, 'addPodLabel', { [key]: value });
    const template = this.templatePath('addPodLabel', key);
    if (!this.patched.includes('addPodLabel')) this.patched.push('addPodLabel');
    this.resource!.addJsonPatch(JsonPatch.add(`${template}/metadata/labels/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, value));
  }

  /** What keeps the patches of `addEnv` and `addPodLabel` from applying. */
  private patchErrors(): string[] {
    if (this.patched.length === 0) return [];
    try {
      this.resource!.toJson();
      return [];
    } catch (e) {
      return [`ExternalWorkload '${this.node.id}': 'resource' must have the lists and maps ${this.patched.join(' and ')} write to: a container ${this.containerIndex} with an \`env\` list (it may be empty) and a pod template with \`metadata.labels\` (${(e as Error).message.split('\n')[0]})`];
    }
  }

  /** The JSON pointer of the resource's pod template; throws without a resource or for a kind without a template. */
  private templatePath(method: string, what: string): string {
    const resource = this.resource;
    if (resource === undefined) {
      this.v.fail('resource', `must be given for ${method}('${what}') (wiring such as connect() sets environment variables): the library cannot change pods it does not know`, resource);
    }
    if (resource.kind === 'Pod') return '';
    const path = TEMPLATE_PATHS[resource.kind];
    if (path === undefined) this.v.fail('resource', `must be a kind with a pod template (${Object.keys(TEMPLATE_PATHS).join(', ')}, Pod)`, resource.kind);
    return path;
  }
}
