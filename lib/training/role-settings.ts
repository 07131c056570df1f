import { Accelerator, AcceleratorVendor } from '../core/accelerator';
import { ConfigEnv, FileMount, resolveConfigEnv, resolveFileMounts } from '../core/config-files';
import { IValidator } from '../core/errors';
import { ContainerSpec } from '../core/pod';
import { trainingSharedMemory } from '../core/training';
import { QuantityInput, validateImage, validateQuantity } from '../core/validation';
import { Role, RoleName } from './roles';

/**
 * What one role of a distributed run does differently from the run's props (a parameter server's image, CPU and
 * memory; a CPU-only evaluator). Unset fields keep the run's.
 */
export interface TrainingRoleSettings {
  /**
   * The role's image, pinned by tag or digest.
   * @default - the run's image
   */
  readonly image?: string;
  /**
   * The role's command. PyTorch and MPI still start it under their launcher (`torchrun`, `mpirun`).
   * @default - the run's command
   */
  readonly command?: string[];
  /**
   * The role's arguments.
   * @default - the run's arguments
   */
  readonly args?: string[];
  /**
   * CPU cores requested per pod of the role (and the limit, unless `cpuLimit` is given).
   * @default - the run's `cpu` (an MPI launcher: 1)
   */
  readonly cpu?: QuantityInput;
  /**
   * CPU limit per pod of the role, at least its `cpu`.
   * @default - the role's CPU request
   */
  readonly cpuLimit?: QuantityInput;
  /**
   * Memory requested per pod of the role (and the limit, unless `memoryLimit` is given).
   * @default - the run's `memory` (an MPI launcher: 2Gi)
   */
  readonly memory?: QuantityInput;
  /**
   * Memory limit per pod of the role, at least its `memory`.
   * @default - the role's memory request
   */
  readonly memoryLimit?: QuantityInput;
  /**
   * The role's accelerator: `Accelerator.none()` for a CPU-only chief or evaluator, a GPU for parameter servers
   * that need one. The workers' accelerator is the run's `accelerator`.
   * @default - the run's accelerator; none for parameter servers and the MPI launcher
   */
  readonly accelerator?: Accelerator;
  /**
   * Environment variables added to the run's `env` for this role (the rendezvous variables the framework computes
   * cannot be replaced).
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Size of the role's memory-backed `/dev/shm`.
   * @default - the run's, sized from the role's memory when it has its own; none for the MPI launcher
   */
  readonly sharedMemory?: QuantityInput;
  /**
   * ConfigMap and Secret files mounted in the role's pods besides the run's `files`.
   * @default - only the run's
   */
  readonly files?: FileMount[];
  /**
   * ConfigMaps and Secrets whose keys become environment variables of the role's pods, after the run's `envFrom`.
   * @default - only the run's
   */
  readonly envFrom?: ConfigEnv[];
}

/** Settings per role of a distributed run. A role the framework does not run is refused. */
export interface TrainingRoles {
  /**
   * The workers: PyTorch nodes (the Kubeflow master too), TensorFlow workers, MPI workers.
   * @default - the run's props
   */
  readonly workers?: TrainingRoleSettings;
  /**
   * The TensorFlow chief.
   * @default - the run's props
   */
  readonly chief?: TrainingRoleSettings;
  /**
   * The TensorFlow parameter servers.
   * @default - the run's props, without an accelerator
   */
  readonly parameterServers?: TrainingRoleSettings;
  /**
   * The TensorFlow evaluator.
   * @default - the run's props
   */
  readonly evaluator?: TrainingRoleSettings;
  /**
   * The MPI launcher.
   * @default - the run's image and command under `mpirun`, 1 CPU and 2Gi, no accelerator
   */
  readonly launcher?: TrainingRoleSettings;
}

/** The prop of each role's settings. */
const ROLE_PROPS: Record<RoleName, keyof TrainingRoles> = {
  master: 'workers', worker: 'workers', chief: 'chief', ps: 'parameterServers', evaluator: 'evaluator', launcher: 'launcher',
};

const SETTING_KEYS = ['image', 'command', 'args', 'cpu', 'cpuLimit', 'memory', 'memoryLimit', 'accelerator', 'env', 'sharedMemory', 'files', 'envFrom'];

/** Refuses settings for roles the run does not have, and unknown fields; returns the settings of each role name. */
export function resolveRoleSettings(v: IValidator, roles: TrainingRoles | undefined, runRoles: readonly Role[]): Map<RoleName, TrainingRoleSettings> {
  const settings = new Map<RoleName, TrainingRoleSettings>();
  if (roles === undefined) return settings;
  if (roles === null || typeof roles !== 'object' || Array.isArray(roles)) v.fail('roles', 'must be an object of role names to settings', roles);
  const present = new Set(runRoles.map((r) => ROLE_PROPS[r.name]));
  for (const [key, value] of Object.entries(roles)) {
    if (value === undefined) continue;
    if (!(Object.values(ROLE_PROPS) as string[]).includes(key)) v.fail('roles', `must name roles among ${[...new Set(Object.values(ROLE_PROPS))].join(', ')}`, key);
    if (!present.has(key as keyof TrainingRoles)) v.fail(`roles.${key}`, `must be a role the run has (${[...present].join(', ')})`, key);
    if (value === null || typeof value !== 'object') v.fail(`roles.${key}`, 'must be an object of settings', value);
    for (const field of Object.keys(value)) {
      if (!SETTING_KEYS.includes(field)) v.fail(`roles.${key}`, `must have only the fields ${SETTING_KEYS.join(', ')}`, field);
    }
  }
  for (const role of runRoles) {
    const s = roles[ROLE_PROPS[role.name]];
    if (s !== undefined) settings.set(role.name, s);
  }
  return settings;
}

/** The prop path of a role's settings in messages: `roles.parameterServers`. */
export function roleProp(role: Role): string {
  return `roles.${ROLE_PROPS[role.name]}`;
}

/**
 * The role's own `/dev/shm` size: the one given, else the run's sized from the role's memory when it has its own
 * (and the run has one), else the run's.
 */
export function roleSharedMemory(v: IValidator, role: Role, s: TrainingRoleSettings | undefined, runShm: string | undefined): string | undefined {
  if (s?.sharedMemory !== undefined) return validateQuantity(v, `${roleProp(role)}.sharedMemory`, s.sharedMemory);
  if (runShm === undefined || s?.memory === undefined) return runShm;
  const prefixed: IValidator = { subject: v.subject, fail: (prop, requirement, value) => v.fail(`${roleProp(role)}.${prop}`, requirement, value) };
  return trainingSharedMemory(prefixed, s.memory);
}

/**
 * Applies a role's settings to the container the framework made for it. `frameworkEnv` are the variables the
 * framework computed (refused in the role's `env`).
 */
export function applyRoleSettings(v: IValidator, role: Role, container: ContainerSpec, s: TrainingRoleSettings, frameworkEnv: readonly string[]): ContainerSpec {
  const prop = roleProp(role);
  if (s.image !== undefined) validateImage(v, `${prop}.image`, s.image);
  for (const key of ['command', 'args'] as const) {
    const list = s[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))) v.fail(`${prop}.${key}`, 'must be a list of strings', list);
  }
  let accelerator = container.accelerator;
  if (s.accelerator !== undefined) {
    if (!(s.accelerator instanceof Accelerator)) v.fail(`${prop}.accelerator`, 'must be made with an Accelerator factory such as Accelerator.none()', s.accelerator);
    if (role.name === 'worker' || role.name === 'master' || role.name === 'launcher') {
      v.fail(`${prop}.accelerator`, role.name === 'launcher' ? 'must not be set: the MPI launcher runs no training' : 'must not be set: the workers\' accelerator is the run\'s `accelerator`', s.accelerator.description);
    }
    if (s.accelerator.hostsInSlice !== 1) v.fail(`${prop}.accelerator`, 'must fit on one node (a multi-host TPU slice is for the workers)', s.accelerator.description);
    accelerator = s.accelerator.vendor === AcceleratorVendor.NONE ? undefined : s.accelerator;
  }
  for (const name of Object.keys(s.env ?? {})) {
    if (frameworkEnv.includes(name)) v.fail(`${prop}.env`, 'must not set a variable the framework computes for the role\'s pods', name);
  }
  const r = container.resources;
  const ownSize = s.cpu !== undefined || s.memory !== undefined;
  return {
    ...container,
    image: s.image ?? container.image,
    command: s.command !== undefined && role.name !== 'launcher' && !isLauncherCommand(container) ? s.command : container.command,
    args: s.args ?? container.args,
    accelerator,
    env: { ...container.env, ...s.env },
    files: [...container.files ?? [], ...resolveFileMounts(v, `${prop}.files`, s.files)],
    envFrom: [...container.envFrom ?? [], ...resolveConfigEnv(v, `${prop}.envFrom`, s.envFrom)],
    resources: {
      cpu: s.cpu ?? r.cpu,
      memory: s.memory ?? r.memory,
      // A role with its own size has its own limits (else the run's limits might be below its requests).
      cpuLimit: s.cpuLimit ?? (ownSize ? undefined : r.cpuLimit),
      memoryLimit: s.memoryLimit ?? (ownSize ? undefined : r.memoryLimit),
    },
    prop,
  };
}

/** True when the framework started the command under a launcher (it then already holds the role's command). */
function isLauncherCommand(container: ContainerSpec): boolean {
  const first = container.command?.[0];
  return first === 'torchrun' || first === 'mpirun';
}
