import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { IValidator, Validator } from '../core/errors';
import { durationSeconds } from '../core/job';
import { validateInteger, validateMountPath } from '../core/validation';

/** The heartbeat file of {@link WorkerHealthCheck.heartbeatFile} when no path is given. */
export const DEFAULT_HEARTBEAT_FILE = '/var/run/worker/heartbeat';

/** Directories a heartbeat's emptyDir must not hide. */
const SYSTEM_DIRECTORIES = ['/bin', '/dev', '/etc', '/lib', '/proc', '/sbin', '/sys', '/usr', '/var/run/secrets'];

/** The environment variable that tells the worker where to touch its heartbeat file. */
export const HEARTBEAT_FILE_ENV = 'HEARTBEAT_FILE';

/** Options of {@link WorkerHealthCheck.heartbeatFile}. */
export interface HeartbeatFileOptions {
  /**
   * The file the worker touches after each message (or each idle poll). It is given to the worker as
   * `HEARTBEAT_FILE`; its directory is a writable `emptyDir` (the root filesystem is read-only).
   * @default '/var/run/worker/heartbeat'
   */
  readonly path?: string;
  /**
   * The age after which the worker counts as stalled. Longer than the slowest message plus the longest idle poll.
   * @default Duration.minutes(2)
   */
  readonly maxAge?: Duration;
}

/**
 * How the kubelet tells that a worker with no port is alive: a heartbeat file the worker touches, or a command
 * run in the container. Both run a program in the container (an exec probe): the image needs `sh`, `date` and
 * `stat` for the heartbeat check (not in distroless images: use {@link WorkerHealthCheck.command} there).
 */
export class WorkerHealthCheck {
  /**
   * Healthy while the heartbeat file was modified less than `maxAge` ago. A missing file (the worker never
   * started its loop) is unhealthy too; the startup budget covers the first heartbeat.
   */
  public static heartbeatFile(options: HeartbeatFileOptions = {}): WorkerHealthCheck {
    const v = Validator.forFactory('WorkerHealthCheck.heartbeatFile');
    const path = options.path ?? DEFAULT_HEARTBEAT_FILE;
    validateMountPath(v, 'path', path);
    // The path goes into a shell command: letters, digits and . _ - / only, so that nothing in it is interpreted.
    if (!/^(\/[A-Za-z0-9._-]+){2,}$/.test(path)) {
      v.fail('path', 'must be a file in a directory other than \'/\' (letters, digits, \'.\', \'_\', \'-\' and \'/\' only)', path);
    }
    const directory = path.slice(0, path.lastIndexOf('/'));
    if (SYSTEM_DIRECTORIES.some((d) => directory === d || directory.startsWith(`${d}/`))) {
      v.fail('path', `must not be in a system directory (${SYSTEM_DIRECTORIES.join(', ')}): its directory becomes an emptyDir`, path);
    }
    const maxAge = validateInteger(v, 'maxAge', durationSeconds(v, 'maxAge', options.maxAge ?? Duration.minutes(2)), 5, 86400);
    return new WorkerHealthCheck(heartbeatCommand(path, maxAge), path);
  }

  /**
   * Healthy while `command` exits 0 (run without a shell; use `['sh', '-c', '...']` for one).
   * @param command the program and its arguments
   */
  public static command(command: string[]): WorkerHealthCheck {
    const v = Validator.forFactory('WorkerHealthCheck.command');
    if (!Array.isArray(command) || command.length === 0 || command.some((c) => typeof c !== 'string' || c.length === 0)) {
      v.fail('command', 'must be a non-empty list of non-empty strings', command);
    }
    return new WorkerHealthCheck([...command]);
  }

  private constructor(
    /** The command the probe runs. */
    public readonly command: string[],
    /** The heartbeat file, for a heartbeat check. */
    public readonly heartbeatPath?: string,
  ) {}

  /** The directory of the heartbeat file that needs its own writable volume (none under /tmp). */
  public get heartbeatDirectory(): string | undefined {
    const path = this.heartbeatPath;
    if (path === undefined) return undefined;
    const directory = path.slice(0, path.lastIndexOf('/'));
    return directory === '/tmp' || directory.startsWith('/tmp/') ? undefined : directory;
  }

  /** The probe, run every `periodSeconds`, failing after `failureThreshold` failed runs in a row. */
  public probe(periodSeconds: number, failureThreshold: number): k8s.Probe {
    return { exec: { command: this.command }, periodSeconds, timeoutSeconds: Math.min(5, periodSeconds), failureThreshold };
  }
}

/**
 * The shell command that succeeds while `path` was modified less than `maxAgeSeconds` ago. `stat` of a missing
 * file fails, and so does the whole `&&` chain.
 */
export function heartbeatCommand(path: string, maxAgeSeconds: number): string[] {
  return ['sh', '-c', `m=$(stat -c %Y ${path}) && test $(( $(date +%s) - m )) -lt ${maxAgeSeconds}`];
}

/** Checks that `check` was made with a WorkerHealthCheck factory. */
export function validateHealthCheck(v: IValidator, prop: string, check: unknown): WorkerHealthCheck {
  if (!(check instanceof WorkerHealthCheck)) {
    v.fail(prop, 'must be made with WorkerHealthCheck.heartbeatFile() or WorkerHealthCheck.command([...])', check);
  }
  return check;
}
