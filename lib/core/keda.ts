import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { lazyModule } from './lazy';
import { ServerBlock } from './server';

// The generated KEDA ScaledObject class, loaded when first used (see lazyModule).
const scaledObjectCrd = lazyModule(() => require('../../imports/keda-scaledobject-keda.sh') as typeof import('../../imports/keda-scaledobject-keda.sh'));

/** One KEDA trigger: the scaler's type, its metadata and, when it needs credentials, its TriggerAuthentication. */
export interface KedaTrigger {
  readonly type: string;
  readonly metadata: Record<string, string>;
  /** `Utilization` or `AverageValue` (CPU and memory triggers). */
  readonly metricType?: string;
  readonly authenticationRef?: { readonly name: string };
}

/** Options of {@link addScaledObject}. */
export interface ScaledObjectOptions {
  /** The fewest replicas; 0 scales the Deployment to zero while every trigger is inactive. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly triggers: KedaTrigger[];
  /**
   * Seconds every trigger must stay inactive before the last replica is stopped (scale to zero only).
   * @default - KEDA's default (300 seconds)
   */
  readonly cooldownSeconds?: number;
  /**
   * Seconds a new ScaledObject leaves the Deployment alone before its first scale to zero (the first replica may
   * still be loading its model).
   * @default - none
   */
  readonly initialCooldownSeconds?: number;
  /**
   * Seconds between two reads of the triggers.
   * @default - KEDA's default (30 seconds)
   */
  readonly pollingSeconds?: number;
  /**
   * The behaviour of the HorizontalPodAutoscaler KEDA makes.
   * @default - Kubernetes' default behaviour
   */
  readonly behavior?: k8s.HorizontalPodAutoscalerBehaviorV2;
}

/**
 * A KEDA `ScaledObject` (id `Autoscaler`) that scales the block's Deployment: the one place the library writes one
 * (ModelServer on a Prometheus query, QueueWorker on its queue's depth).
 */
export function addScaledObject(scope: Construct, block: ServerBlock, options: ScaledObjectOptions): ApiObject {
  return new (scaledObjectCrd().ScaledObject)(scope, 'Autoscaler', {
    metadata: block.metadata,
    spec: {
      scaleTargetRef: block.scaleTarget,
      minReplicaCount: options.minReplicas,
      maxReplicaCount: options.maxReplicas,
      cooldownPeriod: options.cooldownSeconds,
      initialCooldownPeriod: options.initialCooldownSeconds,
      pollingInterval: options.pollingSeconds,
      advanced: options.behavior === undefined ? undefined : { horizontalPodAutoscalerConfig: { behavior: options.behavior as any } },
      triggers: options.triggers.map((t) => ({ ...t, metadata: { ...t.metadata } })),
    },
  });
}
