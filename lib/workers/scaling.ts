import { ApiObject, ApiObjectMetadata, Duration, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator } from '../core/errors';
import { durationSeconds } from '../core/job';
import { addScaledObject } from '../core/keda';
import { childName } from '../core/labels';
import { ServerBlock } from '../core/server';
import { validateInteger } from '../core/validation';
import { WorkerQueue } from './queue';

/** Autoscaling of a {@link QueueWorker} on its queue's depth, with KEDA. */
export interface QueueScalingOptions {
  /**
   * The fewest replicas. 0 scales the workers to zero while the queue is empty (a GPU is released).
   * @default 0
   */
  readonly minReplicas?: number;
  /** The most replicas. */
  readonly maxReplicas: number;
  /**
   * Messages waiting per replica that KEDA aims at: the Redis list length, the stream's pending entries, the Kafka
   * consumer lag, the SQS or RabbitMQ queue length, divided by the replicas.
   * @default 5
   */
  readonly messagesPerReplica?: number;
  /**
   * How long the queue must stay empty before the last replica is stopped (scale to zero only). Longer than the
   * workers' start-up (a model load), or the next message waits for a cold start.
   * @default Duration.minutes(5)
   */
  readonly cooldown?: Duration;
  /**
   * How often KEDA reads the queue.
   * @default Duration.seconds(30)
   */
  readonly pollingInterval?: Duration;
}

/** The scaling options, checked and with their defaults. */
export interface ResolvedQueueScaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly messagesPerReplica: number;
  readonly cooldownSeconds: number;
  readonly pollingSeconds: number;
}

/** Checks `autoscaling` and applies its defaults. */
export function resolveQueueScaling(v: IValidator, options: QueueScalingOptions): ResolvedQueueScaling {
  if (!options || typeof options !== 'object') v.fail('autoscaling', 'must be an object with at least maxReplicas', options);
  const minReplicas = validateInteger(v, 'autoscaling.minReplicas', options.minReplicas ?? 0, 0, 1000);
  const maxReplicas = validateInteger(v, 'autoscaling.maxReplicas', options.maxReplicas, Math.max(1, minReplicas), 1000);
  const messagesPerReplica = validateInteger(v, 'autoscaling.messagesPerReplica', options.messagesPerReplica ?? 5, 1, 1_000_000);
  const cooldownSeconds = validateInteger(v, 'autoscaling.cooldown', durationSeconds(v, 'autoscaling.cooldown', options.cooldown ?? Duration.minutes(5)), 0, 86400);
  const pollingSeconds = validateInteger(v, 'autoscaling.pollingInterval', durationSeconds(v, 'autoscaling.pollingInterval', options.pollingInterval ?? Duration.seconds(30)), 1, 3600);
  return { minReplicas, maxReplicas, messagesPerReplica, cooldownSeconds, pollingSeconds };
}

/** One `secretTargetRef` entry: the KEDA parameter `parameter` is read from `key` of the Secret `name`. */
export interface SecretTargetRef {
  readonly parameter: string;
  readonly name: string;
  readonly key: string;
}

/** Props of {@link TriggerAuthentication}. */
export interface TriggerAuthenticationProps {
  readonly metadata: ApiObjectMetadata;
  readonly spec: { readonly secretTargetRef?: SecretTargetRef[]; readonly podIdentity?: { readonly provider: 'aws' } };
}

/**
 * A KEDA `keda.sh/v1alpha1` TriggerAuthentication: the scaler's credentials, as references to Secrets only. No
 * CRD class is imported for it: this small typed class renders exactly the fields above.
 */
export class TriggerAuthentication extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication' };

  public constructor(scope: Construct, id: string, props: TriggerAuthenticationProps) {
    super(scope, id, { ...TriggerAuthentication.GVK, metadata: props.metadata, spec: props.spec });
  }
}

/**
 * The KEDA objects of a worker (ids `TriggerAuthentication` and `Autoscaler`): a TriggerAuthentication when the
 * queue has credentials (or KEDA's own AWS identity reads it), and a ScaledObject of the block's Deployment.
 */
export function renderQueueScaling(scope: Construct, block: ServerBlock, queue: WorkerQueue, scaling: ResolvedQueueScaling): void {
  const trigger = queue.trigger;
  const secrets = Object.entries(trigger.secrets);
  let authenticationRef: { name: string } | undefined;
  if (secrets.length > 0 || trigger.awsIdentity) {
    const name = childName(block.identity.name, 'queue');
    new TriggerAuthentication(scope, 'TriggerAuthentication', {
      metadata: { ...block.metadata, name },
      spec: secrets.length > 0
        ? { secretTargetRef: secrets.map(([parameter, secret]) => ({ parameter, name: secret.secretName, key: secret.key })) }
        : { podIdentity: { provider: 'aws' } },
    });
    authenticationRef = { name };
  }
  addScaledObject(scope, block, {
    minReplicas: scaling.minReplicas,
    maxReplicas: scaling.maxReplicas,
    cooldownSeconds: scaling.cooldownSeconds,
    pollingSeconds: scaling.pollingSeconds,
    triggers: [{
      type: trigger.type,
      metadata: { ...trigger.metadata, [trigger.targetKey]: String(scaling.messagesPerReplica) },
      authenticationRef,
    }],
  });
}
