// A team's Kueue LocalQueue: one per team namespace, where its training and pipeline runs are queued.
import { Construct } from 'constructs';
import { IValidator } from '../core/errors';
import { lazyModule } from '../core/lazy';
import { Queue } from '../core/scheduling';
import { validateDnsSubdomain } from '../core/validation';
import { TeamClusterQueueOptions } from './cluster-queue';

// Generated CRD classes, loaded when first used (see lazyModule).
const localQueueCrd = lazyModule(() => require('../../imports/kueue-localqueue-kueue.x-k8s.io') as typeof import('../../imports/kueue-localqueue-kueue.x-k8s.io'));

/** The team's Kueue queues. */
export interface TeamQueueOptions {
  /**
   * The LocalQueue's name, in every team namespace.
   * @default - the team name
   */
  readonly name?: string;
  /**
   * Create a ClusterQueue (and its ResourceFlavor) for the team.
   * @default - submit to the existing ClusterQueue `clusterQueueName`
   */
  readonly clusterQueue?: TeamClusterQueueOptions;
  /**
   * An existing ClusterQueue to submit to; not with `clusterQueue`.
   * @default - the team name
   */
  readonly clusterQueueName?: string;
}

/** The names of a team's queues. */
export interface TeamQueues {
  /** The LocalQueue in each team namespace. */
  readonly localQueueName: string;
  /** The ClusterQueue the LocalQueue submits to. */
  readonly clusterQueueName: string;
  /** The LocalQueue as workloads submit to it. */
  readonly queue: Queue;
}

/** Checks the team's `kueue` and `queue` options and names its queues; undefined when it has no LocalQueue. */
export function resolveTeamQueues(v: IValidator, teamName: string, kueueOption: boolean | undefined, queueOptions: TeamQueueOptions | undefined): TeamQueues | undefined {
  const kueue = kueueOption ?? true;
  if (typeof kueue !== 'boolean') v.fail('kueue', 'must be true or false', kueue);
  if (!kueue && queueOptions !== undefined) v.fail('queue', 'cannot be given when kueue is false (the team has no LocalQueue)', queueOptions);
  if (!kueue) return undefined;
  const options = queueOptions ?? {};
  const localQueueName = validateDnsSubdomain(v, 'queue.name', options.name ?? teamName);
  if (options.clusterQueue !== undefined && options.clusterQueueName !== undefined) {
    v.fail('queue.clusterQueueName', 'cannot be given with queue.clusterQueue (which names the ClusterQueue it creates)', options.clusterQueueName);
  }
  const clusterQueueName = validateDnsSubdomain(v, options.clusterQueue ? 'queue.clusterQueue.name' : 'queue.clusterQueueName',
    options.clusterQueue?.name ?? options.clusterQueueName ?? teamName);
  return { localQueueName, clusterQueueName, queue: Queue.kueue(localQueueName) };
}

/** The team's LocalQueue in `namespace`. */
export function addLocalQueue(scope: Construct, namespace: string, labels: Record<string, string>, queues: TeamQueues): void {
  new (localQueueCrd().LocalQueueV1Beta2)(scope, 'LocalQueue', {
    metadata: { name: queues.localQueueName, namespace, labels },
    spec: { clusterQueue: queues.clusterQueueName },
  });
}
