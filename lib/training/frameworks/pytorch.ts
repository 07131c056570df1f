import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator, Validator } from '../../core/errors';
import { lazyModule } from '../../core/lazy';
import { ContainerSpec } from '../../core/pod';
import { validateInteger, validatePort } from '../../core/validation';
import { acceleratedRole, checkNodesFillSlices, othersWaitForRank0, processesDividing, Role } from '../roles';
import { TrainingRun } from '../run';
import { KubeflowJobInput, RunLayout, TrainingFramework } from '../contracts';

// Loaded when first used (see lazyModule).
const pyTorchJobCrd = lazyModule(() => require('../../../imports/kubeflow-pytorchjob-kubeflow.org') as typeof import('../../../imports/kubeflow-pytorchjob-kubeflow.org'));

/** Options of an elastic PyTorch run (torchrun with c10d rendezvous). */
export interface ElasticOptions {
  /** The fewest nodes the run continues with. */
  readonly minNodes: number;
  /** The most nodes the run uses (and the pods created). */
  readonly maxNodes: number;
  /**
   * How often torchrun restarts the worker group (after a node failed or joined) before the run fails.
   * @default 3
   */
  readonly maxRestarts?: number;
}

/** Options of {@link Framework.pytorch}. */
export interface PyTorchOptions {
  /**
   * The rendezvous port of rank 0 (torchrun's `--master_port`).
   * @default 29500
   */
  readonly port?: number;
  /**
   * Processes torchrun starts per node (`--nproc_per_node`); must divide the devices of a pod evenly.
   * @default - one per device of the accelerator
   */
  readonly processesPerNode?: number;
  /**
   * Run elastically between `minNodes` and `maxNodes` with c10d rendezvous; `nodes` then defaults to `maxNodes`.
   * @default - a fixed number of nodes
   */
  readonly elastic?: ElasticOptions;
}

/**
 * PyTorch with torchrun: identical nodes with a static rendezvous on rank 0 (`--node_rank` from the pod's index),
 * or elastic with c10d. The Kubeflow operator sets the rendezvous environment itself and runs rank 0 as its own
 * `Master` replica.
 */
export class PyTorchFramework implements TrainingFramework {
  public readonly factory = 'Framework.pytorch()';
  public readonly kubeflowContainerName = 'pytorch';
  public readonly launcher = 'torchrun';
  public readonly port: number;
  private readonly options: PyTorchOptions;

  public constructor(options: PyTorchOptions) {
    const v = Validator.forFactory('Framework.pytorch');
    const anyOptions = options as Record<string, unknown>;
    for (const tfOnly of ['parameterServers', 'chief', 'evaluator', 'workers']) {
      if (anyOptions[tfOnly] !== undefined) {
        v.fail(tfOnly, 'is a TensorFlow option: PyTorch runs identical data-parallel nodes (set `nodes`, or use Framework.tensorflow)', anyOptions[tfOnly]);
      }
    }
    validatePort(v, 'port', options.port ?? 29500);
    if (options.processesPerNode !== undefined) validateInteger(v, 'processesPerNode', options.processesPerNode, 1, 64);
    if (options.elastic !== undefined) {
      const e = options.elastic;
      validateInteger(v, 'elastic.minNodes', e.minNodes, 1, 1000);
      validateInteger(v, 'elastic.maxNodes', e.maxNodes, 1, 1000);
      if (e.minNodes > e.maxNodes) v.fail('elastic.minNodes', `must be at most elastic.maxNodes (${e.maxNodes})`, e.minNodes);
      validateInteger(v, 'elastic.maxRestarts', e.maxRestarts ?? 3, 0, 1000);
    }
    this.options = { ...options };
    this.port = options.port ?? 29500;
  }

  public roles(v: IValidator, nodesProp: number | undefined, operator: boolean): Role[] {
    const elastic = this.options.elastic;
    const nodes = validateInteger(v, 'nodes', nodesProp ?? elastic?.maxNodes ?? 2, 1, 1000);
    if (elastic && (nodes < elastic.minNodes || nodes > elastic.maxNodes)) {
      v.fail('nodes', `must be within the elastic range ${elastic.minNodes} to ${elastic.maxNodes}`, nodes);
    }
    // The Kubeflow operator addresses rank 0 as the Master replica; elastic runs have workers only.
    if (operator && !elastic) {
      const roles = [acceleratedRole('master', 'Master', 1)];
      if (nodes > 1) roles.push(acceleratedRole('worker', 'Worker', nodes - 1));
      return roles;
    }
    return [acceleratedRole('worker', 'Worker', nodes)];
  }

  public checkSlices(v: IValidator, roles: readonly Role[], hosts: number, why: string): void {
    checkNodesFillSlices(v, roles, hosts, why);
  }

  public processesPerPod(v: IValidator, devices: number, perDevice: number): number {
    return processesDividing(v, 'framework.processesPerNode', this.options.processesPerNode, devices, perDevice);
  }

  public waitsForRank0(role: Role, layout: RunLayout): boolean {
    return othersWaitForRank0(role, layout.rank0);
  }

  public container(run: TrainingRun, layout: RunLayout, role: Role, command: string[]): ContainerSpec {
    const base = { name: layout.containerName, accelerator: role.accelerated ? run.accelerator : undefined };
    const ports = [{ name: 'pytorchjob-port', port: this.port }];
    // The operator sets MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK and torchrun's PET_* variables itself.
    if (layout.operator) return run.container({ ...base, ports, command: ['torchrun', '--no-python', ...command] });
    const nodes = role.replicas;
    const elastic = this.options.elastic;
    const rendezvous = elastic ? [
      `--nnodes=${elastic.minNodes}:${elastic.maxNodes}`,
      `--nproc_per_node=${layout.processes}`,
      '--rdzv_backend=c10d',
      '--rdzv_endpoint=$(MASTER_ADDR):$(MASTER_PORT)',
      `--rdzv_id=${layout.name}`,
      `--max_restarts=${elastic.maxRestarts ?? 3}`,
    ] : [
      `--nnodes=${nodes}`,
      `--nproc_per_node=${layout.processes}`,
      '--node_rank=$(NODE_RANK)',
      '--master_addr=$(MASTER_ADDR)',
      '--master_port=$(MASTER_PORT)',
    ];
    return run.container({
      ...base,
      ports,
      command: ['torchrun', ...rendezvous, '--no-python', ...command],
      envFirst: [{ name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: layout.indexField } } }],
      env: {
        MASTER_ADDR: layout.hostOf(layout.rank0, 0),
        MASTER_PORT: String(this.port),
        ...(elastic ? {} : { WORLD_SIZE: String(nodes * layout.processes) }),
      },
    });
  }

  public kubeflowJob(scope: Construct, id: string, input: KubeflowJobInput): ApiObject {
    const elastic = this.options.elastic;
    return new (pyTorchJobCrd().PyTorchJob)(scope, id, {
      metadata: input.metadata,
      spec: {
        runPolicy: input.runPolicy,
        nprocPerNode: String(input.processes),
        elasticPolicy: elastic ? {
          minReplicas: elastic.minNodes,
          maxReplicas: elastic.maxNodes,
          maxRestarts: elastic.maxRestarts ?? 3,
          rdzvBackend: 'c10d',
        } : undefined,
        pytorchReplicaSpecs: input.replicaSpecs,
      },
    });
  }
}
