import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator, Validator } from '../../core/errors';
import { lazyModule } from '../../core/lazy';
import { ContainerSpec } from '../../core/pod';
import { validateInteger, validatePort } from '../../core/validation';
import { acceleratedRole, othersWaitForRank0, Role } from '../roles';
import { TrainingRun } from '../run';
import { KubeflowJobInput, RunLayout, TrainingFramework } from '../contracts';

// Loaded when first used (see lazyModule).
const tfJobCrd = lazyModule(() => require('../../../imports/kubeflow-tfjob-kubeflow.org') as typeof import('../../../imports/kubeflow-tfjob-kubeflow.org'));

/** Options of {@link Framework.tensorflow}. */
export interface TensorFlowOptions {
  /** Worker pods (each with the accelerator). */
  readonly workers: number;
  /**
   * Parameter server pods (no accelerator).
   * @default 0
   */
  readonly parameterServers?: number;
  /**
   * Run a chief (coordinator) pod with the accelerator; without it worker 0 acts as chief.
   * @default false
   */
  readonly chief?: boolean;
  /**
   * Run an evaluator pod (with the accelerator; not part of the training cluster).
   * @default false
   */
  readonly evaluator?: boolean;
  /**
   * The port every TensorFlow server listens on.
   * @default 2222
   */
  readonly port?: number;
}

/** Stands for `$(TASK_INDEX)` in the TF_CONFIG JSON until it is serialized (the JSON quotes a string in its place). */
const INDEX_PLACEHOLDER = '__TASK_INDEX__';

/**
 * TensorFlow: chief, workers, parameter servers and evaluator, each pod given its `TF_CONFIG` (the cluster, and
 * its task with the index from the pod's index). The Kubeflow operator writes `TF_CONFIG` itself.
 */
export class TensorFlowFramework implements TrainingFramework {
  public readonly factory = 'Framework.tensorflow()';
  public readonly kubeflowContainerName = 'tensorflow';
  public readonly port: number;
  private readonly options: TensorFlowOptions;

  public constructor(options: TensorFlowOptions) {
    const v = Validator.forFactory('Framework.tensorflow');
    if (!options || typeof options !== 'object') v.fail('options', 'must give at least the number of workers', options);
    validateInteger(v, 'workers', options.workers, 1, 1000);
    validateInteger(v, 'parameterServers', options.parameterServers ?? 0, 0, 100);
    validatePort(v, 'port', options.port ?? 2222);
    this.options = { ...options };
    this.port = options.port ?? 2222;
  }

  public roles(v: IValidator, nodes: number | undefined): Role[] {
    if (nodes !== undefined) v.fail('nodes', 'must not be set for TensorFlow: the workers, parameter servers, chief and evaluator of Framework.tensorflow() decide the pods', nodes);
    const tf = this.options;
    const roles: Role[] = [];
    if (tf.chief) roles.push(acceleratedRole('chief', 'Chief', 1));
    roles.push(acceleratedRole('worker', 'Worker', tf.workers));
    if (this.parameterServers > 0) roles.push({ name: 'ps', kubeflowType: 'PS', replicas: this.parameterServers, accelerated: false });
    if (tf.evaluator) roles.push(acceleratedRole('evaluator', 'Evaluator', 1));
    return roles;
  }

  /** Every accelerated role fills whole slices; a role of one pod (chief, evaluator) cannot fill a multi-host one. */
  public checkSlices(v: IValidator, roles: readonly Role[], hosts: number, why: string): void {
    for (const role of roles.filter((r) => r.accelerated && r.replicas % hosts !== 0)) {
      if (role.name === 'worker') v.fail('framework.workers', `must be a multiple of ${hosts}: ${why}`, role.replicas);
      v.fail(`framework.${role.name}`, `must be false with a multi-host TPU slice: a single ${role.name} pod cannot fill a slice that spans ${hosts} nodes`, true);
    }
  }

  /** No option sets it: each TensorFlow pod runs one server, and nothing TensorFlow renders reads the count. */
  public processesPerPod(_v: IValidator, _devices: number, perDevice: number): number {
    return perDevice;
  }

  /**
   * With parameter servers, the workers and parameter servers are passive servers the chief connects to: they must
   * start first, so nobody waits. Under the Kubeflow operator, rank 0's role (the chief, or the workers when there
   * is no chief) does not wait either.
   */
  public waitsForRank0(role: Role, layout: RunLayout): boolean {
    if (this.parameterServers > 0) return false;
    if (layout.operator && role === layout.rank0) return false;
    return othersWaitForRank0(role, layout.rank0);
  }

  public container(run: TrainingRun, layout: RunLayout, role: Role): ContainerSpec {
    const base = { name: layout.containerName, accelerator: role.accelerated ? run.accelerator : undefined };
    const ports = [{ name: 'tfjob-port', port: this.port }];
    // The operator writes TF_CONFIG itself.
    if (layout.operator) return run.container({ ...base, ports });
    const tfConfig = JSON.stringify({ cluster: this.cluster(layout), task: { type: role.name, index: INDEX_PLACEHOLDER } })
      .replace(`"${INDEX_PLACEHOLDER}"`, '$(TASK_INDEX)');
    return run.container({
      ...base,
      ports,
      envFirst: [{ name: 'TASK_INDEX', valueFrom: { fieldRef: { fieldPath: layout.indexField } } }],
      env: { TF_CONFIG: tfConfig },
    });
  }

  public kubeflowJob(scope: Construct, id: string, input: KubeflowJobInput): ApiObject {
    return new (tfJobCrd().TfJob)(scope, id, {
      metadata: input.metadata,
      // The default success policy ends the run when the chief (else worker 0) succeeds: parameter servers never exit.
      spec: { runPolicy: input.runPolicy, tfReplicaSpecs: input.replicaSpecs },
    });
  }

  private get parameterServers(): number {
    return this.options.parameterServers ?? 0;
  }

  /** TF_CONFIG's cluster: every role but the evaluator, which is not part of training. */
  private cluster(layout: RunLayout): Record<string, string[]> {
    const cluster: Record<string, string[]> = {};
    for (const role of layout.roles.filter((r) => r.name !== 'evaluator')) {
      cluster[role.name] = Array.from({ length: role.replicas }, (_, i) => `${layout.hostOf(role, i)}:${this.port}`);
    }
    return cluster;
  }
}
