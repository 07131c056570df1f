import { k8s } from 'cdk8s-plus-27';
import { IValidator } from '../core/errors';
import { JobRunOptions, jobRunSpec } from '../core/job';
import { PodBuilder, PodOptions } from '../core/pod';

/** The pod label that tells the roles of a run apart. */
export const TRAINING_ROLE_LABEL = 'training.cdk8s-mlops.io/role';

/** Lower-case role name: the TF_CONFIG task type, the JobSet replicated job and the plain Job's name suffix. */
export type RoleName = 'master' | 'worker' | 'chief' | 'ps' | 'evaluator' | 'launcher';

/** One set of identical pods of a run, as its framework defines it. */
export interface Role {
  readonly name: RoleName;
  /** The Kubeflow replica type (`Master`, `Worker`, `PS`...). */
  readonly kubeflowType: string;
  readonly replicas: number;
  /** Whether its pods get the accelerator. */
  readonly accelerated: boolean;
  /** Pod options that replace the run's for this role (the MPI launcher's service account). */
  readonly podOptions?: Pick<PodOptions, 'automountServiceAccountToken' | 'serviceAccountName' | 'sharedMemory'>;
}

/** A role with the pod its pods are made from. */
export interface RolePod {
  readonly role: Role;
  readonly pod: PodBuilder;
}

/** A role of `replicas` accelerated pods. */
export function acceleratedRole(name: RoleName, kubeflowType: string, replicas: number): Role {
  return { name, kubeflowType, replicas, accelerated: true };
}

/**
 * Whether the pods of `role` wait for rank 0 when every pod but rank 0 does: all of another role, and all but index
 * 0 of rank 0's role (a rank-0 role of one pod does not wait at all).
 */
export function othersWaitForRank0(role: Role, rank0: Role): boolean {
  return role !== rank0 || role.replicas > 1;
}

/** For frameworks of identical nodes (PyTorch, MPI): the accelerated pods fill whole multi-host slices. */
export function checkNodesFillSlices(v: IValidator, roles: readonly Role[], hosts: number, why: string): void {
  const nodes = roles.filter((r) => r.accelerated).reduce((sum, r) => sum + r.replicas, 0);
  if (nodes % hosts !== 0) v.fail('nodes', `must be a multiple of ${hosts}: ${why}`, nodes);
}

/** Processes per pod: `given` (which must divide the pod's devices evenly), else `perDevice`. */
export function processesDividing(v: IValidator, prop: string, given: number | undefined, devices: number, perDevice: number): number {
  if (given === undefined) return perDevice;
  if (devices % given !== 0) {
    v.fail(prop, `must divide the ${devices} devices of each pod evenly (every process gets the same number of devices)`, given);
  }
  return given;
}

/** Where the Job controller writes a pod's completion index (also the `JOB_COMPLETION_INDEX` env var). */
export const COMPLETION_INDEX_FIELD = "metadata.annotations['batch.kubernetes.io/job-completion-index']";

/** The Indexed Job spec of a role: one completion per pod, all running at once (plain Jobs and JobSet). */
export function indexedJobSpec(v: IValidator, options: JobRunOptions, { role, pod }: RolePod, containerName: string): k8s.JobSpec {
  return jobRunSpec(v, options, containerName, { completionMode: 'Indexed', completions: role.replicas, parallelism: role.replicas, template: pod.template() });
}
