import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { IValidator, Validator } from './errors';
import { deepFreeze } from './frozen';
import { MAX_DURATION_SECONDS, validateBoolean, validateCron, validateEnum, validateInteger, validateTimeZone } from './validation';

/** Disruptions (preemption, spot reclaim, node drain) do not count against the retries. Shared, so frozen. */
const IGNORE_DISRUPTIONS: k8s.PodFailurePolicyRule = deepFreeze({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] });

/** How a Job retries, gives up and cleans up. Shared by every training construct. */
export interface JobRunOptions {
  /**
   * Failed pods retried before the Job fails. Preemption and node drains do not count (see `retryOnDisruption`).
   * @default 3
   */
  readonly backoffLimit?: number;
  /**
   * Wall-clock cap on the whole run: the Job is stopped after this long (a cost cap for GPU runs).
   * @default - no cap
   */
  readonly activeDeadline?: Duration;
  /**
   * Delete the finished Job and its pods after this long.
   * @default Duration.days(1)
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Pod disruptions (preemption, spot reclaim, node drain: the `DisruptionTarget` condition) restart the pod
   * without using up `backoffLimit`.
   * @default true
   */
  readonly retryOnDisruption?: boolean;
  /**
   * Exit codes of the training container that mean "do not retry" (bad config, data error): the Job fails at
   * once.
   * @default - none
   */
  readonly failFastExitCodes?: number[];
  /**
   * Create the Job suspended, to be resumed by hand (`kubectl patch ... suspend: false`). Refused for a run queued to
   * Kueue, which suspends queued Jobs itself and resumes them as soon as it admits them.
   * @default false
   */
  readonly suspend?: boolean;
}

/** The Job spec fields that {@link JobRunOptions} decide; `containerName` is the container the exit codes are for. */
export function jobRunFields(v: IValidator, options: JobRunOptions, containerName: string): {
  backoffLimit: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished: number;
  suspend?: boolean;
  podFailurePolicy?: k8s.PodFailurePolicy;
} {
  const backoffLimit = validateInteger(v, 'backoffLimit', options.backoffLimit ?? 3, 0, 1000);
  const activeDeadlineSeconds = options.activeDeadline === undefined ? undefined
    : validateInteger(v, 'activeDeadline', durationSeconds(v, 'activeDeadline', options.activeDeadline), 1);
  const ttlSecondsAfterFinished = validateInteger(v, 'ttlAfterFinished', durationSeconds(v, 'ttlAfterFinished', options.ttlAfterFinished ?? Duration.days(1)), 0);
  validateBoolean(v, 'suspend', options.suspend);
  validateBoolean(v, 'retryOnDisruption', options.retryOnDisruption);
  const rules: k8s.PodFailurePolicyRule[] = [];
  if (options.retryOnDisruption ?? true) {
    rules.push(IGNORE_DISRUPTIONS);
  }
  const codes = options.failFastExitCodes ?? [];
  if (!Array.isArray(codes)) v.fail('failFastExitCodes', 'must be a list of exit codes', codes);
  codes.forEach((code, i) => validateInteger(v, `failFastExitCodes[${i}]`, code, 1, 255));
  if (codes.length > 0) {
    // Kubernetes 1.27 requires onPodConditions on every rule, empty when the rule matches exit codes.
    rules.push({ action: 'FailJob', onExitCodes: { containerName, operator: 'In', values: [...new Set(codes)].sort((a, b) => a - b) }, onPodConditions: [] });
  }
  return {
    backoffLimit,
    activeDeadlineSeconds,
    ttlSecondsAfterFinished,
    suspend: options.suspend || undefined,
    podFailurePolicy: rules.length > 0 ? { rules } : undefined,
  };
}

/** What a Job spec adds to {@link jobRunFields}: its pods. */
export interface JobPods {
  /** The pod template. */
  readonly template: k8s.PodTemplateSpec;
  /** @default - Kubernetes' default (1) */
  readonly completions?: number;
  /** @default - Kubernetes' default (1) */
  readonly parallelism?: number;
  /** @default - Kubernetes' default (NonIndexed) */
  readonly completionMode?: 'Indexed' | 'NonIndexed';
}

/**
 * A whole Job spec: the {@link jobRunFields} of `options` and the pods. One object literal, not the fields spread and
 * then extended: V8 gives every object made that way a hidden class of its own, and a platform keeps thousands of
 * Job specs until synth ends.
 */
export function jobRunSpec(v: IValidator, options: JobRunOptions, containerName: string, pods: JobPods): k8s.JobSpec {
  const fields = jobRunFields(v, options, containerName);
  return {
    backoffLimit: fields.backoffLimit,
    activeDeadlineSeconds: fields.activeDeadlineSeconds,
    ttlSecondsAfterFinished: fields.ttlSecondsAfterFinished,
    suspend: fields.suspend,
    podFailurePolicy: fields.podFailurePolicy,
    completionMode: pods.completionMode,
    completions: pods.completions,
    parallelism: pods.parallelism,
    template: pods.template,
  };
}

/** Whole seconds of a duration; fractions of a second are an error. */
export function durationSeconds(v: IValidator, prop: string, duration: Duration): number {
  if (!(duration instanceof Duration)) v.fail(prop, 'must be a cdk8s Duration such as Duration.hours(12)', duration);
  const seconds = duration.toSeconds({ integral: false });
  if (!Number.isInteger(seconds)) v.fail(prop, 'must be a whole number of seconds', `${seconds}s`);
  if (seconds > MAX_DURATION_SECONDS) v.fail(prop, `must be at most ${MAX_DURATION_SECONDS} seconds (about 68 years), the largest a manifest carries`, `${seconds}s`);
  return seconds;
}

/** What a scheduled run does when the previous one is still running. */
export enum ConcurrencyPolicy {
  /** Skip the new run (two retrainings must not write the same model at once). */
  FORBID = 'Forbid',
  /** Stop the running one and start the new one. */
  REPLACE = 'Replace',
  /** Run both. */
  ALLOW = 'Allow',
}

/** When a recurring job runs. */
export class Schedule {
  /**
   * A cron expression: five fields (minute hour day-of-month month day-of-week) or a macro like `@daily`.
   * @example Schedule.cron('0 2 * * *') // every night at 02:00
   */
  public static cron(expression: string): Schedule {
    validateCron(Validator.forFactory('Schedule.cron'), 'expression', expression);
    return new Schedule(expression);
  }

  /** Every day at `hour`:`minute`. */
  public static daily(hour: number = 0, minute: number = 0): Schedule {
    const v = Validator.forFactory('Schedule.daily');
    validateInteger(v, 'hour', hour, 0, 23);
    validateInteger(v, 'minute', minute, 0, 59);
    return new Schedule(`${minute} ${hour} * * *`);
  }

  private constructor(
    /** The cron expression. */
    public readonly expressionString: string,
  ) {}
}

/** How a scheduled training job recurs. */
export interface ScheduleOptions {
  /**
   * The time zone of the schedule (an IANA name).
   * @default 'Etc/UTC'
   */
  readonly timeZone?: string;
  /**
   * What happens when a run is due while the previous one still runs.
   * @default ConcurrencyPolicy.FORBID
   */
  readonly concurrencyPolicy?: ConcurrencyPolicy;
  /**
   * How late a missed run may still start. Without it a CronJob that missed more than 100 starts stops
   * scheduling for good.
   * @default Duration.hours(1)
   */
  readonly startingDeadline?: Duration;
  /**
   * Finished successful runs to keep.
   * @default 3
   */
  readonly successfulRunsToKeep?: number;
  /**
   * Failed runs to keep, for their logs.
   * @default 3
   */
  readonly failedRunsToKeep?: number;
}

/** The CronJob spec fields of a schedule, except the job template. */
export function cronJobFields(v: IValidator, schedule: Schedule, options: ScheduleOptions = {}): Omit<k8s.CronJobSpec, 'jobTemplate'> {
  if (!(schedule instanceof Schedule)) v.fail('schedule', 'must be made with Schedule.cron(...) or Schedule.daily(...)', schedule);
  const timeZone = validateTimeZone(v, 'scheduleOptions.timeZone', options.timeZone ?? 'Etc/UTC');
  const policy = options.concurrencyPolicy ?? ConcurrencyPolicy.FORBID;
  validateEnum(v, 'scheduleOptions.concurrencyPolicy', policy, ConcurrencyPolicy, 'ConcurrencyPolicy');
  return {
    schedule: schedule.expressionString,
    timeZone,
    concurrencyPolicy: policy,
    startingDeadlineSeconds: validateInteger(v, 'scheduleOptions.startingDeadline', durationSeconds(v, 'scheduleOptions.startingDeadline', options.startingDeadline ?? Duration.hours(1)), 10),
    successfulJobsHistoryLimit: validateInteger(v, 'scheduleOptions.successfulRunsToKeep', options.successfulRunsToKeep ?? 3, 0, 100),
    failedJobsHistoryLimit: validateInteger(v, 'scheduleOptions.failedRunsToKeep', options.failedRunsToKeep ?? 3, 0, 100),
  };
}
