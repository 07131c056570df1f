import { k8s } from 'cdk8s-plus-27';
import { IValidator } from './errors';
import { rejectInlineCredential, rejectNulCharacter, validateInteger, validateSingleLine } from './validation';

/** The strings of a container that the runtime or the kubelet take only in some forms. */
export interface ContainerStrings {
  readonly command?: string[];
  readonly args?: string[];
  readonly workingDir?: string;
  readonly env?: Record<string, string>;
}

/**
 * Refuses what the runtime rejects or misreads in a container's strings: a relative or multi-line `workingDir`
 * (the runtime resolves a relative one against the image's, differently per runtime), a NUL in `command` or `args`
 * (no process argument carries one), control characters in env values.
 */
export function checkContainerStrings(v: IValidator, at: (name: string) => string, spec: ContainerStrings): void {
  if (spec.workingDir !== undefined) {
    validateSingleLine(v, at('workingDir'), spec.workingDir);
    if (!spec.workingDir.startsWith('/')) v.fail(at('workingDir'), 'must be an absolute path (starting with \'/\')', spec.workingDir);
  }
  for (const key of ['command', 'args'] as const) {
    for (const [i, arg] of (Array.isArray(spec[key]) ? spec[key]! : []).entries()) rejectNulCharacter(v, at(`${key}[${i}]`), arg);
  }
  for (const [name, value] of Object.entries(spec.env ?? {})) {
    if (typeof value === 'string') validateSingleLine(v, at(`env.${name}`), value);
  }
}

/** Refuses two mounts at one path (the library's own `/tmp` and `/dev/shm` included): Kubernetes rejects the pod. */
export function checkUniqueMountPaths(v: IValidator, prop: string, mounts: readonly k8s.VolumeMount[]): void {
  const seen = new Map<string, string>();
  for (const mount of mounts) {
    const path = mount.mountPath.replace(/\/+$/, '') || '/';
    const other = seen.get(path);
    if (other !== undefined) {
      v.fail(prop, `must not mount two volumes at one path ('${other}' and '${mount.name}' both at ${path}; /tmp and /dev/shm are the library's own)`, path);
    }
    seen.set(path, mount.name);
  }
}

/** Checks `command` and `args`: lists of strings without credentials. */
export function checkArguments(v: IValidator, at: (name: string) => string, spec: ContainerStrings): void {
  for (const key of ['command', 'args'] as const) {
    const list = spec[key];
    if (list !== undefined && !Array.isArray(list)) v.fail(at(key), 'must be a list of strings', list);
    for (const [i, arg] of (list ?? []).entries()) {
      if (typeof arg !== 'string') v.fail(at(`${key}[${i}]`), 'must be a string', arg);
      rejectInlineCredential(v, at(key), undefined, arg);
    }
  }
}

/** The container ports of `ports`, each named by an IANA service name. */
export function containerPorts(v: IValidator, at: (name: string) => string, ports: readonly { name: string; port: number }[] | undefined): k8s.ContainerPort[] | undefined {
  return ports?.map((p, i) => {
    if (!/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(p.name) || !/[a-z]/.test(p.name)) {
      v.fail(at(`ports[${i}].name`), 'must be an IANA service name (at most 15 lower-case letters, digits and \'-\', with a letter)', p.name);
    }
    validateInteger(v, at(`ports[${i}].port`), p.port, 1, 65535);
    return { name: p.name, containerPort: p.port, protocol: 'TCP' };
  });
}
