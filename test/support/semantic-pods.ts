/**
 * Pod and container rules of the apiserver that the OpenAPI schema does not express
 * (k8s pkg/apis/core/validation/validation.go: ValidatePodSpec, validateContainers, validateVolumes,
 * ValidateResourceRequirements, validateProbe, ValidateSecurityContext...), plus a few the kubelet enforces
 * at run time (marked "kubelet").
 */
import {
  configMapKey, dns1123Label, dns1123Subdomain, envVarName, httpHeaderName, isInteger, labelValue, portName,
  portNumber, portNumOrName, qualifiedName, quantityValue,
} from './formats';
import { childPath } from './objects';
import { ContainerGroup, ContainerLocation, containersOf } from './pods';

type Report = (path: string, problem: string) => void;

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket'];
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const FIELD_REF_PATHS = new Set([
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.podIP', 'status.podIPs',
]);
const RESOURCE_FIELD_REFS = /^(limits|requests)\.(cpu|memory|ephemeral-storage|hugepages-.+)$/;

/** Every problem in a pod spec (or a KServe component / ServingRuntime container group). */
export function podSpecProblems(group: ContainerGroup, extraVolumes: string[], report: Report): void {
  const spec = group.spec;
  const at = (field: string) => childPath(group.path, field);
  const volumes = checkVolumes(spec.volumes, at('volumes'), report);
  for (const name of extraVolumes) volumes.add(name);

  const containers = containersOf(group);
  const names = new Set<string>();
  for (const c of containers) {
    const name = c.container.name;
    if (typeof name === 'string') {
      // validateContainers / validateInitContainers: DNS-1123 labels, unique across init, regular and ephemeral containers.
      const problem = dns1123Label(name);
      if (problem) report(`${c.path}.name`, `${problem} (got ${JSON.stringify(name)})`);
      if (names.has(name)) report(`${c.path}.name`, `duplicate container name ${JSON.stringify(name)}`);
      names.add(name);
    }
    containerProblems(c, group.partial ? undefined : volumes, report);
  }
  if (!group.partial) podLevelProblems(spec, group.path, report);
}

function checkVolumes(volumes: unknown, path: string, report: Report): Set<string> {
  const names = new Set<string>();
  (Array.isArray(volumes) ? volumes : []).forEach((volume: any, i: number) => {
    const here = childPath(path, i);
    if (typeof volume?.name === 'string') {
      // validateVolumes: DNS-1123 label, unique.
      const problem = dns1123Label(volume.name);
      if (problem) report(`${here}.name`, `${problem} (got ${JSON.stringify(volume.name)})`);
      if (names.has(volume.name)) report(`${here}.name`, `duplicate volume name ${JSON.stringify(volume.name)}`);
      names.add(volume.name);
    }
    // validateVolumeSource: exactly one volume type.
    const sources = Object.keys(volume ?? {}).filter((key) => key !== 'name');
    if (sources.length !== 1) report(here, `must have exactly one volume type, got ${sources.length} (${sources.join(', ') || 'none'})`);
    for (const field of ['configMap', 'secret']) {
      (volume?.[field]?.items ?? []).forEach((item: any, j: number) => {
        const itemPath = `${here}.${field}.items[${j}]`;
        if (typeof item?.key === 'string' && configMapKey(item.key)) report(`${itemPath}.key`, configMapKey(item.key)!);
        if (typeof item?.path === 'string' && relativePathProblem(item.path)) report(`${itemPath}.path`, relativePathProblem(item.path)!);
      });
    }
    if (volume?.persistentVolumeClaim && !volume.persistentVolumeClaim.claimName) report(`${here}.persistentVolumeClaim.claimName`, 'required');
    const sizeLimit = volume?.emptyDir?.sizeLimit;
    if (sizeLimit !== undefined && (quantityValue(sizeLimit) ?? -1) < 0) report(`${here}.emptyDir.sizeLimit`, 'must be a non-negative quantity');
  });
  return names;
}

function containerProblems(c: ContainerLocation, volumes: Set<string> | undefined, report: Report): void {
  const container = c.container;
  const at = (field: string) => childPath(c.path, field);
  const portNames = checkPorts(container.ports, at('ports'), report);
  checkEnv(container, c.path, report);
  if (volumes) checkMounts(container.volumeMounts, at('volumeMounts'), volumes, report);
  checkResources(container.resources, at('resources'), report);

  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    if (container[probe] === undefined) continue;
    if (c.type !== 'container') report(at(probe), `may not be set for ${c.type}s`);
    else checkProbe(container[probe], probe, at(probe), portNames, report);
  }
  for (const hook of ['postStart', 'preStop']) {
    const handler = container.lifecycle?.[hook];
    if (handler === undefined) continue;
    if (c.type !== 'container') report(`${at('lifecycle')}.${hook}`, `may not be set for ${c.type}s`);
    checkHandler(handler, LIFECYCLE_HANDLERS, `${at('lifecycle')}.${hook}`, portNames, report);
  }
  checkSecurityContext(container.securityContext, at('securityContext'), report);
}

function checkPorts(ports: unknown, path: string, report: Report): Set<string> {
  const names = new Set<string>();
  (Array.isArray(ports) ? ports : []).forEach((port: any, i: number) => {
    const here = childPath(path, i);
    // validateContainerPorts: IANA_SVC_NAME names unique within the container, ports 1-65535.
    if (port?.name !== undefined) {
      const problem = portName(String(port.name));
      if (problem) report(`${here}.name`, `${problem} (got ${JSON.stringify(port.name)})`);
      if (names.has(port.name)) report(`${here}.name`, `duplicate port name ${JSON.stringify(port.name)}`);
      names.add(port.name);
    }
    if (typeof port?.containerPort === 'number' && portNumber(port.containerPort)) report(`${here}.containerPort`, `${portNumber(port?.containerPort)} (got ${JSON.stringify(port?.containerPort)})`);
    if (typeof port?.hostPort === 'number' && port.hostPort !== 0 && portNumber(port.hostPort)) report(`${here}.hostPort`, portNumber(port.hostPort)!);
  });
  return names;
}

function checkEnv(container: any, path: string, report: Report): void {
  (Array.isArray(container.env) ? container.env : []).forEach((env: any, i: number) => {
    const here = `${path}.env[${i}]`;
    if (typeof env?.name === 'string' && envVarName(env.name)) report(`${here}.name`, `${envVarName(env.name)} (got ${JSON.stringify(env.name)})`);
    if (env?.valueFrom === undefined) return;
    // validateEnvVarValueFrom: exactly one source, and not with a non-empty value.
    if (env.value) report(here, 'value and valueFrom are mutually exclusive');
    const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((s) => env.valueFrom[s] !== undefined);
    if (sources.length !== 1) report(`${here}.valueFrom`, `must have exactly one source, got ${sources.length}`);
    for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
      const selector = env.valueFrom[ref];
      if (!selector) continue;
      if (!selector.name || dns1123Subdomain(selector.name)) report(`${here}.valueFrom.${ref}.name`, `must be a DNS-1123 subdomain (got ${JSON.stringify(selector.name)})`);
      if (typeof selector.key !== 'string' || configMapKey(selector.key)) report(`${here}.valueFrom.${ref}.key`, `${configMapKey(String(selector.key))} (got ${JSON.stringify(selector.key)})`);
    }
    const fieldPath = env.valueFrom.fieldRef?.fieldPath;
    if (fieldPath !== undefined && !FIELD_REF_PATHS.has(fieldPath) && !/^metadata\.(labels|annotations)\['[^']+'\]$/.test(fieldPath)) {
      report(`${here}.valueFrom.fieldRef.fieldPath`, `unsupported field path ${JSON.stringify(fieldPath)}`);
    }
    const resource = env.valueFrom.resourceFieldRef?.resource;
    if (resource !== undefined && !RESOURCE_FIELD_REFS.test(resource)) report(`${here}.valueFrom.resourceFieldRef.resource`, `unsupported resource ${JSON.stringify(resource)}`);
  });
  (Array.isArray(container.envFrom) ? container.envFrom : []).forEach((source: any, i: number) => {
    const here = `${path}.envFrom[${i}]`;
    if (source?.prefix && envVarName(source.prefix)) report(`${here}.prefix`, envVarName(source.prefix)!);
    const refs = ['configMapRef', 'secretRef'].filter((r) => source?.[r] !== undefined);
    if (refs.length !== 1) report(here, `must have exactly one of configMapRef or secretRef, got ${refs.length}`);
  });
}

function checkMounts(mounts: unknown, path: string, volumes: Set<string>, report: Report): void {
  const paths = new Set<string>();
  (Array.isArray(mounts) ? mounts : []).forEach((mount: any, i: number) => {
    const here = childPath(path, i);
    // validateVolumeMounts: the volume exists, mount paths are unique, subPath is relative without "..".
    if (!volumes.has(mount?.name)) report(`${here}.name`, `no volume named ${JSON.stringify(mount?.name)} in the pod`);
    if (typeof mount?.mountPath === 'string') {
      if (mount.mountPath === '') report(`${here}.mountPath`, 'required');
      if (paths.has(mount.mountPath)) report(`${here}.mountPath`, `must be unique: ${JSON.stringify(mount.mountPath)} is mounted twice`);
      paths.add(mount.mountPath);
    }
    if (mount?.subPath && relativePathProblem(mount.subPath)) report(`${here}.subPath`, relativePathProblem(mount.subPath)!);
    if (mount?.subPath && mount?.subPathExpr) report(here, 'subPath and subPathExpr are mutually exclusive');
  });
}

/** validateLocalDescendingPath: relative, no ".." element. */
function relativePathProblem(value: string): string | undefined {
  if (value.startsWith('/')) return 'must be a relative path';
  if (value.split('/').includes('..')) return 'must not contain ".."';
  return undefined;
}

/** ValidateResourceRequirements: names, non-negative quantities, requests ≤ limits, extended resources integer with request == limit. */
export function checkResources(resources: any, path: string, report: Report): void {
  const limits = resources?.limits ?? {};
  const requests = resources?.requests ?? {};
  for (const [kind, map] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, raw] of Object.entries<any>(map)) {
      const here = childPath(childPath(path, kind), name);
      const nameProblem = containerResourceName(name);
      if (nameProblem) report(here, nameProblem);
      const value = quantityValue(raw);
      if (value === undefined) continue;
      if (value < 0) report(here, `must be greater than or equal to 0 (got ${JSON.stringify(raw)})`);
      if (isExtendedResource(name) && !isInteger(value)) report(here, `must be an integer (got ${JSON.stringify(raw)})`);
    }
  }
  for (const [name, raw] of Object.entries<any>(requests)) {
    const here = childPath(childPath(path, 'requests'), name);
    const request = quantityValue(raw);
    const limit = limits[name] === undefined ? undefined : quantityValue(limits[name]);
    if (request === undefined) continue;
    if (limit !== undefined && request > limit * (1 + 1e-12)) {
      report(here, `must be less than or equal to the ${name} limit ${JSON.stringify(limits[name])} (got ${JSON.stringify(raw)})`);
    }
    if (isExtendedResource(name) || name.startsWith('hugepages-')) {
      if (limit === undefined) report(here, `${name} cannot be overcommitted: a limit must be set`);
      else if (Math.abs(request - limit) > 1e-9 * Math.max(1, limit)) report(here, `must be equal to the ${name} limit ${JSON.stringify(limits[name])} (got ${JSON.stringify(raw)})`);
    }
  }
}

function containerResourceName(name: string): string | undefined {
  if (!name.includes('/')) {
    return STANDARD_CONTAINER_RESOURCES.has(name) || name.startsWith('hugepages-') ? undefined : `${JSON.stringify(name)} is not a standard resource for containers`;
  }
  const qualified = qualifiedName(name);
  if (qualified) return `resource name ${qualified}`;
  return isExtendedResource(name) ? undefined : `${JSON.stringify(name)} is not a container resource`;
}

/** helper.IsExtendedResourceName: a qualified name with a domain outside kubernetes.io, not `requests.`-prefixed. */
export function isExtendedResource(name: string): boolean {
  if (!name.includes('/') || name.startsWith('requests.')) return false;
  const domain = name.slice(0, name.indexOf('/'));
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io');
}

function checkProbe(probe: any, kind: string, path: string, portNames: Set<string>, report: Report): void {
  checkHandler(probe, HANDLERS, path, portNames, report);
  // validateProbe: non-negative numbers; liveness and startup probes need successThreshold 1.
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    if (typeof probe?.[field] === 'number' && probe[field] < 0) report(`${path}.${field}`, `must be greater than or equal to 0 (got ${probe[field]})`);
  }
  if (kind !== 'readinessProbe' && probe?.successThreshold !== undefined && probe.successThreshold !== 1) {
    report(`${path}.successThreshold`, `must be 1 for a ${kind} (got ${probe.successThreshold})`);
  }
  if (probe?.terminationGracePeriodSeconds !== undefined) {
    if (kind === 'readinessProbe') report(`${path}.terminationGracePeriodSeconds`, 'must not be set for a readinessProbe');
    else if (probe.terminationGracePeriodSeconds <= 0) report(`${path}.terminationGracePeriodSeconds`, 'must be greater than 0');
  }
}

/** validateHandler: exactly one handler; ports number-or-name; a named port must be one of the container's (kubelet). */
function checkHandler(handler: any, allowed: string[], path: string, portNames: Set<string>, report: Report): void {
  const set = Object.keys(handler ?? {}).filter((key) => HANDLERS.includes(key) || key === 'sleep');
  if (set.length !== 1) report(path, `must have exactly one handler (${allowed.join(', ')}), got ${set.length}`);
  for (const key of set) {
    if (!allowed.includes(key)) report(`${path}.${key}`, `is not a handler here (allowed: ${allowed.join(', ')})`);
  }
  for (const key of ['httpGet', 'tcpSocket']) {
    const port = handler?.[key]?.port;
    if (port === undefined) continue;
    const problem = portNumOrName(port);
    if (problem) report(`${path}.${key}.port`, `${problem} (got ${JSON.stringify(port)})`);
    else if (typeof port === 'string' && !portNames.has(port)) report(`${path}.${key}.port`, `kubelet: the container has no port named ${JSON.stringify(port)}`);
  }
  if (handler?.grpc !== undefined && portNumber(handler.grpc.port)) report(`${path}.grpc.port`, portNumber(handler.grpc.port)!);
  (handler?.httpGet?.httpHeaders ?? []).forEach((header: any, i: number) => {
    if (typeof header?.name === 'string' && httpHeaderName(header.name)) report(`${path}.httpGet.httpHeaders[${i}].name`, httpHeaderName(header.name)!);
  });
  if (typeof handler?.httpGet?.path === 'string' && handler.httpGet.path !== '' && !handler.httpGet.path.startsWith('/')) {
    report(`${path}.httpGet.path`, 'kubelet: must be an absolute path');
  }
}

/** ValidateSecurityContext (container) and the kubelet's runAsNonRoot check. */
function checkSecurityContext(sc: any, path: string, report: Report): void {
  if (!sc) return;
  if (sc.privileged === true && sc.allowPrivilegeEscalation === false) {
    report(`${path}.allowPrivilegeEscalation`, 'cannot be false when privileged is true');
  }
  const added: string[] = sc.capabilities?.add ?? [];
  if (sc.allowPrivilegeEscalation === false && added.some((cap) => cap === 'SYS_ADMIN' || cap === 'CAP_SYS_ADMIN')) {
    report(`${path}.allowPrivilegeEscalation`, 'cannot be false when CAP_SYS_ADMIN is added');
  }
  idProblems(sc, path, report);
  seccompProblem(sc.seccompProfile, `${path}.seccompProfile`, report);
  if (sc.runAsNonRoot === true && sc.runAsUser === 0) report(`${path}.runAsUser`, 'kubelet: runAsNonRoot is true but runAsUser is 0 (root)');
}

function idProblems(sc: any, path: string, report: Report): void {
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup']) {
    const id = sc[field];
    if (id !== undefined && (!Number.isInteger(id) || id < 0 || id > 2147483647)) report(`${path}.${field}`, `must be between 0 and 2147483647 (got ${id})`);
  }
  (sc.supplementalGroups ?? []).forEach((gid: number, i: number) => {
    if (!Number.isInteger(gid) || gid < 0 || gid > 2147483647) report(`${path}.supplementalGroups[${i}]`, `must be between 0 and 2147483647 (got ${gid})`);
  });
}

function seccompProblem(profile: any, path: string, report: Report): void {
  if (!profile) return;
  if (profile.type === 'Localhost' && !profile.localhostProfile) report(`${path}.localhostProfile`, 'required when type is Localhost');
  if (profile.type !== 'Localhost' && profile.localhostProfile !== undefined) report(`${path}.localhostProfile`, 'can only be set when type is Localhost');
}

function podLevelProblems(spec: any, path: string, report: Report): void {
  const at = (field: string) => childPath(path, field);
  if (spec.securityContext) {
    idProblems(spec.securityContext, at('securityContext'), report);
    seccompProblem(spec.securityContext.seccompProfile, `${at('securityContext')}.seccompProfile`, report);
    (spec.securityContext.sysctls ?? []).forEach((s: any, i: number) => {
      if (!/^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/.test(s?.name ?? '')) report(`${at('securityContext')}.sysctls[${i}].name`, 'must be a sysctl name');
    });
  }
  for (const field of ['serviceAccountName', 'priorityClassName', 'schedulerName', 'runtimeClassName']) {
    if (typeof spec[field] === 'string' && spec[field] !== '' && dns1123Subdomain(spec[field])) report(at(field), `${dns1123Subdomain(spec[field])} (got ${JSON.stringify(spec[field])})`);
  }
  for (const field of ['hostname', 'subdomain']) {
    if (typeof spec[field] === 'string' && spec[field] !== '' && dns1123Label(spec[field])) report(at(field), `${dns1123Label(spec[field])} (got ${JSON.stringify(spec[field])})`);
  }
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) report(at('terminationGracePeriodSeconds'), 'must be greater than or equal to 0');
  if (typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds <= 0) report(at('activeDeadlineSeconds'), 'must be greater than 0');
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig?.nameservers?.length) report(at('dnsConfig'), 'must provide at least one nameserver when dnsPolicy is None');
  for (const [key, value] of Object.entries<any>(spec.nodeSelector ?? {})) {
    const problem = qualifiedName(key) ?? (typeof value === 'string' ? labelValue(value) : undefined);
    if (problem) report(childPath(at('nodeSelector'), key), problem);
  }
  (spec.imagePullSecrets ?? []).forEach((s: any, i: number) => {
    if (!s?.name || dns1123Subdomain(s.name)) report(`${at('imagePullSecrets')}[${i}].name`, 'must be a DNS-1123 subdomain');
  });
  checkTolerations(spec.tolerations, at('tolerations'), report);
  checkTopologySpread(spec.topologySpreadConstraints, at('topologySpreadConstraints'), report);
  checkAffinity(spec.affinity, at('affinity'), report);
}

/** validateTolerations. */
function checkTolerations(tolerations: unknown, path: string, report: Report): void {
  (Array.isArray(tolerations) ? tolerations : []).forEach((t: any, i: number) => {
    const here = childPath(path, i);
    if (t?.key && qualifiedName(t.key)) report(`${here}.key`, qualifiedName(t.key)!);
    if (!t?.key && t?.operator !== 'Exists') report(`${here}.operator`, 'must be Exists when key is empty');
    if (t?.operator === 'Exists' && t?.value) report(`${here}.value`, 'must be empty when operator is Exists');
    if ((t?.operator ?? 'Equal') === 'Equal' && typeof t?.value === 'string' && labelValue(t.value)) report(`${here}.value`, labelValue(t.value)!);
    if (t?.tolerationSeconds !== undefined && t?.effect !== 'NoExecute') report(`${here}.effect`, 'must be NoExecute when tolerationSeconds is set');
  });
}

/** validateTopologySpreadConstraints. */
function checkTopologySpread(constraints: unknown, path: string, report: Report): void {
  const seen = new Set<string>();
  (Array.isArray(constraints) ? constraints : []).forEach((c: any, i: number) => {
    const here = childPath(path, i);
    if (!(c?.maxSkew > 0)) report(`${here}.maxSkew`, `must be greater than 0 (got ${c?.maxSkew})`);
    if (!c?.topologyKey || qualifiedName(c.topologyKey)) report(`${here}.topologyKey`, 'must be a qualified name');
    if (c?.minDomains !== undefined && (c.minDomains <= 0 || c.whenUnsatisfiable !== 'DoNotSchedule')) {
      report(`${here}.minDomains`, 'must be greater than 0, and only with whenUnsatisfiable DoNotSchedule');
    }
    const key = `${c?.topologyKey}/${c?.whenUnsatisfiable}`;
    if (seen.has(key)) report(here, `duplicate {topologyKey, whenUnsatisfiable} ${key}`);
    seen.add(key);
  });
}

function checkAffinity(affinity: any, path: string, report: Report): void {
  const preferred = [
    ['nodeAffinity', affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution],
    ['podAffinity', affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution],
    ['podAntiAffinity', affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution],
  ] as const;
  for (const [kind, terms] of preferred) {
    (terms ?? []).forEach((term: any, i: number) => {
      if (!(term?.weight >= 1 && term.weight <= 100)) report(`${path}.${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}].weight`, 'must be between 1 and 100');
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const required = affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    const preferredTerms = (affinity?.[kind]?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t: any) => t?.podAffinityTerm);
    [...required, ...preferredTerms].forEach((term: any) => {
      if (term && (!term.topologyKey || qualifiedName(term.topologyKey))) report(`${path}.${kind}`, `topologyKey must be a qualified name (got ${JSON.stringify(term.topologyKey)})`);
    });
  }
  const nodeTerms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (Array.isArray(nodeTerms) && nodeTerms.length === 0) report(`${path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`, 'must have at least one term');
}
