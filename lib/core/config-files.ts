import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-27';
import { IValidator, Validator } from './errors';
import { validateBoolean, validateDnsSubdomain, validateInteger, validateMountPath, validateSingleLine } from './validation';

/** Where and how one key of a ConfigMap or Secret appears as a file (as cdk8s-plus's `PathMapping`). */
export interface ConfigFilePath {
  /** The file's path, relative to the mount directory (`gitconfig`, `conf/app.yaml`; no `..`). */
  readonly path: string;
  /**
   * The file's permission bits, in octal (`0o440`): read bits only for others than the owner.
   * @default - the source's `defaultMode`
   */
  readonly mode?: number;
}

/** Options of {@link ConfigFiles.fromConfigMap} and {@link ConfigFiles.fromSecret}. */
export interface ConfigFilesOptions {
  /**
   * The keys to mount, each at its path (as cdk8s-plus's `items`); the other keys are left out.
   * @default - every key, each as a file named after it
   */
  readonly items?: Record<string, ConfigFilePath>;
  /**
   * The permission bits of the files, in octal (`0o440`). Group and others never get write bits (the files are
   * read-only anyway, and a decimal `400` written for `0o400` would be `0o620`).
   * @default - 0o644 for a ConfigMap (Kubernetes' default), 0o440 for a Secret (owner and group, which is the pod's
   * `fsGroup`)
   */
  readonly defaultMode?: number;
  /**
   * Start the pods even when the ConfigMap or Secret, or a key of `items`, does not exist (the files are then
   * missing).
   * @default false: the pods wait until it exists
   */
  readonly optional?: boolean;
}

/** The Secret default mode: readable by the owner and the pod's `fsGroup`, by no one else. */
const SECRET_DEFAULT_MODE = 0o440;

/**
 * The files of a ConfigMap or Secret that exists in the workload's namespace (made by you, by another construct or
 * by an operator), mounted into a workload with its `files` prop. The library only references it: a Secret's data
 * never appears in a manifest.
 *
 * @example
 * files: [
 *   { source: ConfigFiles.fromConfigMap('nlp-config'), path: '/app/config' },
 *   { source: ConfigFiles.fromSecret('dvc-config', { items: { config: { path: 'config' } } }), path: '/etc/xdg/dvc' },
 * ]
 */
export class ConfigFiles {
  /** Every key of the ConfigMap `configMapName` (or the keys of `items`) as files. */
  public static fromConfigMap(configMapName: string, options: ConfigFilesOptions = {}): ConfigFiles {
    return ConfigFiles.of('ConfigMap', 'ConfigFiles.fromConfigMap', 'configMapName', configMapName, options);
  }

  /** Every key of the Secret `secretName` (or the keys of `items`) as files, by reference only. */
  public static fromSecret(secretName: string, options: ConfigFilesOptions = {}): ConfigFiles {
    return ConfigFiles.of('Secret', 'ConfigFiles.fromSecret', 'secretName', secretName, options);
  }

  private static of(kind: 'ConfigMap' | 'Secret', factory: string, nameProp: string, name: string, options: ConfigFilesOptions): ConfigFiles {
    const v = Validator.forFactory(factory);
    validateDnsSubdomain(v, nameProp, name);
    if (options === null || typeof options !== 'object') v.fail('options', 'must be an object of items, defaultMode and optional', options);
    const known = ['items', 'defaultMode', 'optional'];
    for (const key of Object.keys(options)) if (!known.includes(key)) v.fail(key, `is not an option (known: ${known.join(', ')})`, (options as any)[key]);
    if (options.defaultMode !== undefined) validateFileMode(v, 'defaultMode', options.defaultMode);
    validateBoolean(v, 'optional', options.optional);
    const items = validateItems(v, options.items);
    const defaultMode = options.defaultMode ?? (kind === 'Secret' ? SECRET_DEFAULT_MODE : undefined);
    return new ConfigFiles(kind, name, items, defaultMode, options.optional);
  }

  private constructor(
    /** `ConfigMap` or `Secret`. */
    public readonly kind: 'ConfigMap' | 'Secret',
    /** The ConfigMap's or Secret's name. */
    public readonly name: string,
    private readonly items: k8s.KeyToPath[] | undefined,
    private readonly defaultMode: number | undefined,
    private readonly optional: boolean | undefined,
  ) {}

  /** The keys mounted, if `items` selects them (undefined: every key). */
  public get keys(): string[] | undefined {
    return this.items?.map((i) => i.key);
  }

  /**
   * The pod volume that holds the files.
   * @internal
   */
  public _volume(volumeName: string): k8s.Volume {
    const fields = { items: this.items, defaultMode: this.defaultMode, optional: this.optional };
    return this.kind === 'Secret'
      ? { name: volumeName, secret: { secretName: this.name, ...fields } }
      : { name: volumeName, configMap: { name: this.name, ...fields } };
  }
}

/** Options of {@link ConfigEnv.fromConfigMap} and {@link ConfigEnv.fromSecret}. */
export interface ConfigEnvOptions {
  /**
   * A prefix for the name of every variable (`APP_`).
   * @default - none: the keys are the names
   */
  readonly prefix?: string;
  /**
   * Start the pods even when the ConfigMap or Secret does not exist.
   * @default false: the pods wait until it exists
   */
  readonly optional?: boolean;
}

/**
 * Every key of a ConfigMap or Secret as an environment variable (`envFrom`), with an optional prefix. The library
 * only references it: a Secret's data never appears in a manifest. Keys that are not variable names are skipped by
 * the kubelet. Environment variables do not change in a running container: a changed ConfigMap reaches new pods only.
 */
export class ConfigEnv {
  /** The keys of the ConfigMap `configMapName` as variables. */
  public static fromConfigMap(configMapName: string, options: ConfigEnvOptions = {}): ConfigEnv {
    return ConfigEnv.of('ConfigMap', 'ConfigEnv.fromConfigMap', 'configMapName', configMapName, options);
  }

  /** The keys of the Secret `secretName` as variables, by reference only. */
  public static fromSecret(secretName: string, options: ConfigEnvOptions = {}): ConfigEnv {
    return ConfigEnv.of('Secret', 'ConfigEnv.fromSecret', 'secretName', secretName, options);
  }

  private static of(kind: 'ConfigMap' | 'Secret', factory: string, nameProp: string, name: string, options: ConfigEnvOptions): ConfigEnv {
    const v = Validator.forFactory(factory);
    validateDnsSubdomain(v, nameProp, name);
    if (options === null || typeof options !== 'object') v.fail('options', 'must be an object of prefix and optional', options);
    const known = ['prefix', 'optional'];
    for (const key of Object.keys(options)) if (!known.includes(key)) v.fail(key, `is not an option (known: ${known.join(', ')})`, (options as any)[key]);
    // validation.IsEnvVarName, which the apiserver applies to the prefix.
    if (options.prefix !== undefined && (typeof options.prefix !== 'string' || !/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(options.prefix))) {
      v.fail('prefix', 'must be the start of an environment variable name (letters, digits, \'_\', \'-\' and \'.\', not starting with a digit)', options.prefix);
    }
    validateBoolean(v, 'optional', options.optional);
    return new ConfigEnv(kind, name, options.prefix, options.optional);
  }

  private constructor(
    /** `ConfigMap` or `Secret`. */
    public readonly kind: 'ConfigMap' | 'Secret',
    /** The ConfigMap's or Secret's name. */
    public readonly name: string,
    /** The prefix of the variables' names, if any. */
    public readonly prefix: string | undefined,
    private readonly optional: boolean | undefined,
  ) {}

  /**
   * The container's `envFrom` entry.
   * @internal
   */
  public _source(): k8s.EnvFromSource {
    const ref = { name: this.name, optional: this.optional };
    return this.kind === 'Secret' ? { prefix: this.prefix, secretRef: ref } : { prefix: this.prefix, configMapRef: ref };
  }
}

/** A ConfigMap's or Secret's files mounted into a workload's containers. */
export interface FileMount {
  /** The ConfigMap or Secret: `ConfigFiles.fromConfigMap(name)` or `ConfigFiles.fromSecret(name)`. */
  readonly source: ConfigFiles;
  /**
   * The directory the files appear in (absolute). It is mounted whole, never file by file with `subPath`, so that
   * the files follow changes of the ConfigMap or Secret; it hides what the image has there, and must not be or hold
   * another mount, nor be a system directory.
   */
  readonly path: string;
}

/** A file mount after its checks, with the prop it came from (`files[1]`, `roles.chief.files[0]`) for messages. */
export interface ResolvedFileMount extends FileMount {
  readonly prop: string;
  /** The pod volume's name, when the library's own (`runtime-config`); else one is made from the container's. */
  readonly volumeName?: string;
}

/**
 * Directories the files must not be mounted at or under: the kernel's, the image's programs and libraries, the
 * service-account token's. Mounting over them breaks the container or hides what the kubelet mounts.
 */
const SYSTEM_TREES = ['/proc', '/sys', '/dev', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/usr', '/boot',
  '/var/run/secrets/kubernetes.io', '/run/secrets/kubernetes.io'];
/** Directories the files must not replace whole (below them is fine: `/etc/app`). */
const SYSTEM_DIRECTORIES = ['/', '/etc', '/var', '/run', '/home', '/root', '/opt', '/srv', '/mnt', '/tmp', '/var/run', '/var/lib', '/etc/ssl'];

/** Checks a workload's `files` (the list and each mount's fields); `prop` names the list. */
export function resolveFileMounts(v: IValidator, prop: string, files: FileMount[] | undefined): ResolvedFileMount[] {
  if (files === undefined) return [];
  if (!Array.isArray(files)) v.fail(prop, 'must be a list of { source, path }', files);
  return files.map((file, i) => {
    const at = `${prop}[${i}]`;
    if (!file || typeof file !== 'object') v.fail(at, 'must be { source, path }', file);
    if (!(file.source instanceof ConfigFiles)) v.fail(`${at}.source`, 'must be made with ConfigFiles.fromConfigMap(name) or ConfigFiles.fromSecret(name)', file.source);
    for (const key of Object.keys(file)) if (key !== 'source' && key !== 'path') v.fail(at, 'must have only the fields source and path', key);
    return { source: file.source, path: checkFileMountPath(v, `${at}.path`, file.path), prop: at };
  });
}

/**
 * Checks the directory a ConfigMap or Secret is mounted at: absolute, and not a system directory nor under one
 * (`why` says why the directory is mounted, for the message). Returns it without a trailing '/'.
 */
export function checkFileMountPath(v: IValidator, prop: string, directory: string, why?: string): string {
  const path = normalise(validateMountPath(v, prop, directory));
  if (SYSTEM_DIRECTORIES.includes(path) || SYSTEM_TREES.some((tree) => path === tree || path.startsWith(`${tree}/`))) {
    v.fail(prop, `must not be a system directory (${SYSTEM_DIRECTORIES.join(', ')}) nor be under ${SYSTEM_TREES.join(', ')}${why ? ` (${why})` : ''}: the mount would hide what the container needs there; use a directory of its own such as /etc/<app>`, directory);
  }
  return path;
}

/** Checks a workload's `envFrom` list. */
export function resolveConfigEnv(v: IValidator, prop: string, envFrom: ConfigEnv[] | undefined): ConfigEnv[] {
  if (envFrom === undefined) return [];
  if (!Array.isArray(envFrom)) v.fail(prop, 'must be a list made with ConfigEnv.fromConfigMap(name) or ConfigEnv.fromSecret(name)', envFrom);
  envFrom.forEach((e, i) => {
    if (!(e instanceof ConfigEnv)) v.fail(`${prop}[${i}]`, 'must be made with ConfigEnv.fromConfigMap(name) or ConfigEnv.fromSecret(name)', e);
  });
  return [...envFrom];
}

/**
 * Refuses a file mount whose directory is, holds or is inside another mount of the container (a claim, another
 * file mount, the library's `/tmp`, `/dev/shm` or hyperparameters): the kubelet would have to create a mount point
 * in a read-only volume, or one mount would hide the other.
 */
export function checkFileMountOverlaps(v: IValidator, files: readonly ResolvedFileMount[], mounts: readonly k8s.VolumeMount[], fileVolumes: readonly string[]): void {
  files.forEach((file, i) => {
    for (const mount of mounts) {
      if (mount.name === fileVolumes[i]) continue;
      const other = normalise(mount.mountPath);
      if (other === file.path || other.startsWith(`${file.path}/`) || file.path.startsWith(`${other}/`)) {
        v.fail(`${file.prop}.path`, `must not be, hold or be inside another mount of the container (volume '${mount.name}' at ${other}; /tmp, /dev/shm and /etc/hyperparameters are the library's own)`, file.path);
      }
    }
  });
}

/** The pod volume name of the `index`th file mount of container `container`. */
export function fileVolumeName(container: string, index: number): string {
  return `${container}-files-${index}`.slice(-63).replace(/^-+/, '');
}

/** The name of the pod annotation that holds a checksum of the configuration the library wrote for the pods. */
export const CONFIG_CHECKSUM_ANNOTATION = 'cdk8s-mlops.io/config-checksum';

/**
 * The pod annotations that roll a Deployment's pods when the data of the ConfigMaps the library writes for them
 * changes (a new pod template hash): a short SHA-256 of the data, keys sorted.
 */
export function configChecksumAnnotation(...data: Record<string, string>[]): Record<string, string> {
  const hash = createHash('sha256');
  for (const d of data) for (const key of Object.keys(d).sort()) hash.update(`${key}\0${d[key]}\0`);
  return { [CONFIG_CHECKSUM_ANNOTATION]: hash.digest('hex').slice(0, 16) };
}

/** validation.IsConfigMapKey: what the apiserver accepts as a ConfigMap or Secret data key. */
export function isConfigMapKey(key: unknown): boolean {
  return typeof key === 'string' && /^[-._a-zA-Z0-9]{1,253}$/.test(key) && key !== '.' && !key.startsWith('..');
}

const KEY_RULE = 'must be a ConfigMap or Secret data key (at most 253 letters, digits, \'-\', \'_\' and \'.\'; not \'.\' and not starting with \'..\')';

function validateItems(v: IValidator, items: Record<string, ConfigFilePath> | undefined): k8s.KeyToPath[] | undefined {
  if (items === undefined) return undefined;
  if (items === null || typeof items !== 'object' || Array.isArray(items)) v.fail('items', 'must be an object of keys to { path, mode }', items);
  const entries = Object.entries(items);
  if (entries.length === 0) v.fail('items', 'must select at least one key (leave it out for every key)', items);
  const paths = new Map<string, string>();
  return entries.map(([key, target]) => {
    if (!isConfigMapKey(key)) v.fail('items', KEY_RULE, key);
    if (!target || typeof target !== 'object') v.fail(`items.${key}`, 'must be { path, mode }', target);
    for (const field of Object.keys(target)) if (field !== 'path' && field !== 'mode') v.fail(`items.${key}`, 'must have only the fields path and mode', field);
    const path = validateItemPath(v, `items.${key}.path`, target.path);
    const other = paths.get(path);
    if (other !== undefined) v.fail(`items.${key}.path`, `must differ from the path of key '${other}'`, path);
    for (const [p, k] of paths) {
      if (p.startsWith(`${path}/`) || path.startsWith(`${p}/`)) v.fail(`items.${key}.path`, `must not be a directory of, or a file inside, the path of key '${k}'`, path);
    }
    paths.set(path, key);
    if (target.mode !== undefined) validateFileMode(v, `items.${key}.mode`, target.mode);
    return { key, path, mode: target.mode };
  });
}

/** validation.ValidateLocalNonReservedPath, plus no control characters, empty or '.' elements. */
function validateItemPath(v: IValidator, prop: string, path: string): string {
  if (typeof path !== 'string' || path.length === 0 || path.length > 4096 || path.startsWith('/') || path.startsWith('..')
    || path.split('/').some((part) => part === '' || part === '.' || part === '..') || path.includes(':')) {
    v.fail(prop, 'must be a relative file path (no leading \'/\' or \'..\', no \'.\', \'..\' or empty elements, no \':\')', path);
  }
  validateSingleLine(v, prop, path);
  return path;
}

/** A file mode: 0 to 0o777 with no write bit for group or others. */
function validateFileMode(v: IValidator, prop: string, mode: number): number {
  if (typeof mode === 'number' && Number.isInteger(mode) && mode > 0o777 && mode <= 0o7777 && /^[0-7]{3,4}$/.test(String(mode))) {
    v.fail(prop, `must be written in octal (0o${mode}, not ${mode}): permission bits from 0 to 0o777`, mode);
  }
  validateInteger(v, prop, mode, 0, 0o777);
  if ((mode & 0o022) !== 0) {
    v.fail(prop, `must not give group or others write access (got 0o${mode.toString(8)}; the files are read-only: use 0o444, 0o440 or 0o400)`, mode);
  }
  return mode;
}

function normalise(path: string): string {
  return path.replace(/\/+/g, '/').replace(/\/$/, '') || '/';
}
