import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IValidator } from '../../core/errors';
import { Queue } from '../../core/scheduling';
import { COMPLETION_INDEX_FIELD, indexedJobSpec, Role } from '../roles';
import { BackendInput, refuseCleanPodPolicy, RunOptions, TrainingBackend } from '../contracts';

/**
 * Plain Kubernetes, no operator: an Indexed Job per role and a headless Service `<name>` whose subdomain the pods
 * are on, so pod `<job>-<index>` of every role resolves before it is ready.
 */
export class IndexedJobsBackend implements TrainingBackend {
  public readonly name = 'Backend.KUBERNETES';
  public readonly operator = false;
  public readonly indexField = COMPLETION_INDEX_FIELD;
  public readonly podsOnSubdomain = true;
  public readonly needsPodGroup = true;

  public validateOptions(v: IValidator, options: RunOptions): void {
    refuseCleanPodPolicy(v, options);
  }

  public validateQueue(v: IValidator, queue: Queue | undefined, roles: readonly Role[]): void {
    if (queue?.system === 'kueue' && roles.length > 1) {
      v.fail('scheduling.queue', 'must not be a Kueue queue for a run of several roles on Backend.KUBERNETES: Kueue admits each role\'s Job on its own, so some roles can hold their nodes while the others wait forever; use Backend.JOBSET or Backend.KUBEFLOW, which Kueue admits as one workload', queue.name);
    }
  }

  public containerName(): string {
    return 'trainer';
  }

  public hostName(runName: string, role: Role, index: number, roles: readonly Role[]): string {
    return `${this.jobName(runName, role, roles)}-${index}.${runName}`;
  }

  public serviceName(runName: string): string {
    return runName;
  }

  public render(scope: Construct, input: BackendInput): ApiObject {
    const { layout, metadata } = input;
    const port = input.framework.port;
    new k8s.KubeService(scope, 'Service', {
      metadata: { name: layout.name, namespace: metadata.namespace, labels: input.labels },
      spec: {
        clusterIp: 'None',
        // Pods must resolve each other before they are ready (they are never ready before rendezvous).
        publishNotReadyAddresses: true,
        selector: input.podSelector,
        ports: port === undefined ? undefined : [{ name: 'rendezvous', port, targetPort: k8s.IntOrString.fromNumber(port) }],
      },
    });
    // The workers' Job is the primary one (`Resource`): every run has workers, so adding a chief, parameter servers
    // or an evaluator does not move it. The other roles' Jobs are `Job-<role>`.
    const primary = input.pods.find((p) => p.role.name === 'worker') ?? input.pods[0];
    const jobs = input.pods.map((rolePod) => new k8s.KubeJob(scope, rolePod === primary ? 'Resource' : `Job-${rolePod.role.name}`, {
      metadata: { ...metadata, name: this.jobName(layout.name, rolePod.role, layout.roles) },
      spec: indexedJobSpec(input.v, input.options, rolePod, layout.containerName),
    }));
    return jobs[input.pods.indexOf(primary)];
  }

  /** A run of one role is one Job named after the run; otherwise each role's Job is `<name>-<role>`. */
  private jobName(runName: string, role: Role, roles: readonly Role[]): string {
    return roles.length === 1 ? runName : `${runName}-${role.name}`;
  }
}
