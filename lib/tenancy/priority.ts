// Kueue WorkloadPriorityClasses: cluster-wide priorities that order admission and preemption in Kueue's queues.
// Workloads name one with the `kueue.x-k8s.io/priority-class` label (`scheduling.workloadPriorityClass`).
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator } from '../core/errors';
import { componentLabels } from '../core/labels';
import { validateDnsSubdomain, validateInteger, validateSingleLine } from '../core/validation';

/** A Kueue WorkloadPriorityClass (cluster-wide). */
export interface WorkloadPriorityOptions {
  /** Its name, which workloads give as `scheduling.workloadPriorityClass` (or `Queue.withPriority`). */
  readonly name: string;
  /**
   * The priority: Kueue admits workloads of a higher value first and, where the ClusterQueue's preemption policy
   * allows it, evicts workloads of a lower value to admit them. A whole number (int32).
   */
  readonly value: number;
  /**
   * What the priority is for.
   * @default - none
   */
  readonly description?: string;
}

/** Checks the priority and adds its WorkloadPriorityClass under `scope`; returns its name. */
export function addWorkloadPriority(scope: Construct, id: string, v: IValidator, prop: string, options: WorkloadPriorityOptions, taken: readonly string[]): string {
  if (!options || typeof options !== 'object') v.fail(prop, 'must be an object { name, value }', options);
  const name = validateDnsSubdomain(v, `${prop}.name`, options.name);
  if (taken.includes(name)) v.fail(`${prop}.name`, 'must be unique among the workload priorities', name);
  const value = validateInteger(v, `${prop}.value`, options.value, -(2 ** 31), 2 ** 31 - 1);
  const description = options.description === undefined ? undefined : validateSingleLine(v, `${prop}.description`, options.description);
  new ApiObject(scope, id, {
    apiVersion: 'kueue.x-k8s.io/v1beta2',
    kind: 'WorkloadPriorityClass',
    metadata: { name, labels: componentLabels({ name: 'kueue', instance: name, component: 'workload-priority' }) },
    value,
    description,
  });
  return name;
}
