import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator, Validator } from '../../core/errors';
import { lazyModule } from '../../core/lazy';
import { PodNetworkPolicy, PodNetworkPolicyProps } from '../../core/network';
import { ContainerSpec } from '../../core/pod';
import { validateCidr, validateInteger } from '../../core/validation';
import { acceleratedRole, checkNodesFillSlices, processesDividing, Role, TRAINING_ROLE_LABEL } from '../roles';
import { TrainingRun } from '../run';
import { KubeflowJobInput, RunLayout, TrainingFramework } from '../contracts';

// Loaded when first used (see lazyModule).
const mpiJobCrd = lazyModule(() => require('../../../imports/kubeflow-mpijob-kubeflow.org') as typeof import('../../../imports/kubeflow-mpijob-kubeflow.org'));

/** Options of {@link Framework.mpi}. */
export interface MpiOptions {
  /**
   * MPI slots (processes) per worker, written into the hostfile.
   * @default - one per device of the accelerator
   */
  readonly slotsPerWorker?: number;
  /**
   * The addresses of the Kubernetes API server (its endpoints, `kubectl get endpoints kubernetes`), the only ones
   * the launcher may reach on ports 443 and 6443.
   * @default '0.0.0.0/0' (any address, on 443 and 6443 only)
   */
  readonly apiServerCidr?: string;
}

/**
 * MPI (Horovod and friends) on the Kubeflow MPI operator: a launcher runs `mpirun` over every slot of the
 * workers; the operator writes the hostfile and keeps the workers idle until the launcher starts their processes.
 */
export class MpiFramework implements TrainingFramework {
  public readonly factory = 'Framework.mpi()';
  public readonly kubeflowContainerName = 'mpi';
  public readonly launcher = 'mpirun';
  public readonly needsOperator = 'the MPI operator writes the hostfile and starts the processes on the workers';
  private readonly options: MpiOptions;

  public constructor(options: MpiOptions) {
    const v = Validator.forFactory('Framework.mpi');
    if (options.slotsPerWorker !== undefined) validateInteger(v, 'slotsPerWorker', options.slotsPerWorker, 1, 256);
    if (options.apiServerCidr !== undefined) validateCidr(v, 'apiServerCidr', options.apiServerCidr);
    this.options = { ...options };
  }

  public roles(v: IValidator, nodes: number | undefined): Role[] {
    const workers = validateInteger(v, 'nodes', nodes ?? 2, 1, 1000);
    return [
      {
        name: 'launcher',
        kubeflowType: 'Launcher',
        replicas: 1,
        accelerated: false,
        // The launcher starts the workers' processes with `kubectl exec` through the operator's ServiceAccount: it
        // needs that account's token. It runs no training, so it needs no /dev/shm.
        podOptions: { automountServiceAccountToken: true, serviceAccountName: undefined, sharedMemory: undefined },
      },
      acceleratedRole('worker', 'Worker', workers),
    ];
  }

  public checkSlices(v: IValidator, roles: readonly Role[], hosts: number, why: string): void {
    checkNodesFillSlices(v, roles, hosts, why);
  }

  public processesPerPod(v: IValidator, devices: number, perDevice: number): number {
    return processesDividing(v, 'framework.slotsPerWorker', this.options.slotsPerWorker, devices, perDevice);
  }

  /** The operator starts the launcher once the workers run, and the workers wait for the launcher's `mpirun`. */
  public waitsForRank0(): boolean {
    return false;
  }

  public container(run: TrainingRun, layout: RunLayout, role: Role, command: string[]): ContainerSpec {
    const base = { name: layout.containerName, accelerator: role.accelerated ? run.accelerator : undefined };
    if (role.name !== 'launcher') return run.container({ ...base, command: undefined, args: undefined });
    const slots = layout.roles.find((r) => r.name === 'worker')!.replicas * layout.processes;
    return run.container({
      ...base,
      command: ['mpirun', '-np', String(slots), '-bind-to', 'none', '-map-by', 'slot', ...command],
      resources: { cpu: 1, memory: '2Gi' },
      mounts: [],
      volumeMounts: [],
    });
  }

  public kubeflowJob(scope: Construct, id: string, input: KubeflowJobInput): ApiObject {
    return new (mpiJobCrd().MpiJob)(scope, id, {
      metadata: input.metadata,
      spec: { runPolicy: input.runPolicy, slotsPerWorker: input.processes, mpiReplicaSpecs: input.replicaSpecs },
    });
  }

  /**
   * The launcher reaches the workers through the Kubernetes API (the operator's kubectl-delivery init container
   * waits for them, mpirun starts their processes with `kubectl exec`). The API server's address is not known at
   * synth: its port (443 behind the `kubernetes` Service, 6443 on kubeadm control planes) is opened to the launcher
   * alone.
   */
  public addNetworkPolicies(scope: Construct, run: PodNetworkPolicyProps): void {
    const launcherPolicy = new PodNetworkPolicy(scope, 'LauncherNetworkPolicy', {
      name: `${run.name}-launcher`,
      namespace: run.namespace,
      podSelector: { ...run.podSelector, [TRAINING_ROLE_LABEL]: 'launcher' },
      labels: run.labels,
    });
    launcherPolicy.allowToCidr(this.options.apiServerCidr ?? '0.0.0.0/0', [{ port: 443 }, { port: 6443 }]);
  }
}
