import { NodeRequirement, TolerationSpec } from './accelerator';
import { IValidator } from './errors';
import { validateDnsSubdomain } from './validation';

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
  ) {}

  /** Labels the workload object and its pods carry. */
  public get labels(): Record<string, string> {
    return this.system === 'kueue' ? { 'kueue.x-k8s.io/queue-name': this.name } : {};
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
   * Admit the workload through a batch queue (Kueue or Volcano).
   * @default - no queue
   */
  readonly queue?: Queue;
}

/** Checks scheduling options that can be wrong at construction. */
export function validateScheduling(v: IValidator, options: SchedulingOptions = {}): void {
  if (options.priorityClassName !== undefined) validateDnsSubdomain(v, 'scheduling.priorityClassName', options.priorityClassName);
  if (options.queue !== undefined) {
    if (!(options.queue instanceof Queue)) v.fail('scheduling.queue', 'must be made with Queue.kueue() or Queue.volcano()', options.queue);
    validateDnsSubdomain(v, 'scheduling.queue', options.queue.name);
  }
  validateNodeLabels(v, 'scheduling.nodeSelector', options.nodeSelector ?? {});
}

/** Checks node labels (a node selector): keys of the form `[prefix/]name`, label values. */
export function validateNodeLabels(v: IValidator, prop: string, labels: Record<string, string>): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(key)) {
      v.fail(prop, 'must have label keys of the form [prefix/]name', key);
    }
    if (typeof value !== 'string' || !/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/.test(value)) {
      v.fail(`${prop}.${key}`, 'must be a label value (at most 63 letters, digits, \'-\', \'_\' or \'.\')', value);
    }
  }
}
