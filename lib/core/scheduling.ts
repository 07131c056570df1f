import { NodeRequirement, TolerationSpec } from './accelerator';
import { IValidator, Validator } from './errors';
import { isLabelValue, validateDnsSubdomain, validateLabels } from './validation';

/**
 * Spot / preemptible capacity on a given provider: the node label to select and the taint to tolerate.
 * Spot pods can be reclaimed at any time: pair them with checkpoints.
 */
export class Spot {
  /** GKE Spot VMs: `cloud.google.com/gke-spot: "true"`, tainted the same. */
  public static gke(): Spot {
    return new Spot('GKE', { 'cloud.google.com/gke-spot': 'true' }, [{ key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  }

  /** EKS managed node groups with Spot capacity: `eks.amazonaws.com/capacityType: SPOT`. */
  public static eks(): Spot {
    return new Spot('EKS', { 'eks.amazonaws.com/capacityType': 'SPOT' }, []);
  }

  /** Karpenter-provisioned Spot nodes: `karpenter.sh/capacity-type: spot`. */
  public static karpenter(): Spot {
    return new Spot('Karpenter', { 'karpenter.sh/capacity-type': 'spot' }, []);
  }

  /** AKS Spot node pools: `kubernetes.azure.com/scalesetpriority: spot`, always tainted. */
  public static aks(): Spot {
    return new Spot('AKS', { 'kubernetes.azure.com/scalesetpriority': 'spot' }, [{ key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }]);
  }

  /** A custom spot pool: the label it carries and the taint, if any, it is given. */
  public static custom(nodeSelector: Record<string, string>, tolerations: TolerationSpec[] = []): Spot {
    const v = Validator.forFactory('Spot.custom');
    validateLabels(v, 'nodeSelector', nodeSelector);
    validateTolerations(v, 'tolerations', tolerations);
    return new Spot('custom', { ...nodeSelector }, [...tolerations]);
  }

  private constructor(
    /** The provider, for docs and messages. */
    public readonly provider: string,
    /** Node labels of spot nodes. */
    public readonly nodeSelector: Record<string, string>,
    /** Taints of spot nodes to tolerate. */
    public readonly tolerations: TolerationSpec[],
  ) {}
}

/** The label Kueue reads a workload's WorkloadPriorityClass from. */
export const WORKLOAD_PRIORITY_LABEL = 'kueue.x-k8s.io/priority-class';

/** A batch queue the workload is admitted through. */
export class Queue {
  /**
   * A Kueue LocalQueue (label `kueue.x-k8s.io/queue-name`). Kueue admits the whole workload at once (gang
   * admission) and needs resource requests on every container, which the library always sets.
   */
  public static kueue(localQueueName: string): Queue {
    return new Queue('kueue', localQueueName);
  }

  /**
   * A Volcano queue: `schedulerName: volcano` and the queue annotation. Gang scheduling needs a PodGroup, which
   * DistributedTraining creates.
   */
  public static volcano(queueName: string = 'default'): Queue {
    return new Queue('volcano', queueName);
  }

  private constructor(
    /** `kueue` or `volcano`. */
    public readonly system: 'kueue' | 'volcano',
    /** The queue's name. */
    public readonly name: string,
    /** The Kueue WorkloadPriorityClass of the workloads queued here (label `kueue.x-k8s.io/priority-class`). */
    public readonly workloadPriorityClass?: string,
  ) {}

  /**
   * The same Kueue queue, with the workloads given a Kueue WorkloadPriorityClass (label
   * `kueue.x-k8s.io/priority-class`): the order Kueue admits them in and which ones it preempts. Kueue queues only.
   * @param workloadPriorityClass the name of a WorkloadPriorityClass (see `MlRbac`'s `workloadPriorities`)
   */
  public withPriority(workloadPriorityClass: string): Queue {
    const v = Validator.forFactory('Queue.withPriority');
    if (this.system !== 'kueue') v.fail('workloadPriorityClass', `needs a Kueue queue: Volcano queue '${this.name}' does not read Kueue priorities (use scheduling.priorityClassName)`, workloadPriorityClass);
    validateDnsSubdomain(v, 'workloadPriorityClass', workloadPriorityClass);
    return new Queue(this.system, this.name, workloadPriorityClass);
  }

  /** Labels the workload object and its pods carry. */
  public get labels(): Record<string, string> {
    if (this.system !== 'kueue') return {};
    const labels: Record<string, string> = { 'kueue.x-k8s.io/queue-name': this.name };
    if (this.workloadPriorityClass !== undefined) labels[WORKLOAD_PRIORITY_LABEL] = this.workloadPriorityClass;
    return labels;
  }

  /** Annotations the pods carry. */
  public get podAnnotations(): Record<string, string> {
    return this.system === 'volcano' ? { 'scheduling.volcano.sh/queue-name': this.name } : {};
  }

  /** The scheduler the pods name. */
  public get schedulerName(): string | undefined {
    return this.system === 'volcano' ? 'volcano' : undefined;
  }
}

/** A taint a pod tolerates. */
export class Toleration {
  /** Tolerates `key=value:effect`. */
  public static equal(key: string, value: string, effect: TaintEffect = TaintEffect.NO_SCHEDULE): TolerationSpec {
    return { key, operator: 'Equal', value, effect };
  }

  /** Tolerates any taint with `key` (and `effect`). */
  public static exists(key: string, effect: TaintEffect = TaintEffect.NO_SCHEDULE): TolerationSpec {
    return { key, operator: 'Exists', effect };
  }

  private constructor() {}
}

/** The effect of a node taint. */
export enum TaintEffect {
  NO_SCHEDULE = 'NoSchedule',
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  NO_EXECUTE = 'NoExecute',
}

/** Where and how the pods of a workload are scheduled. Every workload construct takes these. */
export interface SchedulingOptions {
  /**
   * Run on spot / preemptible capacity of this provider.
   * @default - on-demand capacity (no spot selection)
   */
  readonly spot?: Spot;
  /**
   * Extra node labels the pods require.
   * @default - only what the accelerator and spot options need
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Node affinity requirements (all must hold), e.g. a GPU label that must exist.
   * @default - none
   */
  readonly requiredNodeAffinity?: NodeRequirement[];
  /**
   * Extra taints to tolerate (the accelerator's and spot taints are tolerated already).
   * @default - none
   */
  readonly tolerations?: TolerationSpec[];
  /**
   * Accept a toleration that matches every taint (an empty key with operator `Exists`): the pods may then run on
   * any node, control-plane and draining nodes included, and stay through every `NoExecute` taint.
   * @default false
   */
  readonly allowToleratingAllTaints?: boolean;
  /**
   * Keep the pods away from pods with these labels on the same node (preferred, weight 100), e.g. other
   * GPU-intensive jobs.
   * @default - none
   */
  readonly avoidNodesRunning?: Record<string, string>;
  /**
   * A PriorityClass for the pods.
   * @default - the cluster default priority
   */
  readonly priorityClassName?: string;
  /**
   * Accept a system priority class (`system-cluster-critical`, `system-node-critical`, any `system-` name) in
   * `priorityClassName`: such pods preempt the cluster's own components (DNS, CNI, kube-proxy) when nodes are full.
   * @default false
   */
  readonly allowSystemPriorityClass?: boolean;
  /**
   * Admit the workload through a batch queue (Kueue or Volcano).
   * @default - no queue
   */
  readonly queue?: Queue;
  /**
   * The Kueue WorkloadPriorityClass of the workload (label `kueue.x-k8s.io/priority-class`): the order Kueue admits
   * workloads in and which ones it preempts. Needs a Kueue queue (`queue`, or the team's LocalQueue); the same as
   * `queue: Queue.kueue(name).withPriority(...)`. It is not the pods' `priorityClassName`.
   * @default - the queue's priority, else Kueue's default (the pods' PriorityClass, else 0)
   */
  readonly workloadPriorityClass?: string;
}

/**
 * The scheduling options with `workloadPriorityClass` folded into the Kueue queue (its labels carry it); refused
 * without a Kueue queue.
 */
export function withWorkloadPriority(v: IValidator, scheduling: SchedulingOptions | undefined): SchedulingOptions | undefined {
  const priority = scheduling?.workloadPriorityClass;
  if (priority === undefined) return scheduling;
  validateDnsSubdomain(v, 'scheduling.workloadPriorityClass', priority);
  const queue = scheduling?.queue;
  if (!(queue instanceof Queue) || queue.system !== 'kueue') {
    const what = queue instanceof Queue ? `Volcano queue '${queue.name}' does not read Kueue priorities (use scheduling.priorityClassName)` : 'the workload has no queue (give scheduling.queue, or a team with a LocalQueue)';
    v.fail('scheduling.workloadPriorityClass', `needs a Kueue queue: ${what}`, priority);
  }
  return { ...scheduling, queue: queue.withPriority(priority) };
}

/** Checks scheduling options that can be wrong at construction. */
export function validateScheduling(v: IValidator, options: SchedulingOptions = {}): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) v.fail('scheduling', 'must be an object of scheduling options', options);
  if (options.priorityClassName !== undefined) validateDnsSubdomain(v, 'scheduling.priorityClassName', options.priorityClassName);
  if (options.priorityClassName?.startsWith('system-') && options.allowSystemPriorityClass !== true) {
    v.fail('scheduling.priorityClassName', 'is a system priority class, whose pods preempt the cluster\'s own components; set scheduling.allowSystemPriorityClass: true to use it', options.priorityClassName);
  }
  if (options.queue !== undefined) {
    if (!(options.queue instanceof Queue)) v.fail('scheduling.queue', 'must be made with Queue.kueue() or Queue.volcano()', options.queue);
    validateDnsSubdomain(v, 'scheduling.queue', options.queue.name);
  }
  // Constructs that take a team fold the priority into the queue (resolvePlacement); any other must have it there.
  if (options.workloadPriorityClass !== undefined && options.queue?.workloadPriorityClass !== options.workloadPriorityClass) {
    withWorkloadPriority(v, options);
  }
  validateLabels(v, 'scheduling.nodeSelector', options.nodeSelector);
  // The apiserver refuses what follows at apply time; refuse it at synth instead.
  validateTolerations(v, 'scheduling.tolerations', options.tolerations, options.allowToleratingAllTaints, 'scheduling.allowToleratingAllTaints');
  if (options.requiredNodeAffinity !== undefined && !Array.isArray(options.requiredNodeAffinity)) {
    v.fail('scheduling.requiredNodeAffinity', 'must be a list of node requirements', options.requiredNodeAffinity);
  }
  (options.requiredNodeAffinity ?? []).forEach((r, i) => {
    const at = `scheduling.requiredNodeAffinity[${i}]`;
    if (!r || typeof r !== 'object') v.fail(at, 'must be a node requirement { key, operator, values }', r);
    validateLabels(v, `${at}.key`, { [String(r.key)]: '' });
    const values = r.values ?? [];
    if (!Array.isArray(values) || values.some((x) => typeof x !== 'string')) v.fail(`${at}.values`, 'must be a list of strings', r.values);
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if (values.length === 0) v.fail(`${at}.values`, `must list at least one value for operator ${r.operator}`, r.values);
      values.forEach((x) => isLabelValue(x) || v.fail(`${at}.values`, 'must be label values', x));
    } else if (r.operator === 'Exists' || r.operator === 'DoesNotExist') {
      if (values.length > 0) v.fail(`${at}.values`, `must be empty for operator ${r.operator}`, r.values);
    } else if (r.operator === 'Gt' || r.operator === 'Lt') {
      if (values.length !== 1 || !/^-?\d+$/.test(values[0])) v.fail(`${at}.values`, `must be one whole number for operator ${r.operator}`, r.values);
    } else {
      v.fail(`${at}.operator`, 'must be In, NotIn, Exists, DoesNotExist, Gt or Lt', r.operator);
    }
  });
  validateLabels(v, 'scheduling.avoidNodesRunning', options.avoidNodesRunning);
}

/** Checks tolerations as the apiserver does: key, operator, value and effect. */
export function validateTolerations(v: IValidator, prop: string, tolerations: TolerationSpec[] | undefined,
  allowAll = false, acknowledgement?: string): void {
  if (tolerations !== undefined && !Array.isArray(tolerations)) v.fail(prop, 'must be a list of tolerations', tolerations);
  (tolerations ?? []).forEach((t, i) => {
    const at = `${prop}[${i}]`;
    if (!t || typeof t !== 'object') v.fail(at, 'must be made with Toleration.equal() or Toleration.exists()', t);
    if (t.operator !== 'Exists' && t.operator !== 'Equal') v.fail(`${at}.operator`, 'must be \'Exists\' or \'Equal\'', t.operator);
    if (!(t.key === '' && t.operator === 'Exists')) validateLabels(v, `${at}.key`, { [String(t.key)]: '' });
    if ((t.key === '' || t.key === undefined) && t.operator === 'Exists' && !allowAll) {
      const how = acknowledgement !== undefined ? `set ${acknowledgement}: true to accept it` : 'give the taint keys to tolerate';
      v.fail(`${at}.key`, `must name a taint: an empty key with operator Exists tolerates every taint (control-plane and draining nodes included); ${how}`, t.key);
    }
    if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') v.fail(`${at}.value`, 'must be empty with operator Exists', t.value);
    if (t.value !== undefined && !isLabelValue(t.value)) v.fail(`${at}.value`, 'must be a label value', t.value);
    if (t.effect !== undefined && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      v.fail(`${at}.effect`, 'must be a TaintEffect (NoSchedule, PreferNoSchedule or NoExecute)', t.effect);
    }
  });
}
