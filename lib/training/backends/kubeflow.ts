import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator } from '../../core/errors';
import { jobRunFields } from '../../core/job';
import { validateEnum } from '../../core/validation';
import { Role } from '../roles';
import { BackendInput, CleanPodPolicy, KubeflowRunPolicy, RunOptions, TrainingBackend, TrainingFramework } from '../contracts';

/** Where the Kubeflow training operator writes a pod's replica index. */
const KUBEFLOW_INDEX_FIELD = "metadata.labels['training.kubeflow.org/replica-index']";

/**
 * The Kubeflow training operator v1: the framework's job kind (`PyTorchJob`, `TFJob`, `MPIJob`) with a replica
 * spec per role. The operator gives each pod a Service `<name>-<role>-<index>`, sets the rendezvous environment and
 * gang-schedules the pods itself.
 */
export class KubeflowBackend implements TrainingBackend {
  public readonly name = 'Backend.KUBEFLOW';
  public readonly operator = true;
  public readonly indexField = KUBEFLOW_INDEX_FIELD;
  public readonly podsOnSubdomain = false;
  public readonly needsPodGroup = false;

  public validateOptions(v: IValidator, options: RunOptions): void {
    if (options.failFastExitCodes !== undefined) {
      v.fail('failFastExitCodes', 'is not supported by Backend.KUBEFLOW: its replicas already fail at once on exit codes 1-127 and retry on 128 and above', options.failFastExitCodes);
    }
  }

  public validateQueue(): void {
    // The operator admits (Kueue) or gang-schedules (Volcano) the whole job.
  }

  /** The operator finds the trainer container by the framework's name. */
  public containerName(framework: TrainingFramework): string {
    return framework.kubeflowContainerName;
  }

  public hostName(runName: string, role: Role, index: number): string {
    return `${runName}-${role.name}-${index}`;
  }

  /** The Service of rank 0's pod. */
  public serviceName(runName: string, roles: readonly Role[]): string {
    return `${runName}-${roles[0].name}-0`;
  }

  public render(scope: Construct, input: BackendInput): ApiObject {
    const runPolicy = this.runPolicy(input);
    const replicaSpecs: Record<string, any> = {};
    for (const { role, pod } of input.pods) {
      // ExitCode: exit codes 1-127 (program errors) fail the run, 128+ (signals, preemption) restart the pod.
      replicaSpecs[role.kubeflowType] = { replicas: role.replicas, restartPolicy: 'ExitCode', template: pod.template() };
    }
    return input.framework.kubeflowJob(scope, 'Resource', {
      metadata: input.metadata,
      runPolicy,
      replicaSpecs,
      processes: input.layout.processes,
    });
  }

  private runPolicy(input: BackendInput): KubeflowRunPolicy {
    const { options, queue } = input;
    const fields = jobRunFields(input.v, options, input.layout.containerName);
    return {
      backoffLimit: fields.backoffLimit,
      activeDeadlineSeconds: fields.activeDeadlineSeconds,
      ttlSecondsAfterFinished: fields.ttlSecondsAfterFinished,
      suspend: fields.suspend,
      cleanPodPolicy: validateEnum(input.v, 'cleanPodPolicy', options.cleanPodPolicy ?? CleanPodPolicy.RUNNING, CleanPodPolicy, 'CleanPodPolicy'),
      // Gang scheduling: no pod starts until all of them can.
      schedulingPolicy: queue !== undefined ? {
        minAvailable: input.totalPods,
        queue: queue.system === 'volcano' ? queue.name : undefined,
        priorityClass: input.priorityClassName,
      } : undefined,
    };
  }
}
