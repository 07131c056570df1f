/**
 * Pod Security Standards, "restricted" profile as of Kubernetes 1.27 (baseline checks included).
 * Rule names are the check IDs of the pod-security admission plugin.
 * Not modelled: the exemptions for `spec.os.name: windows`; every pod is checked as a Linux pod.
 */
import { childPath, objectId } from './objects';
import { ContainerGroup, containerGroupsOf, containersOf } from './pods';

const ALLOWED_VOLUME_TYPES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
]);
const ALLOWED_SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const ALLOWED_SECCOMP_TYPES = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** The label value GpuNodeSetup puts in `app.kubernetes.io/part-of` on its Namespace and every object in it. */
export const GPU_NODE_SETUP = 'gpu-node-setup';

/**
 * The one exemption: the namespace a GpuNodeSetup creates (a Namespace among `objects`, labelled Pod Security
 * `privileged` and part of the GPU node setup). Its node daemons need host access.
 */
export function gpuNodeSetupNamespaces(objects: any[]): Set<string> {
  return new Set(objects
    .filter((o) => o?.apiVersion === 'v1' && o.kind === 'Namespace'
      && o.metadata?.labels?.['pod-security.kubernetes.io/enforce'] === 'privileged'
      && o.metadata?.labels?.['app.kubernetes.io/part-of'] === GPU_NODE_SETUP)
    .map((o) => o.metadata.name));
}

/**
 * Every violation of the restricted profile, as `Kind/ns/name: path (container "c"): [rule] detail`. Only the GPU
 * node setup's own objects in its own privileged namespace are exempt; anything else in that namespace is checked.
 */
export function checkRestricted(objects: any[]): string[] {
  const exempt = gpuNodeSetupNamespaces(objects);
  return objects
    .filter((obj) => !(exempt.has(obj?.metadata?.namespace) && obj?.metadata?.labels?.['app.kubernetes.io/part-of'] === GPU_NODE_SETUP))
    .flatMap((obj) => containerGroupsOf(obj).flatMap((group) => checkGroup(objectId(obj), group)));
}

function checkGroup(id: string, group: ContainerGroup): string[] {
  const errors: string[] = [];
  const fail = (path: string, rule: string, detail: string) => errors.push(`${id}: ${path}: [${rule}] ${detail}`);
  const spec = group.spec;
  const podContext = spec.securityContext ?? {};
  const podContextPath = childPath(group.path, 'securityContext');

  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) fail(childPath(group.path, field), 'hostNamespaces', `${field} must not be true`);
  }
  for (const [key, value] of Object.entries<any>(group.metadata?.annotations ?? {})) {
    if (key.startsWith(APPARMOR_ANNOTATION_PREFIX) && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      fail(`${group.path} (pod annotation ${JSON.stringify(key)})`, 'appArmorProfile', `AppArmor profile must be runtime/default or localhost/*, not ${JSON.stringify(value)}`);
    }
  }
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((volume: any, i: number) => {
    const path = childPath(childPath(group.path, 'volumes'), i);
    for (const type of Object.keys(volume ?? {}).filter((k) => k !== 'name')) {
      if (type === 'hostPath') fail(path, 'hostPathVolumes', `hostPath volume "${volume.name}" is not allowed`);
      else if (!ALLOWED_VOLUME_TYPES.has(type)) fail(path, 'restrictedVolumes', `${type} volume "${volume.name}" is not allowed`);
    }
  });
  (Array.isArray(podContext.sysctls) ? podContext.sysctls : []).forEach((sysctl: any, i: number) => {
    if (!SAFE_SYSCTLS.has(sysctl?.name)) {
      fail(childPath(childPath(podContextPath, 'sysctls'), i), 'sysctls', `sysctl ${JSON.stringify(sysctl?.name)} is not in the safe set`);
    }
  });
  checkSecurityContext(podContext, podContextPath, fail);

  const podSeccompOk = ALLOWED_SECCOMP_TYPES.has(podContext.seccompProfile?.type);
  for (const c of containersOf(group)) {
    const where = `${c.path} (container "${c.name}")`;
    const context = c.container.securityContext ?? {};
    const contextPath = `${childPath(c.path, 'securityContext')} (container "${c.name}")`;
    checkSecurityContext(context, contextPath, fail);

    if (context.privileged === true) fail(where, 'privileged', 'securityContext.privileged must not be true');
    if (context.allowPrivilegeEscalation !== false) fail(where, 'allowPrivilegeEscalation', 'securityContext.allowPrivilegeEscalation must be false');
    if (context.procMount !== undefined && context.procMount !== 'Default') fail(where, 'procMount', 'securityContext.procMount must be Default');

    const capabilities = context.capabilities ?? {};
    if (!(capabilities.drop ?? []).includes('ALL')) fail(where, 'capabilities_restricted', 'securityContext.capabilities.drop must include ALL');
    const added = (capabilities.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    if (added.length) fail(where, 'capabilities_restricted', `capabilities ${added.join(', ')} must not be added (only NET_BIND_SERVICE)`);

    (Array.isArray(c.container.ports) ? c.container.ports : []).forEach((port: any, i: number) => {
      if (port?.hostPort) fail(`${childPath(childPath(c.path, 'ports'), i)} (container "${c.name}")`, 'hostPorts', `hostPort ${port.hostPort} is not allowed`);
    });

    if (!group.partial && context.seccompProfile?.type === undefined && !podSeccompOk) {
      fail(where, 'seccompProfile_restricted', 'seccompProfile.type must be RuntimeDefault or Localhost on the pod or on every container');
    }
    if (!group.partial && context.runAsNonRoot === undefined && podContext.runAsNonRoot !== true) {
      fail(where, 'runAsNonRoot', 'runAsNonRoot must be true on the pod or on every container');
    }
  }
  return errors;
}

/** Checks shared by the pod and the container security contexts: values that are wrong wherever they are set. */
function checkSecurityContext(context: any, path: string, fail: (path: string, rule: string, detail: string) => void): void {
  if (context.windowsOptions?.hostProcess === true) fail(path, 'windowsHostProcess', 'windowsOptions.hostProcess must not be true');
  if (context.runAsNonRoot === false) fail(path, 'runAsNonRoot', 'runAsNonRoot must not be false');
  if (context.runAsUser === 0) fail(path, 'runAsUser', 'runAsUser must not be 0 (root)');
  const seccomp = context.seccompProfile?.type;
  if (seccomp !== undefined && !ALLOWED_SECCOMP_TYPES.has(seccomp)) {
    fail(path, 'seccompProfile_restricted', `seccompProfile.type must be RuntimeDefault or Localhost, not ${JSON.stringify(seccomp)}`);
  }
  const selinux = context.seLinuxOptions;
  if (selinux) {
    if (!ALLOWED_SELINUX_TYPES.has(selinux.type ?? '')) fail(path, 'seLinuxOptions', `seLinuxOptions.type ${JSON.stringify(selinux.type)} is not allowed`);
    if (selinux.user) fail(path, 'seLinuxOptions', 'seLinuxOptions.user must not be set');
    if (selinux.role) fail(path, 'seLinuxOptions', 'seLinuxOptions.role must not be set');
  }
}
