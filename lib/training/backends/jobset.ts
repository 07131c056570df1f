import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator } from '../../core/errors';
import { jobRunFields } from '../../core/job';
import { lazyModule } from '../../core/lazy';
import { validateInteger } from '../../core/validation';
import { COMPLETION_INDEX_FIELD, indexedJobSpec, Role } from '../roles';
import { BackendInput, refuseCleanPodPolicy, RunOptions, TrainingBackend } from '../contracts';

// Loaded when first used (see lazyModule).
const jobSetCrd = lazyModule(() => require('../../../imports/jobset-jobset.x-k8s.io') as typeof import('../../../imports/jobset-jobset.x-k8s.io'));

/**
 * JobSet: one replicated Job per role, restarted as a group; the JobSet controller makes the headless Service and
 * puts the pods on its subdomain. Kueue admits the JobSet as one workload.
 */
export class JobSetBackend implements TrainingBackend {
  public readonly name = 'Backend.JOBSET';
  public readonly operator = false;
  public readonly indexField = COMPLETION_INDEX_FIELD;
  public readonly podsOnSubdomain = false;
  public readonly needsPodGroup = true;

  public validateOptions(v: IValidator, options: RunOptions): void {
    refuseCleanPodPolicy(v, options);
  }

  public validateQueue(): void {
    // Kueue and Volcano admit a JobSet whole.
  }

  public containerName(): string {
    return 'trainer';
  }

  /** Pod `index` of the role's only Job (`<name>-<role>-0`). */
  public hostName(runName: string, role: Role, index: number): string {
    return `${runName}-${role.name}-0-${index}.${runName}`;
  }

  public serviceName(runName: string): string {
    return runName;
  }

  public render(scope: Construct, input: BackendInput): ApiObject {
    const { v, options, layout } = input;
    return new (jobSetCrd().JobSet)(scope, 'Resource', {
      metadata: input.metadata,
      spec: {
        network: { enableDnsHostnames: true, subdomain: layout.name, publishNotReadyAddresses: true },
        // Any failed Job restarts the whole group (a static rendezvous cannot take a replacement pod alone), except
        // a Job failed by a fail-fast exit code: restarting the group would only repeat the failure.
        failurePolicy: {
          maxRestarts: validateInteger(v, 'backoffLimit', options.backoffLimit ?? 3, 0, 1000),
          rules: options.failFastExitCodes?.length ? [{
            name: 'failFastExitCodes',
            action: jobSetCrd().JobSetSpecFailurePolicyRulesAction.FAIL_JOB_SET,
            onJobFailureReasons: ['PodFailurePolicy'],
          }] : undefined,
        },
        // Parameter servers never exit: the run succeeds when its chief (else its workers) do.
        successPolicy: { operator: jobSetCrd().JobSetSpecSuccessPolicyOperator.ALL, targetReplicatedJobs: [layout.roles.find((r) => r.name === 'chief')?.name ?? layout.rank0.name] },
        ttlSecondsAfterFinished: jobRunFields(v, options, layout.containerName).ttlSecondsAfterFinished,
        suspend: options.suspend || undefined,
        replicatedJobs: input.pods.map((rolePod) => ({
          name: rolePod.role.name,
          replicas: 1,
          template: {
            spec: {
              ...indexedJobSpec(v, options, rolePod, layout.containerName),
              backoffLimit: 0,
              // The JobSet owns suspension and cleanup: a child Job deleted by its own TTL while the JobSet still
              // runs (a worker done before the chief) would be created again.
              ttlSecondsAfterFinished: undefined,
              suspend: undefined,
              // The generated CRD types are structurally the Kubernetes pod template; PodBuilder's output is one.
              template: rolePod.pod.template() as any,
            },
          },
        })),
      },
    });
  }
}
