import { cidr, cronSchedule, quantityValue, strictSubnet, timeZone } from './support/formats';
import { validateObjects } from './support/validate';

// The semantic validator (test/support/semantics.ts): each rule with a passing object and a failing one. Every
// failing variant must produce exactly the one expected problem, so each case shows one rule in isolation.

const sc = () => ({
  allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
  capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
});

const container = (): any => ({
  name: 'app',
  image: 'ghcr.io/example/app:1.2.3',
  ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }],
  env: [
    { name: 'MODE', value: 'serve' },
    { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'token' } } },
  ],
  envFrom: [{ prefix: 'APP_', configMapRef: { name: 'app-config' } }],
  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'data', mountPath: '/data', subPath: 'models' }],
  resources: {
    requests: { 'cpu': '500m', 'memory': '1Gi', 'nvidia.com/gpu': '1' },
    limits: { 'cpu': '1', 'memory': '1Gi', 'nvidia.com/gpu': 1 },
  },
  readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
  livenessProbe: { tcpSocket: { port: 8080 }, successThreshold: 1 },
  lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
  securityContext: sc(),
});

const podSpec = (): any => ({
  serviceAccountName: 'app',
  securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
  initContainers: [{ ...container(), name: 'init', readinessProbe: undefined, livenessProbe: undefined, lifecycle: undefined, ports: undefined }],
  containers: [container()],
  volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }, { name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
  nodeSelector: { 'nvidia.com/gpu.present': 'true' },
  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
});

const deployment = (): any => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ml' },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
    selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['serving'] }] },
    template: { metadata: { labels: { app: 'web', tier: 'serving' } }, spec: podSpec() },
  },
});

const jobSpec = (): any => {
  const spec = podSpec();
  spec.containers[0].readinessProbe = undefined;
  spec.containers[0].livenessProbe = undefined;
  return { backoffLimit: 2, template: { spec: { ...spec, restartPolicy: 'Never' } } };
};

const cronJob = (): any => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'nightly', namespace: 'ml' },
  spec: { schedule: '30 2 * * mon-fri', timeZone: 'Europe/Paris', jobTemplate: { spec: jobSpec() } },
});

const service = (): any => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ml' },
  spec: {
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 9090 }],
  },
});

const ingress = (): any => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'ml' },
  spec: {
    ingressClassName: 'nginx',
    tls: [{ hosts: ['*.models.example.com'], secretName: 'web-tls' }],
    rules: [{
      host: 'web.models.example.com',
      http: { paths: [{ path: '/v1/models', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] },
    }],
  },
});

const hpa = (): any => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'ml' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 4,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
  },
});

const pdb = (): any => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'ml' },
  spec: { maxUnavailable: '50%', selector: { matchLabels: { app: 'web' } } },
});

const networkPolicy = (): any => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'web', namespace: 'ml' },
  spec: {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: {} }], ports: [{ port: 'http' }] }],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 5432, endPort: 5433 }] }],
  },
});

const role = (): any => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name: 'trainer', namespace: 'ml' },
  rules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'create'] }],
});

const roleBinding = (): any => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'trainer', namespace: 'ml' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'trainer' },
  subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: 'ml' }, { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ml-team' }],
});

const clusterRoleBinding = (): any => ({
  ...roleBinding(),
  kind: 'ClusterRoleBinding',
  metadata: { name: 'trainer' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
});

const configMap = (): any => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'ml' }, data: { 'feature_store.yaml': 'project: x' } });

const claim = (): any => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'ml' },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '10Gi' } } },
});

const limitRange = (): any => ({
  apiVersion: 'v1',
  kind: 'LimitRange',
  metadata: { name: 'defaults', namespace: 'ml' },
  spec: { limits: [{ type: 'Container', min: { cpu: '10m' }, defaultRequest: { cpu: '100m' }, default: { cpu: '1' }, max: { cpu: '8' } }] },
});

const statefulSet = (): any => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'redis', namespace: 'ml' },
  spec: {
    serviceName: 'redis',
    selector: { matchLabels: { app: 'redis' } },
    template: { metadata: { labels: { app: 'redis' } }, spec: { ...podSpec(), volumes: [{ name: 'tmp', emptyDir: {} }] } },
    // The pods mount the claim template `data` by name.
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: claim().spec }],
  },
});

const virtualService = (): any => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'web', namespace: 'ml' },
  spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web-a' }, weight: 80 }, { destination: { host: 'web-b' }, weight: 20 }] }] },
});

const scaledObject = (): any => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'worker', namespace: 'ml' },
  spec: { scaleTargetRef: { name: 'worker' }, minReplicaCount: 0, maxReplicaCount: 5, triggers: [{ type: 'cpu', metadata: { value: '60' } }] },
});

const httpRoute = (): any => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'ml' },
  spec: {
    parentRefs: [{ name: 'inference-gateway', namespace: 'gateway' }],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/v1' } }], backendRefs: [{ name: 'web', port: 80 }] }],
  },
});

const inferencePool = (): any => ({
  apiVersion: 'inference.networking.k8s.io/v1',
  kind: 'InferencePool',
  metadata: { name: 'web', namespace: 'ml' },
  spec: { selector: { matchLabels: { app: 'web' } }, targetPorts: [{ number: 8080 }], endpointPickerRef: { name: 'web-epp', port: { number: 9002 } } },
});

const pyTorchJob = (): any => ({
  apiVersion: 'kubeflow.org/v1',
  kind: 'PyTorchJob',
  metadata: { name: 'bert', namespace: 'ml' },
  spec: { pytorchReplicaSpecs: { Master: { replicas: 1, restartPolicy: 'OnFailure', template: { spec: { containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.3.1' }] } } } } },
});

const clusterQueue = (): any => ({
  apiVersion: 'kueue.x-k8s.io/v1beta2',
  kind: 'ClusterQueue',
  metadata: { name: 'vision' },
  spec: {
    cohortName: 'research',
    namespaceSelector: {},
    resourceGroups: [{
      coveredResources: ['cpu', 'memory'],
      flavors: [{ name: 'a100', resources: [{ name: 'cpu', nominalQuota: '8', borrowingLimit: '4' }, { name: 'memory', nominalQuota: '64Gi', lendingLimit: '16Gi' }] }],
    }],
  },
});

type Case = [rule: string, make: () => any, breakIt: (o: any) => void, expected: string];

const c0 = (o: any) => o.spec.template.spec.containers[0];
const pod = (o: any) => o.spec.template.spec;

const CASES: Case[] = [
  // Containers and pods (core validation: validateContainers, validateVolumes, ValidateResourceRequirements, validateProbe...)
  ['container name is a DNS-1123 label', deployment, (o) => { c0(o).name = 'App_1'; }, 'containers[0].name: must be a DNS-1123 label'],
  ['container names are unique across init and regular containers', deployment, (o) => { pod(o).initContainers[0].name = 'app'; }, 'containers[0].name: duplicate container name "app"'],
  ['port names are IANA_SVC_NAMEs', deployment, (o) => { c0(o).ports[1].name = 'Metrics'; }, 'ports[1].name: must be an IANA_SVC_NAME'],
  ['port names are at most 15 characters', deployment, (o) => { c0(o).ports[1].name = 'prometheus-metrics'; }, 'ports[1].name: must be an IANA_SVC_NAME'],
  ['port names are unique in a container', deployment, (o) => { c0(o).ports[1].name = 'http'; }, 'ports[1].name: duplicate port name "http"'],
  ['container ports are 1-65535', deployment, (o) => { c0(o).ports[1].containerPort = 70000; }, 'ports[1].containerPort: must be a port number between 1 and 65535'],
  ['env var names', deployment, (o) => { c0(o).env[0].name = '1MODE'; }, 'env[0].name: must be an environment variable name'],
  ['env value and valueFrom are exclusive', deployment, (o) => { c0(o).env[1].value = 'x'; }, 'env[1]: value and valueFrom are mutually exclusive'],
  ['secretKeyRef keys', deployment, (o) => { c0(o).env[2].valueFrom.secretKeyRef.key = 'api token'; }, 'env[2].valueFrom.secretKeyRef.key: must be a key of letters'],
  ['fieldRef paths', deployment, (o) => { c0(o).env[1].valueFrom.fieldRef.fieldPath = 'spec.containers'; }, 'fieldRef.fieldPath: unsupported field path'],
  ['envFrom prefixes', deployment, (o) => { c0(o).envFrom[0].prefix = '9_'; }, 'envFrom[0].prefix: must be an environment variable name'],
  ['volume names are DNS-1123 labels', statefulSet, (o) => { pod(o).volumes.push({ name: 'Cache', emptyDir: {} }); }, 'volumes[1].name: must be a DNS-1123 label'],
  ['volume names are unique', deployment, (o) => { pod(o).volumes.push({ name: 'tmp', emptyDir: {} }); }, 'volumes[2].name: duplicate volume name "tmp"'],
  ['a volume has exactly one type', deployment, (o) => { pod(o).volumes[0].configMap = { name: 'x' }; }, 'volumes[0]: must have exactly one volume type, got 2'],
  ['mounts reference a volume of the pod', deployment, (o) => { c0(o).volumeMounts[1].name = 'models'; }, 'volumeMounts[1].name: no volume named "models"'],
  ['mount paths are unique in a container', deployment, (o) => { c0(o).volumeMounts[1].mountPath = '/tmp'; }, 'volumeMounts[1].mountPath: must be unique'],
  ['subPath is relative without ".."', deployment, (o) => { c0(o).volumeMounts[1].subPath = '../etc'; }, 'volumeMounts[1].subPath: must not contain ".."'],
  ['requests are at most the limits', deployment, (o) => { c0(o).resources.requests.memory = '2Gi'; }, 'requests.memory: must be less than or equal to the memory limit'],
  ['extended resources: request == limit', deployment, (o) => { c0(o).resources.limits['nvidia.com/gpu'] = 2; }, 'requests["nvidia.com/gpu"]: must be equal to the nvidia.com/gpu limit'],
  ['extended resources: a limit is required', deployment, (o) => { delete c0(o).resources.limits['nvidia.com/gpu']; }, 'nvidia.com/gpu cannot be overcommitted: a limit must be set'],
  ['extended resources: integers (limit)', deployment, (o) => { c0(o).resources.limits['nvidia.com/gpu'] = '1.5'; delete c0(o).resources.requests['nvidia.com/gpu']; }, 'limits["nvidia.com/gpu"]: must be an integer'],
  ['container resource names', deployment, (o) => { c0(o).resources.limits.gpu = '1'; }, 'limits.gpu: "gpu" is not a standard resource for containers'],
  ['a probe has exactly one handler', deployment, (o) => { c0(o).livenessProbe.exec = { command: ['true'] }; }, 'livenessProbe: must have exactly one handler'],
  ['a probe has a handler', deployment, (o) => { delete c0(o).readinessProbe.httpGet; }, 'readinessProbe: must have exactly one handler'],
  ['liveness probes need successThreshold 1', deployment, (o) => { c0(o).livenessProbe.successThreshold = 2; }, 'livenessProbe.successThreshold: must be 1'],
  ['a named probe port is a port of the container (kubelet)', deployment, (o) => { c0(o).readinessProbe.httpGet.port = 'web'; }, 'readinessProbe.httpGet.port: kubelet: the container has no port named "web"'],
  ['readiness probes have no terminationGracePeriodSeconds', deployment, (o) => { c0(o).readinessProbe.terminationGracePeriodSeconds = 10; }, 'must not be set for a readinessProbe'],
  ['init containers have no probes', deployment, (o) => { pod(o).initContainers[0].startupProbe = { exec: { command: ['true'] } }; }, 'initContainers[0].startupProbe: may not be set for initContainers'],
  ['privileged needs allowPrivilegeEscalation', deployment, (o) => { c0(o).securityContext.privileged = true; }, 'allowPrivilegeEscalation: cannot be false when privileged is true'],
  ['runAsNonRoot with runAsUser 0 (kubelet)', deployment, (o) => { c0(o).securityContext.runAsUser = 0; }, 'runAsUser: kubelet: runAsNonRoot is true but runAsUser is 0'],
  ['seccomp Localhost needs a profile', deployment, (o) => { pod(o).securityContext.seccompProfile = { type: 'Localhost' }; }, 'seccompProfile.localhostProfile: required when type is Localhost'],
  ['tolerations with Exists have no value', deployment, (o) => { pod(o).tolerations[0].value = 'true'; }, 'tolerations[0].value: must be empty when operator is Exists'],
  ['tolerations without key need Exists', deployment, (o) => { pod(o).tolerations[0] = { operator: 'Equal', value: 'x' }; }, 'tolerations[0].operator: must be Exists when key is empty'],
  ['topology spread maxSkew > 0', deployment, (o) => { pod(o).topologySpreadConstraints[0].maxSkew = 0; }, 'maxSkew: must be greater than 0'],
  ['nodeSelector labels', deployment, (o) => { pod(o).nodeSelector['nvidia.com/gpu.present'] = 'yes please'; }, 'nodeSelector["nvidia.com/gpu.present"]: must be a label value'],
  ['serviceAccountName', deployment, (o) => { pod(o).serviceAccountName = 'App_SA'; }, 'serviceAccountName: must be a DNS-1123 subdomain'],
  ['label selector expressions', deployment, (o) => { o.spec.selector.matchExpressions[0].operator = 'NotIn'; o.spec.selector.matchExpressions[0].values = []; }, 'matchExpressions[0].values: must be specified when operator is NotIn'],
  ['annotations at most 256 KiB', deployment, (o) => { o.metadata.annotations = { note: 'x'.repeat(300 * 1024) }; }, 'metadata.annotations: may not exceed 262144 bytes'],

  // Workloads (apps and batch validation)
  ['Deployment pods restart Always', deployment, (o) => { pod(o).restartPolicy = 'OnFailure'; }, 'spec.template.spec.restartPolicy: must be Always'],
  ['Deployment maxSurge and maxUnavailable not both 0', deployment, (o) => { o.spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: '0%' }; }, 'maxUnavailable: may not be 0 when maxSurge is 0'],
  ['StatefulSet names at most 52 characters (controller)', statefulSet, (o) => { o.metadata.name = 'r'.repeat(53); }, 'metadata.name: controller: must be at most 52 characters'],
  ['Job names at most 63 characters', () => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'train', namespace: 'ml' }, spec: jobSpec() }), (o) => { o.metadata.name = 't'.repeat(64); }, 'it becomes the job-name label'],
  ['Indexed Jobs need completions', () => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'train', namespace: 'ml' }, spec: { ...jobSpec(), completionMode: 'Indexed', completions: 4 } }), (o) => { delete o.spec.completions; }, 'spec.completions: required when completionMode is Indexed'],
  ['Kubeflow job names are DNS-1035 labels (training-operator webhook)', pyTorchJob, (o) => { o.metadata.name = '1bert'; }, 'metadata.name: must be a DNS-1035 label'],
  ['CronJob names at most 52 characters', cronJob, (o) => { o.metadata.name = 'n'.repeat(53); }, 'metadata.name: must be no more than 52 characters'],
  ['CronJob schedules have 5 fields', cronJob, (o) => { o.spec.schedule = '0 30 2 * * *'; }, 'spec.schedule: must have 5 fields'],
  ['CronJob day of week is 0-6', cronJob, (o) => { o.spec.schedule = '0 2 * * 7'; }, 'day of week field "7": 7 is above 6'],
  ['CronJob steps are positive', cronJob, (o) => { o.spec.schedule = '*/0 * * * *'; }, 'the step must be a positive number'],
  ['CronJob schedules carry no TZ', cronJob, (o) => { o.spec.schedule = 'CRON_TZ=UTC 0 2 * * *'; }, 'must not contain TZ or CRON_TZ'],
  ['CronJob time zones are known', cronJob, (o) => { o.spec.timeZone = 'Europe/Atlantis'; }, 'spec.timeZone: unknown time zone "Europe/Atlantis"'],
  ['CronJob time zones are explicit', cronJob, (o) => { o.spec.timeZone = 'Local'; }, 'must be an explicit time zone, not Local'],

  // Services
  ['Service ports are named when there are several', service, (o) => { delete o.spec.ports[1].name; }, 'spec.ports[1].name: required when there is more than one port'],
  ['Service port names are unique', service, (o) => { o.spec.ports[1].name = 'http'; }, 'spec.ports[1].name: duplicate port name "http"'],
  ['Service targetPort names are IANA_SVC_NAMEs', service, (o) => { o.spec.ports[0].targetPort = 'http_port'; }, 'spec.ports[0].targetPort: must be an IANA_SVC_NAME'],
  ['Service nodePort only for NodePort or LoadBalancer', service, (o) => { o.spec.ports[0].nodePort = 30080; }, 'spec.ports[0].nodePort: may not be used when type is ClusterIP'],
  ['Service source ranges only for LoadBalancer', service, (o) => { o.spec.loadBalancerSourceRanges = ['10.0.0.0/8']; }, 'may only be used when type is LoadBalancer'],
  ['Service selector labels', service, (o) => { o.spec.selector.app = '-web'; }, 'spec.selector.app: must be a label value'],

  // Ingresses (networking validation)
  ['Ingress Prefix paths are absolute', ingress, (o) => { o.spec.rules[0].http.paths[0].path = 'v1/models'; }, 'path: must be an absolute path'],
  ['Ingress Prefix paths have no "//"', ingress, (o) => { o.spec.rules[0].http.paths[0].path = '/v1//models'; }, 'path: must not contain "//"'],
  ['Ingress Exact paths do not end with "/.."', ingress, (o) => { o.spec.rules[0].http.paths[0] = { ...o.spec.rules[0].http.paths[0], pathType: 'Exact', path: '/v1/..' }; }, 'path: cannot end with "/.."'],
  ['Ingress hosts are DNS names', ingress, (o) => { o.spec.rules[0].host = '10.0.0.1'; }, 'host: must be a DNS name, not an IP address'],
  ['Ingress backends name a DNS-1035 Service', ingress, (o) => { o.spec.rules[0].http.paths[0].backend.service.name = '1web'; }, 'backend.service.name: must be a DNS-1035 label'],
  ['Ingress backend ports: a name or a number', ingress, (o) => { o.spec.rules[0].http.paths[0].backend.service.port.number = 80; }, 'backend.service.port: must have exactly one of name or number'],

  // HPAs, PDBs
  ['HPA maxReplicas ≥ minReplicas', hpa, (o) => { o.spec.minReplicas = 5; }, 'spec.maxReplicas: must be greater than or equal to minReplicas 5'],
  ['HPA minReplicas ≥ 1', hpa, (o) => { o.spec.minReplicas = 0; }, 'spec.minReplicas: must be greater than or equal to 1'],
  ['HPA resource metrics use utilization or average value', hpa, (o) => { o.spec.metrics[0].resource.target = { type: 'AverageValue', averageValue: '500m', averageUtilization: 50 }; }, 'may not set both averageUtilization and averageValue'],
  ['HPA metric source matches its type', hpa, (o) => { o.spec.metrics[0].type = 'Pods'; }, 'must set exactly the source of its type "Pods"'],
  ['HPA policy periods 1-1800', hpa, (o) => { o.spec.behavior.scaleDown.policies[0].periodSeconds = 3600; }, 'periodSeconds: must be between 1 and 1800'],
  ['PDB minAvailable xor maxUnavailable', pdb, (o) => { o.spec.minAvailable = 1; }, 'spec: minAvailable and maxUnavailable cannot be both set'],
  ['PDB percentages at most 100%', pdb, (o) => { o.spec.maxUnavailable = '150%'; }, 'spec.maxUnavailable: must not be greater than 100%'],

  // NetworkPolicies
  ['NetworkPolicy port names', networkPolicy, (o) => { o.spec.ingress[0].ports[0].port = 'HTTP'; }, 'ports[0].port: must be an IANA_SVC_NAME'],
  ['NetworkPolicy endPort needs a numeric port', networkPolicy, (o) => { o.spec.egress[0].ports[0].port = 'postgres'; }, 'endPort: may only be used with a numeric port'],
  ['NetworkPolicy endPort ≥ port', networkPolicy, (o) => { o.spec.egress[0].ports[0].endPort = 5000; }, 'endPort: must be greater than or equal to port'],
  ['NetworkPolicy CIDRs', networkPolicy, (o) => { o.spec.egress[0].to[0].ipBlock = { cidr: '10.0.0.0/33' }; }, 'ipBlock.cidr: must be a valid CIDR'],
  ['NetworkPolicy except within cidr', networkPolicy, (o) => { o.spec.egress[0].to[0].ipBlock.except = ['192.168.0.0/16']; }, 'must be a strict subset of cidr 10.0.0.0/8'],
  ['NetworkPolicy ipBlock alone in a peer', networkPolicy, (o) => { o.spec.egress[0].to[0].podSelector = {}; }, 'may not specify both ipBlock and another peer'],
  ['NetworkPolicy peers are not empty', networkPolicy, (o) => { o.spec.ingress[0].from[0] = {}; }, 'from[0]: must specify a peer'],

  // RBAC
  ['RBAC rules have verbs', role, (o) => { o.rules[0].verbs = []; }, 'rules[0].verbs: must have at least one verb'],
  ['RBAC resource rules have API groups', role, (o) => { delete o.rules[0].apiGroups; }, 'rules[0].apiGroups: resource rules must supply at least one api group'],
  ['Roles have no non-resource URLs', role, (o) => { o.rules.push({ nonResourceURLs: ['/metrics'], verbs: ['get'] }); }, 'namespaced rules cannot apply to non-resource URLs'],
  ['RoleBinding roleRef group', roleBinding, (o) => { o.roleRef.apiGroup = 'rbac'; }, 'roleRef.apiGroup: must be rbac.authorization.k8s.io'],
  ['RBAC subjects: Groups in the RBAC group', roleBinding, (o) => { delete o.subjects[1].apiGroup; }, 'subjects[1].apiGroup: must be rbac.authorization.k8s.io for a Group'],
  ['ClusterRoleBinding ServiceAccounts have a namespace', clusterRoleBinding, (o) => { delete o.subjects[0].namespace; }, 'subjects[0].namespace: required for a ServiceAccount in a ClusterRoleBinding'],

  // ConfigMaps, claims, limit ranges, CRDs with webhooks
  ['ConfigMap keys', configMap, (o) => { o.data['feature store.yaml'] = 'x'; }, 'data["feature store.yaml"]: must be a key of letters'],
  ['ConfigMap size at most 1 MiB', configMap, (o) => { o.data['big.txt'] = 'x'.repeat(1024 * 1024); }, 'data: may not exceed 1 MiB in all'],
  ['PVC storage is positive', claim, (o) => { o.spec.resources.requests.storage = '0'; }, 'resources.requests.storage: must be a positive quantity'],
  ['PVC access modes', claim, (o) => { o.spec.accessModes = []; }, 'spec.accessModes: at least 1 access mode is required'],
  ['LimitRange default ≤ max', limitRange, (o) => { o.spec.limits[0].max.cpu = '500m'; }, 'default cpu must be less than or equal to max'],
  ['LimitRange defaultRequest ≤ default', limitRange, (o) => { o.spec.limits[0].defaultRequest.cpu = '2'; }, 'defaultRequest cpu must be less than or equal to default'],
  ['Kueue flavors list the covered resources in order', clusterQueue, (o) => { o.spec.resourceGroups[0].flavors[0].resources.reverse(); }, 'must list the coveredResources in order (cpu, memory)'],
  ['Kueue resources are covered by one group', clusterQueue, (o) => { o.spec.resourceGroups.push({ coveredResources: ['cpu'], flavors: [{ name: 'h100', resources: [{ name: 'cpu', nominalQuota: '1' }] }] }); }, 'cpu is covered by another resource group'],
  ['Kueue borrowing needs a cohort', clusterQueue, (o) => { delete o.spec.cohortName; }, 'borrowingLimit: must not be set without a cohort'],
  ['Kueue lendingLimit ≤ nominalQuota', clusterQueue, (o) => { o.spec.resourceGroups[0].flavors[0].resources[1].lendingLimit = '128Gi'; }, 'lendingLimit: must be less than or equal to nominalQuota'],
  ['Istio route weights add up to 100', virtualService, (o) => { o.spec.http[0].route[1].weight = 30; }, 'spec.http[0].route: the weights must add up to 100 (got 110)'],
  ['KEDA minReplicaCount ≤ maxReplicaCount', scaledObject, (o) => { o.spec.minReplicaCount = 6; }, 'spec.minReplicaCount: must be less than or equal to maxReplicaCount 5'],
  ['HTTPRoute Service backends name a port', httpRoute, (o) => { delete o.spec.rules[0].backendRefs[0].port; }, 'spec.rules[0].backendRefs[0]: Must have port for Service reference'],
  ['HTTPRoute paths are normalised', httpRoute, (o) => { o.spec.rules[0].matches[0].path.value = '/v1//models'; }, 'spec.rules[0].matches[0].path.value: must be an absolute path without'],
  ['InferencePool target ports are unique', inferencePool, (o) => { o.spec.targetPorts.push({ number: 8080 }); }, 'spec.targetPorts: port number must be unique'],
  ['InferencePool endpoint picker Service has a port', inferencePool, (o) => { delete o.spec.endpointPickerRef.port; }, 'spec.endpointPickerRef: port is required when kind is'],
];

describe('semantic validator: each rule passes a valid object and reports the broken one', () => {
  test.each(CASES)('%s', (_rule, make, breakIt, expected) => {
    expect(validateObjects([make()])).toEqual([]);
    const broken = make();
    breakIt(broken);
    expect(validateObjects([broken])).toEqual([expect.stringContaining(expected)]);
  });
});

describe('semantic validator: rules between objects', () => {
  test('a named targetPort must be a port of the selected pods', () => {
    expect(validateObjects([deployment(), service()])).toEqual([]);
    const s = service();
    s.spec.ports[0].targetPort = 'web';
    expect(validateObjects([deployment(), s])).toEqual([
      'Service/ml/web: spec.ports[0].targetPort: endpoints: the pods of Deployment/ml/web have no port named "web"',
    ]);
  });

  test('an Ingress backend names a port of its Service', () => {
    expect(validateObjects([service(), ingress()])).toEqual([]);
    const i = ingress();
    i.spec.rules[0].http.paths[0].backend.service.port = { number: 8080 };
    expect(validateObjects([service(), i])).toEqual([
      'Ingress/ml/web: spec.rules[0].http.paths[0].backend.service.port: Service web has no port 8080',
    ]);
  });

  test('an HTTPRoute backend names a Service port, or an InferencePool, of the manifests', () => {
    expect(validateObjects([service(), httpRoute()])).toEqual([]);
    const r = httpRoute();
    r.spec.rules[0].backendRefs = [{ name: 'web', port: 8080 }, { name: 'api', port: 80 }];
    expect(validateObjects([service(), r])).toEqual([
      'HTTPRoute/ml/web: spec.rules[0].backendRefs[0].port: Service web has no port 8080',
      'HTTPRoute/ml/web: spec.rules[0].backendRefs[1]: no Service "api" in namespace "ml"',
    ]);
    const pool = httpRoute();
    pool.spec.rules[0].backendRefs = [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'other' }];
    expect(validateObjects([inferencePool(), pool])).toEqual(['HTTPRoute/ml/web: spec.rules[0].backendRefs[0]: no InferencePool "other" in namespace "ml"']);
  });

  test('an InferencePool drops no pod: every pod it selects listens on a target port', () => {
    expect(validateObjects([deployment(), inferencePool()])).toEqual([]);
    const p = inferencePool();
    p.spec.targetPorts = [{ number: 8000 }];
    expect(validateObjects([deployment(), p])).toEqual([
      'InferencePool/ml/web: spec.targetPorts: the pods of Deployment/ml/web listen on none of 8000 (ports 8080, 9090): the pool drops them',
    ]);
  });

  test('utilization needs a request in every container of the target', () => {
    expect(validateObjects([deployment(), hpa()])).toEqual([]);
    const d = deployment();
    delete c0(d).resources.requests.cpu;
    expect(validateObjects([d, hpa()])).toEqual([
      'HorizontalPodAutoscaler/ml/web: spec.metrics[0]: controller: container "app" of Deployment/ml/web has no cpu request, so its utilization is unknown',
    ]);
  });

  test('one autoscaler per workload', () => {
    const keda = scaledObject();
    keda.spec.scaleTargetRef.name = 'web';
    expect(validateObjects([hpa(), scaledObject()])).toEqual([]);
    expect(validateObjects([hpa(), keda])).toEqual([
      'ScaledObject/ml/worker: spec.scaleTargetRef: Deployment web is already scaled by HorizontalPodAutoscaler/ml/web',
    ]);
  });

  test('the same object twice with different contents', () => {
    const other = configMap();
    other.data = { 'a.txt': 'b' };
    expect(validateObjects([configMap(), configMap()])).toEqual([]);
    expect(validateObjects([configMap(), other])).toEqual([
      'ConfigMap/ml/app-config: metadata.name: defined twice with different contents; the second apply overwrites the first',
    ]);
  });

  test('StatefulSet pods may mount their claim templates, other pods may not', () => {
    expect(validateObjects([statefulSet()])).toEqual([]);
    const d = deployment();
    pod(d).volumes = [{ name: 'tmp', emptyDir: {} }];
    expect(validateObjects([d])).toEqual([
      'Deployment/ml/web: spec.template.spec.initContainers[0].volumeMounts[1].name: no volume named "data" in the pod',
      'Deployment/ml/web: spec.template.spec.containers[0].volumeMounts[1].name: no volume named "data" in the pod',
    ]);
  });
});

describe('formats', () => {
  test.each([
    '* * * * *', '0 2 * * *', '*/15 0-6,22-23 1,15 * mon-fri', '0 0 1 jan,jul ?', '5/10 * * * *', '@hourly', '@every 1h30m', '0 0 * * SUN',
  ])('cron %s is accepted', (schedule) => expect(cronSchedule(schedule)).toBeUndefined());

  test.each([
    ['', 'must not be empty'], ['* * * *', 'must have 5 fields'], ['60 * * * *', '60 is above 59'], ['* 24 * * *', '24 is above 23'],
    ['* * 0 * *', '0 is below 1'], ['* * * 13 *', '13 is above 12'], ['5-1 * * * *', '5 is after 1'], ['*/x * * * *', 'the step'],
    ['@reboot', 'unknown descriptor'], ['@every soon', 'invalid @every'], ['TZ=UTC * * * * *', 'TZ'], ['1,,2 * * * *', 'not a number'],
  ])('cron %j is refused (%s)', (schedule, problem) => expect(cronSchedule(schedule)).toContain(problem));

  test('time zones', () => {
    for (const tz of ['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) expect(timeZone(tz)).toBeUndefined();
    for (const tz of ['', 'Local', 'europe/paris', 'Europe/../etc', 'Mars/Olympus', '-Europe']) expect(timeZone(tz)).toBeDefined();
  });

  test('quantities', () => {
    expect(quantityValue('500m')).toBeCloseTo(0.5);
    expect(quantityValue('1Gi')).toBe(2 ** 30);
    expect(quantityValue('1e3')).toBe(1000);
    expect(quantityValue('1.5M')).toBe(1.5e6);
    expect(quantityValue(2)).toBe(2);
    expect(quantityValue('1GB')).toBeUndefined();
  });

  test('CIDRs', () => {
    for (const ok of ['0.0.0.0/0', '10.0.0.0/8', '10.1.2.3/32', 'fd00::/8', '::/0', '2001:db8::1/128']) expect(cidr(ok)).toBeUndefined();
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '010.0.0.0/8', 'fd00::/129', 'example.com/8', '10.0.0.0/-1']) expect(cidr(bad)).toBeDefined();
    expect(strictSubnet('10.1.0.0/16', '10.0.0.0/8')).toBe(true);
    expect(strictSubnet('10.0.0.0/8', '10.0.0.0/8')).toBe(false);
    expect(strictSubnet('11.0.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(strictSubnet('fd00:1::/32', 'fd00::/16')).toBe(true);
  });
});
