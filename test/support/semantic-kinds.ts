/**
 * Per-kind rules of the apiserver the OpenAPI schema does not express: apps and batch workloads
 * (pkg/apis/apps/validation, pkg/apis/batch/validation), Services, Ingresses (pkg/apis/networking/validation),
 * HPAs (pkg/apis/autoscaling/validation), PDBs (pkg/apis/policy/validation), NetworkPolicies, RBAC
 * (pkg/apis/rbac/validation), ConfigMaps, Secrets, PVCs, quotas and limit ranges (pkg/apis/core/validation).
 */
import {
  cidr, configMapKey, cronSchedule, dns1035Label, dns1123Label, dns1123Subdomain, labelValue, percentValue, portName,
  portNumber, portNumOrName, qualifiedName, quantityValue, strictSubnet, timeZone,
} from './formats';
import { childPath } from './objects';
import { crdProblems } from './semantic-crds';

export type Report = (path: string, problem: string) => void;

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** The checks of one object, by kind (built-in API groups only; CRDs get their pod specs checked elsewhere). */
export function kindProblems(obj: any, report: Report): void {
  const spec = obj.spec ?? {};
  annotationSize(obj.metadata, 'metadata', report);
  labelSelectors(obj, '', report);
  switch (`${obj.apiVersion}/${obj.kind}`) {
    case 'apps/v1/Deployment': return deploymentProblems(spec, report);
    case 'apps/v1/StatefulSet': return statefulSetProblems(obj, report);
    case 'apps/v1/DaemonSet': return templateRestartAlways(spec, report);
    case 'batch/v1/Job': return jobProblems(obj, spec, 'spec', report);
    case 'batch/v1/CronJob': return cronJobProblems(obj, report);
    case 'v1/Service': return serviceProblems(spec, report);
    case 'networking.k8s.io/v1/Ingress': return ingressProblems(spec, report);
    case 'networking.k8s.io/v1/NetworkPolicy': return networkPolicyProblems(spec, report);
    case 'autoscaling/v2/HorizontalPodAutoscaler': return hpaProblems(spec, report);
    case 'policy/v1/PodDisruptionBudget': return pdbProblems(spec, report);
    case `${RBAC_GROUP}/v1/Role`: return ruleProblems(obj.rules, true, report);
    case `${RBAC_GROUP}/v1/ClusterRole`: return ruleProblems(obj.aggregationRule ? [] : obj.rules, false, report);
    case `${RBAC_GROUP}/v1/RoleBinding`: return bindingProblems(obj, true, report);
    case `${RBAC_GROUP}/v1/ClusterRoleBinding`: return bindingProblems(obj, false, report);
    case 'v1/ConfigMap': return dataProblems(obj, ['data', 'binaryData'], report);
    case 'v1/Secret': return dataProblems(obj, ['data', 'stringData'], report);
    case 'v1/PersistentVolumeClaim': return claimProblems(spec, 'spec', report);
    case 'v1/ResourceQuota': return quantityMap(spec.hard, 'spec.hard', report);
    case 'v1/LimitRange': return limitRangeProblems(spec, report);
    default: return crdProblems(obj, report);
  }
}

/** ValidateAnnotations: keys are qualified names, 256 KiB in all. */
function annotationSize(metadata: any, path: string, report: Report): void {
  const annotations = metadata?.annotations ?? {};
  const size = Object.entries<any>(annotations).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (size > 256 * 1024) report(`${path}.annotations`, `may not exceed 262144 bytes in all (got ${size})`);
}

/** ValidateLabelSelector, wherever a selector with matchExpressions appears. */
function labelSelectors(node: any, path: string, report: Report): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => labelSelectors(item, childPath(path, i), report));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries<any>(node)) {
    const here = childPath(path, key);
    if (key === 'matchExpressions' && Array.isArray(value)) {
      value.forEach((expr: any, i: number) => {
        const at = childPath(here, i);
        if (typeof expr?.key === 'string' && qualifiedName(expr.key)) report(`${at}.key`, qualifiedName(expr.key)!);
        const values: unknown[] = expr?.values ?? [];
        if ((expr?.operator === 'In' || expr?.operator === 'NotIn') && values.length === 0) report(`${at}.values`, `must be specified when operator is ${expr.operator}`);
        if ((expr?.operator === 'Exists' || expr?.operator === 'DoesNotExist') && values.length > 0) report(`${at}.values`, `may not be specified when operator is ${expr.operator}`);
        if (expr?.operator === 'In' || expr?.operator === 'NotIn') {
          values.forEach((v, j) => { if (typeof v === 'string' && labelValue(v)) report(`${at}.values[${j}]`, labelValue(v)!); });
        }
      });
    }
    labelSelectors(value, here, report);
  }
}

function nonNegative(value: unknown, path: string, report: Report, strict = false): void {
  if (typeof value === 'number' && (strict ? value <= 0 : value < 0)) report(path, `must be greater than ${strict ? '' : 'or equal to '}0 (got ${value})`);
}

/** An int-or-string that is a non-negative number or a percentage (0-100% when `max100`). */
function intOrPercent(value: unknown, path: string, report: Report, max100: boolean): void {
  if (value === undefined) return;
  if (typeof value === 'number') return nonNegative(value, path, report);
  const percent = percentValue(value);
  if (percent === undefined) report(path, `must be an integer or a percentage like "25%" (got ${JSON.stringify(value)})`);
  else if (max100 && percent > 100) report(path, `must not be greater than 100% (got ${JSON.stringify(value)})`);
}

function templateRestartAlways(spec: any, report: Report): void {
  const policy = spec.template?.spec?.restartPolicy;
  if (policy !== undefined && policy !== 'Always') report('spec.template.spec.restartPolicy', `must be Always (got ${JSON.stringify(policy)})`);
  nonNegative(spec.replicas, 'spec.replicas', report);
  nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', report);
  nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit', report);
}

/** ValidateDeploymentSpec. */
function deploymentProblems(spec: any, report: Report): void {
  templateRestartAlways(spec, report);
  const strategy = spec.strategy ?? {};
  if (strategy.type === 'Recreate' && strategy.rollingUpdate) report('spec.strategy.rollingUpdate', 'may not be specified when strategy type is Recreate');
  const rolling = strategy.rollingUpdate;
  if (rolling) {
    intOrPercent(rolling.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable', report, true);
    intOrPercent(rolling.maxSurge, 'spec.strategy.rollingUpdate.maxSurge', report, false);
    const zero = (v: unknown) => v === 0 || v === '0%';
    if (zero(rolling.maxUnavailable) && zero(rolling.maxSurge)) report('spec.strategy.rollingUpdate.maxUnavailable', 'may not be 0 when maxSurge is 0');
  }
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    report('spec.progressDeadlineSeconds', 'must be greater than minReadySeconds');
  }
}

/** ValidateStatefulSetSpec; and the controller-revision-hash label (name + "-" + 10 characters) must stay a label value. */
function statefulSetProblems(obj: any, report: Report): void {
  const spec = obj.spec ?? {};
  templateRestartAlways(spec, report);
  if (typeof obj.metadata?.name === 'string' && obj.metadata.name.length > 52) {
    report('metadata.name', `controller: must be at most 52 characters, or its pods' controller-revision-hash label is invalid (got ${obj.metadata.name.length})`);
  }
  if (spec.serviceName !== undefined && spec.serviceName !== '' && dns1035Label(spec.serviceName)) report('spec.serviceName', dns1035Label(spec.serviceName)!);
  (spec.volumeClaimTemplates ?? []).forEach((claim: any, i: number) => {
    if (typeof claim?.metadata?.name === 'string' && dns1123Label(claim.metadata.name)) report(`spec.volumeClaimTemplates[${i}].metadata.name`, dns1123Label(claim.metadata.name)!);
    claimProblems(claim?.spec ?? {}, `spec.volumeClaimTemplates[${i}].spec`, report);
  });
}

/** ValidateJobSpec; a Job's name becomes the `job-name` label of its pods, so at most 63 characters. */
function jobProblems(obj: any, spec: any, path: string, report: Report): void {
  if (obj.kind === 'Job' && typeof obj.metadata?.name === 'string' && obj.metadata.name.length > 63) {
    report('metadata.name', `must be at most 63 characters: it becomes the job-name label of the pods (got ${obj.metadata.name.length})`);
  }
  for (const field of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished']) nonNegative(spec[field], `${path}.${field}`, report);
  nonNegative(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`, report, true);
  if (spec.completionMode === 'Indexed' && spec.completions === undefined) report(`${path}.completions`, 'required when completionMode is Indexed');
  if (spec.podFailurePolicy && spec.template?.spec?.restartPolicy !== 'Never') {
    report(`${path}.template.spec.restartPolicy`, 'must be Never when podFailurePolicy is set');
  }
}

/** ValidateCronJobCreate: name ≤ 52 (Jobs get an 11-character suffix), schedule, time zone, job template. */
function cronJobProblems(obj: any, report: Report): void {
  const spec = obj.spec ?? {};
  if (typeof obj.metadata?.name === 'string' && obj.metadata.name.length > 52) report('metadata.name', `must be no more than 52 characters (got ${obj.metadata.name.length})`);
  if (typeof spec.schedule === 'string') {
    const problem = cronSchedule(spec.schedule);
    if (problem) report('spec.schedule', `${problem} (got ${JSON.stringify(spec.schedule)})`);
  }
  if (typeof spec.timeZone === 'string' && timeZone(spec.timeZone)) report('spec.timeZone', timeZone(spec.timeZone)!);
  for (const field of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) nonNegative(spec[field], `spec.${field}`, report);
  jobProblems(obj, spec.jobTemplate?.spec ?? {}, 'spec.jobTemplate.spec', report);
}

/** ValidateService: ports (names, numbers; port and protocol unique is the schema's list-map key), targetPorts, node ports, source ranges, selector labels. */
function serviceProblems(spec: any, report: Report): void {
  const ports: any[] = spec.ports ?? [];
  const type = spec.type ?? 'ClusterIP';
  if (ports.length === 0 && type !== 'ExternalName' && spec.clusterIP !== 'None') report('spec.ports', 'required');
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const here = `spec.ports[${i}]`;
    if (ports.length > 1 && !port?.name) report(`${here}.name`, 'required when there is more than one port');
    if (port?.name) {
      if (dns1123Label(port.name)) report(`${here}.name`, `${dns1123Label(port.name)} (got ${JSON.stringify(port.name)})`);
      if (names.has(port.name)) report(`${here}.name`, `duplicate port name ${JSON.stringify(port.name)}`);
      names.add(port.name);
    }
    if (typeof port?.port === 'number' && portNumber(port.port)) report(`${here}.port`, `${portNumber(port?.port)} (got ${JSON.stringify(port?.port)})`);
    if ((typeof port?.targetPort === 'number' || typeof port?.targetPort === 'string') && portNumOrName(port.targetPort)) report(`${here}.targetPort`, `${portNumOrName(port.targetPort)} (got ${JSON.stringify(port.targetPort)})`);
    if (port?.nodePort !== undefined && type !== 'NodePort' && type !== 'LoadBalancer') report(`${here}.nodePort`, `may not be used when type is ${type}`);
  });
  for (const [key, value] of Object.entries<any>(spec.selector ?? {})) {
    const problem = qualifiedName(key) ?? (typeof value === 'string' ? labelValue(value) : undefined);
    if (problem) report(childPath('spec.selector', key), problem);
  }
  (spec.loadBalancerSourceRanges ?? []).forEach((range: string, i: number) => {
    if (type !== 'LoadBalancer') report(`spec.loadBalancerSourceRanges[${i}]`, 'may only be used when type is LoadBalancer');
    if (cidr(range)) report(`spec.loadBalancerSourceRanges[${i}]`, `${cidr(range)} (got ${JSON.stringify(range)})`);
  });
  if (type === 'ExternalName' && (!spec.externalName || dns1123Subdomain(spec.externalName))) report('spec.externalName', 'must be a DNS-1123 subdomain when type is ExternalName');
  if (spec.externalTrafficPolicy !== undefined && type !== 'NodePort' && type !== 'LoadBalancer') report('spec.externalTrafficPolicy', `may only be set when type is NodePort or LoadBalancer`);
}

const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

/** ValidateIngressSpec: hosts, path syntax per pathType, backends, TLS. */
function ingressProblems(spec: any, report: Report): void {
  if (!spec.defaultBackend && !(spec.rules ?? []).length) report('spec', 'either defaultBackend or rules must be specified');
  if (spec.ingressClassName !== undefined && dns1123Subdomain(spec.ingressClassName)) report('spec.ingressClassName', dns1123Subdomain(spec.ingressClassName)!);
  if (spec.defaultBackend) backendProblems(spec.defaultBackend, 'spec.defaultBackend', report);
  (spec.rules ?? []).forEach((rule: any, i: number) => {
    const here = `spec.rules[${i}]`;
    if (rule?.host !== undefined) hostProblems(rule.host, `${here}.host`, report);
    (rule?.http?.paths ?? []).forEach((p: any, j: number) => {
      const at = `${here}.http.paths[${j}]`;
      const path: string = p?.path ?? '';
      // pathType is required by the schema.
      if ((p?.pathType === 'Exact' || p?.pathType === 'Prefix')) {
        if (!path.startsWith('/')) report(`${at}.path`, `must be an absolute path (got ${JSON.stringify(path)})`);
        for (const seq of INVALID_PATH_SEQUENCES) if (path.includes(seq)) report(`${at}.path`, `must not contain ${JSON.stringify(seq)} (got ${JSON.stringify(path)})`);
        for (const suffix of INVALID_PATH_SUFFIXES) if (path.endsWith(suffix)) report(`${at}.path`, `cannot end with ${JSON.stringify(suffix)} (got ${JSON.stringify(path)})`);
      } else if (path !== '' && !path.startsWith('/')) {
        report(`${at}.path`, `must be an absolute path (got ${JSON.stringify(path)})`);
      }
      backendProblems(p?.backend ?? {}, `${at}.backend`, report);
    });
  });
  (spec.tls ?? []).forEach((tls: any, i: number) => {
    (tls?.hosts ?? []).forEach((host: string, j: number) => hostProblems(host, `spec.tls[${i}].hosts[${j}]`, report));
    if (tls?.secretName !== undefined && dns1123Subdomain(tls.secretName)) report(`spec.tls[${i}].secretName`, dns1123Subdomain(tls.secretName)!);
  });
}

function hostProblems(host: string, path: string, report: Report): void {
  if (/^[0-9.]+$/.test(host) || host.includes(':')) report(path, `must be a DNS name, not an IP address (got ${JSON.stringify(host)})`);
  const name = host.startsWith('*.') ? host.slice(2) : host;
  if (dns1123Subdomain(name)) report(path, `${dns1123Subdomain(name)}, optionally with a "*." prefix (got ${JSON.stringify(host)})`);
}

function backendProblems(backend: any, path: string, report: Report): void {
  const kinds = ['service', 'resource'].filter((k) => backend[k] !== undefined);
  if (kinds.length !== 1) report(path, 'must have exactly one of service or resource');
  const service = backend.service;
  if (!service) return;
  if (dns1035Label(service.name ?? '')) report(`${path}.service.name`, `${dns1035Label(service.name ?? '')} (got ${JSON.stringify(service.name)})`);
  const port = service.port ?? {};
  const set = ['name', 'number'].filter((k) => port[k] !== undefined);
  if (set.length !== 1) report(`${path}.service.port`, 'must have exactly one of name or number');
  if (port.name !== undefined && portName(port.name)) report(`${path}.service.port.name`, portName(port.name)!);
  if (port.number !== undefined && portNumber(port.number)) report(`${path}.service.port.number`, portNumber(port.number)!);
}

/** ValidateNetworkPolicySpec: ports, endPort, peers, ipBlock CIDRs. */
function networkPolicyProblems(spec: any, report: Report): void {
  for (const direction of ['ingress', 'egress']) {
    const peersField = direction === 'ingress' ? 'from' : 'to';
    (spec[direction] ?? []).forEach((rule: any, i: number) => {
      const here = `spec.${direction}[${i}]`;
      (rule?.ports ?? []).forEach((p: any, j: number) => {
        const at = `${here}.ports[${j}]`;
        if (p?.port !== undefined && portNumOrName(p.port)) report(`${at}.port`, `${portNumOrName(p.port)} (got ${JSON.stringify(p.port)})`);
        if (p?.endPort !== undefined) {
          if (typeof p.port !== 'number') report(`${at}.endPort`, 'may only be used with a numeric port');
          else if (p.endPort < p.port) report(`${at}.endPort`, 'must be greater than or equal to port');
        }
      });
      (rule?.[peersField] ?? []).forEach((peer: any, j: number) => {
        const at = `${here}.${peersField}[${j}]`;
        const set = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => peer?.[k] !== undefined);
        if (set.length === 0) report(at, 'must specify a peer');
        if (set.length > 1 && peer.ipBlock) report(at, 'may not specify both ipBlock and another peer');
        const block = peer?.ipBlock;
        if (!block) return;
        if (typeof block.cidr !== 'string' || cidr(block.cidr)) report(`${at}.ipBlock.cidr`, `${cidr(String(block.cidr))} (got ${JSON.stringify(block.cidr)})`);
        (block.except ?? []).forEach((except: string, k: number) => {
          if (cidr(except)) report(`${at}.ipBlock.except[${k}]`, `${cidr(except)} (got ${JSON.stringify(except)})`);
          else if (!strictSubnet(except, block.cidr)) report(`${at}.ipBlock.except[${k}]`, `must be a strict subset of cidr ${block.cidr} (got ${JSON.stringify(except)})`);
        });
      });
    });
  }
}

/** ValidateHorizontalPodAutoscalerSpec (autoscaling/v2). */
function hpaProblems(spec: any, report: Report): void {
  const min = spec.minReplicas ?? 1;
  if (min < 1) report('spec.minReplicas', `must be greater than or equal to 1 (got ${min})`);
  if (typeof spec.maxReplicas !== 'number') return; // required: the schema reports it
  if (spec.maxReplicas < 1) report('spec.maxReplicas', `must be greater than 0 (got ${spec.maxReplicas})`);
  else if (spec.maxReplicas < min) report('spec.maxReplicas', `must be greater than or equal to minReplicas ${min} (got ${spec.maxReplicas})`);
  if (!spec.scaleTargetRef?.kind || !spec.scaleTargetRef?.name) report('spec.scaleTargetRef', 'kind and name are required');
  (spec.metrics ?? []).forEach((metric: any, i: number) => metricProblems(metric, `spec.metrics[${i}]`, report));
  for (const direction of ['scaleUp', 'scaleDown']) {
    const rules = spec.behavior?.[direction];
    if (!rules) continue;
    const here = `spec.behavior.${direction}`;
    const window = rules.stabilizationWindowSeconds;
    if (window !== undefined && (window < 0 || window > 3600)) report(`${here}.stabilizationWindowSeconds`, 'must be between 0 and 3600');
    if (rules.selectPolicy !== 'Disabled' && (rules.policies ?? []).length === 0) report(`${here}.policies`, 'must have at least one policy');
    (rules.policies ?? []).forEach((p: any, j: number) => {
      if (!(p?.periodSeconds > 0 && p.periodSeconds <= 1800)) report(`${here}.policies[${j}].periodSeconds`, 'must be between 1 and 1800');
      if (!(p?.value > 0)) report(`${here}.policies[${j}].value`, 'must be greater than 0');
    });
  }
}

const METRIC_SOURCES: Record<string, string> = {
  Resource: 'resource', ContainerResource: 'containerResource', Pods: 'pods', Object: 'object', External: 'external',
};

function metricProblems(metric: any, path: string, report: Report): void {
  const field = METRIC_SOURCES[metric?.type];
  const set = Object.values(METRIC_SOURCES).filter((f) => metric?.[f] !== undefined);
  if (!field || set.length !== 1 || set[0] !== field) {
    report(path, `must set exactly the source of its type ${JSON.stringify(metric?.type)} (got ${set.join(', ') || 'none'})`);
    return;
  }
  const source = metric[field];
  const target = source.target ?? {};
  const here = `${path}.${field}.target`;
  if (field === 'resource' || field === 'containerResource') {
    // validateResourceSource: averageUtilization or averageValue, not both, not a raw value.
    if (target.averageUtilization === undefined && target.averageValue === undefined) report(here, 'must set either averageUtilization or averageValue');
    if (target.averageUtilization !== undefined && target.averageValue !== undefined) report(here, 'may not set both averageUtilization and averageValue');
    if (target.value !== undefined) report(`${here}.value`, 'may not be set for a resource metric');
    if (!source.name) report(`${path}.${field}.name`, 'required');
  } else if (!source.metric?.name) {
    report(`${path}.${field}.metric.name`, 'required');
  }
  if (field === 'pods' && target.type !== 'AverageValue') report(`${here}.type`, 'must be AverageValue for a Pods metric');
  const value = { Utilization: target.averageUtilization, Value: target.value, AverageValue: target.averageValue }[target.type as string];
  if (value === undefined) report(here, `must set the value for its type ${JSON.stringify(target.type)}`);
  else if (!((typeof value === 'number' ? value : quantityValue(value) ?? 0) > 0)) report(here, `the ${target.type} target must be positive (got ${JSON.stringify(value)})`);
}

/** ValidatePodDisruptionBudgetSpec: minAvailable xor maxUnavailable, non-negative, percentages ≤ 100%. */
function pdbProblems(spec: any, report: Report): void {
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) report('spec', 'minAvailable and maxUnavailable cannot be both set');
  intOrPercent(spec.minAvailable, 'spec.minAvailable', report, true);
  intOrPercent(spec.maxUnavailable, 'spec.maxUnavailable', report, true);
}

/** ValidatePolicyRule: verbs; resource rules need API groups; namespaced rules have no non-resource URLs. */
function ruleProblems(rules: any[] | undefined, namespaced: boolean, report: Report): void {
  (rules ?? []).forEach((rule, i) => {
    const here = `rules[${i}]`;
    if (!(rule?.verbs ?? []).length) report(`${here}.verbs`, 'must have at least one verb');
    const resources = (rule?.resources ?? []).length > 0;
    const urls = (rule?.nonResourceURLs ?? []).length > 0;
    if (namespaced && urls) report(`${here}.nonResourceURLs`, 'namespaced rules cannot apply to non-resource URLs');
    if (resources && urls) report(here, 'rules cannot apply to both regular resources and non-resource URLs');
    if (!resources && !urls) report(here, 'must have resources or nonResourceURLs');
    if (resources && !(rule.apiGroups ?? []).length) report(`${here}.apiGroups`, 'resource rules must supply at least one api group');
  });
}

/** ValidateRoleBinding / ValidateClusterRoleBinding: roleRef and subjects. */
function bindingProblems(obj: any, namespaced: boolean, report: Report): void {
  const ref = obj.roleRef ?? {};
  if (ref.apiGroup !== RBAC_GROUP) report('roleRef.apiGroup', `must be ${RBAC_GROUP} (got ${JSON.stringify(ref.apiGroup)})`);
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) report('roleRef.kind', `must be ${kinds.join(' or ')} (got ${JSON.stringify(ref.kind)})`);
  if (!ref.name || /[/%]/.test(ref.name)) report('roleRef.name', 'must be a valid path segment');
  (obj.subjects ?? []).forEach((subject: any, i: number) => {
    const here = `subjects[${i}]`;
    if (subject?.kind === 'ServiceAccount') {
      if (subject.apiGroup) report(`${here}.apiGroup`, 'must be empty for a ServiceAccount');
      if (dns1123Subdomain(subject.name ?? '')) report(`${here}.name`, dns1123Subdomain(subject.name ?? '')!);
      if (!namespaced && !subject.namespace) report(`${here}.namespace`, 'required for a ServiceAccount in a ClusterRoleBinding');
    } else if (subject?.apiGroup !== RBAC_GROUP) {
      report(`${here}.apiGroup`, `must be ${RBAC_GROUP} for a ${subject?.kind}`);
    }
  });
}

/** ValidateConfigMap / ValidateSecret: keys, no key twice, 1 MiB in all. */
function dataProblems(obj: any, fields: string[], report: Report): void {
  const seen = new Set<string>();
  let size = 0;
  for (const field of fields) {
    for (const [key, value] of Object.entries<any>(obj[field] ?? {})) {
      const problem = configMapKey(key);
      if (problem) report(childPath(field, key), problem);
      if (seen.has(key) && !(obj.kind === 'Secret')) report(childPath(field, key), 'duplicate key in data and binaryData');
      seen.add(key);
      size += Buffer.byteLength(key) + Buffer.byteLength(String(value));
    }
  }
  if (size > 1024 * 1024) report(fields[0], `may not exceed 1 MiB in all (got ${size} bytes)`);
}

/** ValidatePersistentVolumeClaimSpec: access modes and a positive storage request. */
function claimProblems(spec: any, path: string, report: Report): void {
  if (!(spec.accessModes ?? []).length) report(`${path}.accessModes`, 'at least 1 access mode is required');
  const storage = quantityValue(spec.resources?.requests?.storage);
  if (!(storage! > 0)) report(`${path}.resources.requests.storage`, 'must be a positive quantity');
  if (spec.storageClassName && dns1123Subdomain(spec.storageClassName)) report(`${path}.storageClassName`, dns1123Subdomain(spec.storageClassName)!);
}

function quantityMap(map: any, path: string, report: Report): void {
  for (const [name, raw] of Object.entries<any>(map ?? {})) {
    const value = quantityValue(raw);
    if (value === undefined || value < 0) report(childPath(path, name), `must be a non-negative quantity (got ${JSON.stringify(raw)})`);
  }
}

/** ValidateLimitRange: min ≤ defaultRequest ≤ default ≤ max, maxLimitRequestRatio ≥ 1. */
function limitRangeProblems(spec: any, report: Report): void {
  (spec.limits ?? []).forEach((item: any, i: number) => {
    const here = `spec.limits[${i}]`;
    const fields = ['min', 'defaultRequest', 'default', 'max', 'maxLimitRequestRatio'];
    for (const field of fields) quantityMap(item?.[field], `${here}.${field}`, report);
    if (item?.type === 'Pod' && (item.default || item.defaultRequest)) report(here, 'default and defaultRequest are not allowed for type Pod');
    const names = new Set(fields.slice(0, 4).flatMap((f) => Object.keys(item?.[f] ?? {})));
    for (const name of names) {
      const [min, defaultRequest, dflt, max] = fields.slice(0, 4).map((f) => quantityValue(item?.[f]?.[name]));
      const pairs: Array<[number | undefined, number | undefined, string]> = [
        [min, max, `min ${name} must be less than or equal to max`],
        [min, defaultRequest, `min ${name} must be less than or equal to defaultRequest`],
        [defaultRequest, dflt, `defaultRequest ${name} must be less than or equal to default`],
        [dflt, max, `default ${name} must be less than or equal to max`],
        [defaultRequest, max, `defaultRequest ${name} must be less than or equal to max`],
        [min, dflt, `min ${name} must be less than or equal to default`],
      ];
      for (const [low, high, message] of pairs) if (low !== undefined && high !== undefined && low > high) report(here, message);
    }
    for (const [name, raw] of Object.entries<any>(item?.maxLimitRequestRatio ?? {})) {
      if ((quantityValue(raw) ?? 0) < 1) report(`${here}.maxLimitRequestRatio.${name}`, 'must be greater than or equal to 1');
    }
  });
}
