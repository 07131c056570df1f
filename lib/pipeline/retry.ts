import { Duration } from 'cdk8s';
import { IValidator, Validator } from '../core/errors';
import { validateDuration, validateInteger } from '../core/validation';

/** How long to wait between attempts. */
export interface BackoffOptions {
  /**
   * The wait before the first retry.
   * @default Duration.seconds(30)
   */
  readonly initialDelay?: Duration;
  /**
   * The factor the wait grows by after each retry.
   * @default 2
   */
  readonly factor?: number;
  /**
   * The longest wait between two attempts.
   * @default Duration.minutes(10)
   */
  readonly maxDelay?: Duration;
}

/** Which failures of a step are retried (Argo's `retryPolicy`). */
enum RetryOn {
  ERROR = 'OnError',
  FAILURE = 'OnFailure',
  ALWAYS = 'Always',
  TRANSIENT = 'OnTransientError',
}

/**
 * How a step is retried, with exponential backoff. `Retry.onError` retries what is not the program's fault (pod
 * deleted by preemption or a node drain, node lost); `Retry.onFailure` also retries a non-zero exit.
 */
export class Retry {
  /** No retries. */
  public static none(): Retry {
    return new Retry(0, RetryOn.ERROR, undefined);
  }

  /**
   * Retries when the pod errors (deleted, evicted, preempted, node lost), not when the program exits non-zero: the
   * default of every step, so that preemption does not fail a pipeline and a bug is not run `limit` more times.
   */
  public static onError(limit: number, backoff: BackoffOptions = {}): Retry {
    return Retry.make('Retry.onError', RetryOn.ERROR, limit, backoff);
  }

  /** Retries when the program exits non-zero (a flaky download, an out-of-memory kill), and on pod errors. */
  public static onFailure(limit: number, backoff: BackoffOptions = {}): Retry {
    return Retry.make('Retry.onFailure', RetryOn.ALWAYS, limit, backoff);
  }

  /** Retries transient errors only (network errors, API server throttling; Argo's `OnTransientError`). */
  public static onTransientError(limit: number, backoff: BackoffOptions = {}): Retry {
    return Retry.make('Retry.onTransientError', RetryOn.TRANSIENT, limit, backoff);
  }

  private static make(factory: string, on: RetryOn, limit: number, backoff: BackoffOptions): Retry {
    const v = Validator.forFactory(factory);
    validateInteger(v, 'limit', limit, 1, 100);
    if (!backoff || typeof backoff !== 'object') v.fail('backoff', 'must be an object of initialDelay, factor and maxDelay', backoff);
    const initial = validateDuration(v, 'backoff.initialDelay', backoff.initialDelay ?? Duration.seconds(30), 1);
    const factor = validateInteger(v, 'backoff.factor', backoff.factor ?? 2, 1, 10);
    const max = validateDuration(v, 'backoff.maxDelay', backoff.maxDelay ?? Duration.minutes(10), 1);
    if (max < initial) v.fail('backoff.maxDelay', `must be at least the initial delay (${initial}s)`, `${max}s`);
    return new Retry(limit, on, { duration: `${initial}s`, factor, cap: `${max}s` });
  }

  private constructor(
    private readonly limit: number,
    private readonly on: RetryOn,
    private readonly backoff: { duration: string; factor: number; cap: string } | undefined,
  ) {}

  /** The Argo `retryStrategy`, undefined for no retries. @internal */
  public _render(): Record<string, unknown> | undefined {
    if (this.limit === 0) return undefined;
    return { limit: this.limit, retryPolicy: this.on, backoff: this.backoff };
  }
}

/** The retry of a step: the given one, else 3 retries on pod errors. */
export function resolveRetry(v: IValidator, retry: Retry | undefined): Record<string, unknown> | undefined {
  if (retry !== undefined && !(retry instanceof Retry)) v.fail('retry', 'must be made with Retry.onError(...), Retry.onFailure(...), Retry.onTransientError(...) or Retry.none()', retry);
  return (retry ?? DEFAULT_RETRY)._render();
}

const DEFAULT_RETRY = Retry.onError(3);
