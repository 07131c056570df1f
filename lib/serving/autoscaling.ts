import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IValidator, Validator } from '../core';
import { durationSeconds } from '../core/job';
import { addScaledObject } from '../core/keda';
import { ServerBlock } from '../core/server';
import { validateInteger } from '../core/validation';


/** A per-pod metric the autoscaler keeps at a target average (served by prometheus-adapter or a similar adapter). */
export class ScalingMetric {
  /**
   * Inference requests per second per pod.
   * @param averagePerPod the target per pod
   * @param metricName the metric's name in the custom metrics API
   */
  public static requestsPerSecond(averagePerPod: number, metricName = 'inference_requests_per_second'): ScalingMetric {
    return ScalingMetric.create('ScalingMetric.requestsPerSecond', 'rps', metricName, averagePerPod);
  }

  /**
   * Time requests wait in the server's queue, averaged per pod.
   * @param target the target average wait
   * @param metricName the metric's name (in seconds) in the custom metrics API
   */
  public static queueTime(target: Duration, metricName = 'inference_queue_time_seconds'): ScalingMetric {
    const v = Validator.forFactory('ScalingMetric.queueTime');
    if (!(target instanceof Duration) || target.toMilliseconds() <= 0) v.fail('target', 'must be a Duration greater than zero', target);
    return ScalingMetric.create('ScalingMetric.queueTime', 'queue-time', metricName, target.toMilliseconds() / 1000);
  }

  /** Any per-pod metric of the custom metrics API, kept at `averagePerPod`. */
  public static pods(metricName: string, averagePerPod: number): ScalingMetric {
    return ScalingMetric.create('ScalingMetric.pods', 'pods', metricName, averagePerPod);
  }

  private static create(factory: string, kind: string, metricName: string, target: number): ScalingMetric {
    const v = Validator.forFactory(factory);
    if (typeof metricName !== 'string' || !/^[A-Za-z_:][A-Za-z0-9_:]*$/.test(metricName)) {
      v.fail('metricName', 'must be a Prometheus metric name (letters, digits, \'_\' and \':\')', metricName);
    }
    if (typeof target !== 'number' || !Number.isFinite(target) || target <= 0) v.fail('target', 'must be a number greater than zero', target);
    return new ScalingMetric(kind, metricName, target);
  }

  private constructor(
    /** `rps`, `queue-time` or `pods`. */
    public readonly kind: string,
    /** The metric's name. */
    public readonly metricName: string,
    /** The target average per pod. */
    public readonly target: number,
  ) {}

  /** The HPA metric spec. */
  public toMetricSpec(): k8s.MetricSpecV2 {
    return {
      type: 'Pods',
      pods: { metric: { name: this.metricName }, target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString(toQuantity(this.target)) } },
    };
  }
}

/** How fast the autoscaler may change the replica count in one direction. */
export interface ScalingPolicy {
  /**
   * How long a recommendation must hold before it is acted on.
   * @default - 60 seconds up, 5 minutes down
   */
  readonly stabilizationWindow?: Duration;
  /**
   * The most pods added (or removed) per period.
   * @default - 2 up, 1 down
   */
  readonly maxPods?: number;
  /**
   * The period of `maxPods`.
   * @default - 60 seconds up, 2 minutes down
   */
  readonly period?: Duration;
}

/** Scaling on a Prometheus query with KEDA instead of a HorizontalPodAutoscaler. */
export interface PrometheusScaler {
  /** The Prometheus server KEDA queries (`http://prometheus-operated.monitoring.svc:9090`). */
  readonly serverAddress: string;
  /** A PromQL query returning one number for the whole server. */
  readonly query: string;
  /** The value of `query` one replica handles. */
  readonly threshold: number;
}

/** Autoscaling of a ModelServer. */
export interface AutoscalingOptions {
  /**
   * The fewest replicas. 0 scales the server to zero while it is idle (its GPUs are released), where the autoscaler
   * can: with `prometheus` (a KEDA ScaledObject) or the KServe Serverless backend (Knative). A
   * HorizontalPodAutoscaler cannot, so 0 is refused otherwise.
   * @default 2
   */
  readonly minReplicas?: number;
  /** The most replicas. */
  readonly maxReplicas: number;
  /**
   * How long the server must be idle before its last replica is stopped (scale to zero only): KEDA's
   * `cooldownPeriod`, or Knative's `scale-to-zero-pod-retention-period` with KServe Serverless. It must be at least
   * the startup budget (`startupTimeout`, the runtime's by default): a replica stopped sooner than a model load
   * lasts makes every burst of traffic wait out, or time out on, a cold start.
   * @default - the startup budget, at least 5 minutes
   */
  readonly cooldown?: Duration;
  /**
   * Target average CPU utilisation in percent of the request.
   * @default 70, unless `metrics` or `prometheus` are given (KServe Serverless: none, Knative scales on concurrency)
   */
  readonly cpuUtilization?: number;
  /**
   * Per-pod custom metrics (requests per second, queue time).
   * @default - none
   */
  readonly metrics?: ScalingMetric[];
  /**
   * Scale-up behaviour.
   * @default - stabilise 60 s, add at most 2 pods a minute
   */
  readonly scaleUp?: ScalingPolicy;
  /**
   * Scale-down behaviour.
   * @default - stabilise 5 minutes, remove at most 1 pod every 2 minutes
   */
  readonly scaleDown?: ScalingPolicy;
  /**
   * Scale with KEDA on a Prometheus query (a ScaledObject replaces the HorizontalPodAutoscaler; CPU utilisation
   * becomes a second trigger when given).
   * @default - a HorizontalPodAutoscaler
   */
  readonly prometheus?: PrometheusScaler;
}

/** Autoscaling options after defaults and checks. */
export interface ResolvedAutoscaling {
  readonly minReplicas: number;
  /** The cooldown given (checked against the startup budget by {@link scaleToZeroCooldown}). */
  readonly cooldown?: Duration;
  readonly maxReplicas: number;
  readonly cpuUtilization?: number;
  readonly metrics: ScalingMetric[];
  readonly behavior: k8s.HorizontalPodAutoscalerBehaviorV2;
  readonly prometheus?: PrometheusScaler;
}

/** Checks autoscaling options and applies defaults. */
export function resolveAutoscaling(v: IValidator, options: AutoscalingOptions): ResolvedAutoscaling {
  const minReplicas = validateInteger(v, 'autoscaling.minReplicas', options.minReplicas ?? 2, 0, 1000);
  const maxReplicas = validateInteger(v, 'autoscaling.maxReplicas', options.maxReplicas, 1, 1000);
  if (minReplicas > maxReplicas) v.fail('autoscaling.minReplicas', `must be at most autoscaling.maxReplicas (${maxReplicas})`, minReplicas);
  if (options.cooldown !== undefined && minReplicas > 0) {
    v.fail('autoscaling.cooldown', `applies only to scale to zero (autoscaling.minReplicas: 0); with ${minReplicas} replicas at least, the scale-down behaviour is autoscaling.scaleDown`, options.cooldown?.toHumanString?.() ?? options.cooldown);
  }
  const metrics = options.metrics ?? [];
  if (!Array.isArray(metrics)) v.fail('autoscaling.metrics', 'must be a list of ScalingMetric', metrics);
  metrics.forEach((m, i) => {
    if (!(m instanceof ScalingMetric)) v.fail(`autoscaling.metrics[${i}]`, 'must be made with ScalingMetric.requestsPerSecond(), .queueTime() or .pods()', m);
  });
  if (options.prometheus !== undefined) {
    const p = options.prometheus;
    if (metrics.length > 0) v.fail('autoscaling.metrics', 'cannot be combined with autoscaling.prometheus (express them as the KEDA query)', metrics.map((m) => m.metricName));
    if (typeof p.serverAddress !== 'string' || !/^https?:\/\/[^\s@]+$/.test(p.serverAddress)) v.fail('autoscaling.prometheus.serverAddress', 'must be an http(s) URL without credentials', p.serverAddress);
    if (typeof p.query !== 'string' || p.query.trim() === '') v.fail('autoscaling.prometheus.query', 'must be a PromQL query', p.query);
    if (typeof p.threshold !== 'number' || !(p.threshold > 0)) v.fail('autoscaling.prometheus.threshold', 'must be a number greater than zero', p.threshold);
  }
  const cpuDefault = metrics.length === 0 && options.prometheus === undefined ? 70 : undefined;
  const cpuUtilization = options.cpuUtilization ?? cpuDefault;
  if (cpuUtilization !== undefined) validateInteger(v, 'autoscaling.cpuUtilization', cpuUtilization, 1, 100);
  return {
    minReplicas,
    cooldown: options.cooldown,
    maxReplicas,
    cpuUtilization,
    metrics,
    prometheus: options.prometheus,
    behavior: {
      scaleUp: rules(v, 'autoscaling.scaleUp', options.scaleUp, Duration.seconds(60), 2, Duration.seconds(60)),
      scaleDown: rules(v, 'autoscaling.scaleDown', options.scaleDown, Duration.minutes(5), 1, Duration.minutes(2)),
    },
  };
}

/** The startup budget a scale-to-zero cooldown is checked against: its seconds, and where it comes from. */
export interface StartupBudget {
  readonly seconds: number;
  /** Where the budget comes from, for messages (`the startup probe's 180 checks every 10s`). */
  readonly source: string;
}

/**
 * The cooldown of a server that scales to zero, in seconds: the given one, refused when shorter than the startup
 * budget (the cold-start guard), or by default the budget, at least 5 minutes.
 */
export function scaleToZeroCooldown(v: IValidator, a: ResolvedAutoscaling, budget: StartupBudget): number {
  const prop = 'autoscaling.cooldown';
  if (a.cooldown === undefined) return Math.max(300, budget.seconds);
  const seconds = validateInteger(v, prop, durationSeconds(v, prop, a.cooldown), 0, 86400);
  if (seconds < budget.seconds) {
    v.fail(prop, `must be at least the startup budget of ${budget.seconds}s (${budget.source}): a server scaled to zero sooner than a replica takes to load its model makes every burst of traffic wait out, or time out on, a cold start; raise the cooldown or shorten startupTimeout`, `${seconds}s`);
  }
  return seconds;
}

/**
 * The autoscaler of a server's Deployment (id `Autoscaler`): the block's HorizontalPodAutoscaler, or a KEDA
 * ScaledObject when scaling on a Prometheus query (CPU utilisation, when given, as a second trigger). A KEDA
 * ScaledObject may scale to zero, after a cooldown of at least the startup budget; a HorizontalPodAutoscaler may not.
 */
export function renderAutoscaler(scope: Construct, v: IValidator, block: ServerBlock, a: ResolvedAutoscaling, budget: StartupBudget): void {
  if (a.prometheus === undefined) {
    if (a.minReplicas === 0) {
      v.fail('autoscaling.minReplicas', 'can be 0 only with autoscaling.prometheus (a KEDA ScaledObject) or the KServe Serverless backend: a HorizontalPodAutoscaler cannot scale to zero', a.minReplicas);
    }
    block.addAutoscaler({
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      cpuUtilization: a.cpuUtilization,
      metrics: a.metrics.map((m) => m.toMetricSpec()),
      behavior: a.behavior,
    });
    return;
  }
  const cooldown = a.minReplicas === 0 ? scaleToZeroCooldown(v, a, budget) : undefined;
  addScaledObject(scope, block, {
    minReplicas: a.minReplicas,
    maxReplicas: a.maxReplicas,
    // A new ScaledObject waits as long before its first scale to zero: the first replica may still be loading.
    cooldownSeconds: cooldown,
    initialCooldownSeconds: cooldown,
    behavior: a.behavior,
    triggers: [
      { type: 'prometheus', metadata: { serverAddress: a.prometheus.serverAddress, query: a.prometheus.query, threshold: String(a.prometheus.threshold) } },
      ...(a.cpuUtilization !== undefined ? [{ type: 'cpu', metricType: 'Utilization', metadata: { value: String(a.cpuUtilization) } }] : []),
    ],
  });
}

function rules(v: IValidator, prop: string, policy: ScalingPolicy = {}, window: Duration, pods: number, period: Duration): k8s.HpaScalingRulesV2 {
  const windowSeconds = validateInteger(v, `${prop}.stabilizationWindow`, durationSeconds(v, `${prop}.stabilizationWindow`, policy.stabilizationWindow ?? window), 0, 3600);
  const maxPods = validateInteger(v, `${prop}.maxPods`, policy.maxPods ?? pods, 1);
  const periodSeconds = validateInteger(v, `${prop}.period`, durationSeconds(v, `${prop}.period`, policy.period ?? period), 1, 1800);
  return { stabilizationWindowSeconds: windowSeconds, policies: [{ type: 'Pods', value: maxPods, periodSeconds }] };
}

/** A number as a Kubernetes quantity (fractions in milli-units). */
export function toQuantity(value: number): string {
  return Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
}
