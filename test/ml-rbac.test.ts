import { Chart, Testing } from 'cdk8s';
import {
  Accelerator, ApiResource, GpuTrainingJob, MlRbac, MlRbacProps, Persona, Subject, TeamOptions, TpuVersion, Verb, WorkloadRole,
} from '../lib';
import { checkRestricted, expectValidManifests, KUBE_DNS_EGRESS, validateObjects } from './support/validate';

// ---------------------------------------------------------------------------------------------------------------
// A small RBAC evaluator with Kubernetes semantics: a request is allowed when some RoleBinding in the request's
// namespace (or a ClusterRoleBinding) names the subject and its role has a rule whose apiGroups, resources
// (`resource/subresource`), verbs and resourceNames all match. `*` matches anything, `x/*` any subresource of x.
// A rule with resourceNames matches only requests for one of those names (never create, list or watch of all).
// ---------------------------------------------------------------------------------------------------------------

type Who =
  | { kind: 'ServiceAccount'; name: string; namespace: string }
  | { kind: 'User'; name: string; groups?: string[] };

interface Request {
  readonly verb: string;
  readonly apiGroup: string;
  /** `pods`, or `pods/log` for a subresource. */
  readonly resource: string;
  readonly namespace: string;
  readonly name?: string;
}

function subjectMatches(subject: any, who: Who, bindingNamespace: string): boolean {
  if (who.kind === 'ServiceAccount') {
    if (subject.kind === 'ServiceAccount') return subject.name === who.name && (subject.namespace ?? bindingNamespace) === who.namespace;
    if (subject.kind === 'Group') {
      return ['system:serviceaccounts', `system:serviceaccounts:${who.namespace}`, 'system:authenticated'].includes(subject.name);
    }
    return subject.kind === 'User' && subject.name === `system:serviceaccount:${who.namespace}:${who.name}`;
  }
  if (subject.kind === 'User') return subject.name === who.name;
  if (subject.kind === 'Group') return [...(who.groups ?? []), 'system:authenticated'].includes(subject.name);
  return false;
}

function ruleMatches(rule: any, req: Request): boolean {
  const has = (list: string[] | undefined, value: string) => (list ?? []).includes('*') || (list ?? []).includes(value);
  const [resource, sub] = req.resource.split('/');
  const resourceOk = (rule.resources ?? []).some((r: string) => r === '*' || r === req.resource
    || (sub !== undefined && (r === `${resource}/*` || r === `*/${sub}`)));
  const names: string[] = rule.resourceNames ?? [];
  const nameOk = names.length === 0 || (req.name !== undefined && names.includes(req.name));
  return has(rule.apiGroups, req.apiGroup) && resourceOk && has(rule.verbs, req.verb) && nameOk;
}

function isAllowed(objects: any[], who: Who, req: Request): boolean {
  const bindings = objects.filter((o) => (o.kind === 'RoleBinding' && o.metadata.namespace === req.namespace) || o.kind === 'ClusterRoleBinding');
  return bindings.some((b) => {
    if (!(b.subjects ?? []).some((s: any) => subjectMatches(s, who, b.metadata.namespace))) return false;
    const role = b.roleRef.kind === 'Role'
      ? objects.find((o) => o.kind === 'Role' && o.metadata.name === b.roleRef.name && o.metadata.namespace === b.metadata.namespace)
      : objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === b.roleRef.name);
    return (role?.rules ?? []).some((rule: any) => ruleMatches(rule, req));
  });
}

/** Every (verb, resource) a subject may do in `namespace` on unnamed objects, from a universe larger than the catalog. */
function permissions(objects: any[], who: Who, namespace: string): string[] {
  const resources = [
    ...ApiResource.all.map((r) => [r.apiGroup, r.resource]),
    ['', 'pods/exec'], ['', 'pods/attach'], ['', 'pods/portforward'], ['', 'jobs'], ['', 'serviceaccounts'],
    ['', 'serviceaccounts/token'], ['', 'namespaces'], ['rbac.authorization.k8s.io', 'roles'],
    ['rbac.authorization.k8s.io', 'rolebindings'], ['networking.k8s.io', 'networkpolicies'], ['kueue.x-k8s.io', 'clusterqueues'],
  ];
  const verbs = [...Object.values(Verb), 'escalate', 'bind', 'impersonate'];
  const out: string[] = [];
  for (const [apiGroup, resource] of resources) {
    for (const verb of verbs) {
      if (isAllowed(objects, who, { verb, apiGroup, resource, namespace })) out.push(`${verb} ${apiGroup === '' ? '' : `${apiGroup}/`}${resource}`);
    }
  }
  return out.sort();
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * The quota entries of accelerators other than whole NVIDIA GPUs (MIG profiles, shared GPUs, AMD GPUs, TPU chips),
 * checked to be all 0 and complete; returns the rest of the quota.
 */
function withoutOtherAcceleratorsAtZero(hard: Record<string, string>): Record<string, string> {
  const other = /^requests\.(nvidia\.com\/(mig-|gpu\.shared$)|amd\.com\/gpu$|google\.com\/tpu$)/;
  const zeros = Object.entries(hard).filter(([key]) => other.test(key));
  expect(zeros.filter(([, value]) => value !== '0')).toEqual([]);
  // 34 MIG profiles (A100 40GB/80GB, H100, H100 NVL, H200, B200, media-extension '.me' slices included), shared GPUs,
  // AMD GPUs, TPU chips.
  expect(zeros).toHaveLength(37);
  expect(zeros.map(([key]) => key)).toEqual(expect.arrayContaining([
    'requests.nvidia.com/mig-1g.5gb', 'requests.nvidia.com/mig-1g.10gb', 'requests.nvidia.com/mig-3g.40gb', 'requests.nvidia.com/mig-7g.80gb',
    'requests.nvidia.com/gpu.shared', 'requests.amd.com/gpu', 'requests.google.com/tpu',
  ]));
  return Object.fromEntries(Object.entries(hard).filter(([key]) => !other.test(key)));
}

function synth(props: MlRbacProps, id = 'rbac') {
  const chart = new Chart(Testing.app(), 'test');
  const rbac = new MlRbac(chart, id, props);
  return { chart, rbac, objects: Testing.synth(chart) };
}

function team(options: Partial<TeamOptions> = {}): TeamOptions {
  return { name: 'vision', quota: { gpus: 8, cpu: 64, memory: '512Gi' }, ...options };
}

function only(objects: any[], kind: string, namespace?: string): any {
  const found = objects.filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace));
  expect(found).toHaveLength(1);
  return found[0];
}

const TWO_TEAMS: MlRbacProps = {
  teams: [
    {
      name: 'vision',
      quota: { gpus: 8, cpu: 64, memory: '512Gi', storage: '20Ti', persistentVolumeClaims: 20, pods: 100, jobs: 50 },
      queue: { clusterQueue: { cohort: 'research', flavor: { name: 'a100', nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' } } } },
      trainer: { allowDelete: false },
      pipelineRunner: { editableConfigMaps: ['pipeline-params'], deletableClaims: ['pipeline-scratch'] },
      modelServer: { configMaps: ['triton-config'], secrets: ['model-registry'], tokenSecret: true },
      members: [
        { subject: Subject.group('oidc:ml-vision'), persona: Persona.TRAINER },
        { subject: Subject.group('oidc:ml-auditors'), persona: Persona.VIEWER },
      ],
    },
    {
      name: 'nlp',
      namespaces: ['nlp', 'nlp-batch'],
      quota: { gpus: 16, cpu: 128, memory: '1Ti' },
      queue: { clusterQueue: { cohort: 'research', flavor: { name: 'a100', nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' } } } },
      personas: [Persona.TRAINER, Persona.PIPELINE_RUNNER, Persona.VIEWER],
      trainer: { allowPodExec: true },
      members: [{ subject: Subject.user('alice@example.com'), persona: Persona.PIPELINE_RUNNER }],
    },
  ],
};

describe('MlRbac', () => {
  test('a two-team platform (snapshot)', () => {
    expect(synth(TWO_TEAMS).objects).toMatchSnapshot();
  });

  test('team namespaces enforce Pod Security restricted, pinned, and audit/warn at latest', () => {
    const { objects } = synth(TWO_TEAMS);
    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    expect(namespaces.map((n) => n.metadata.name)).toEqual(['vision', 'nlp', 'nlp-batch']);
    for (const ns of namespaces) {
      expect(ns.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.27',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'latest',
      });
    }
  });

  test('ResourceQuota with GPUs, compute, storage and object counts; no load balancers or node ports', () => {
    const quota = only(synth(TWO_TEAMS).objects, 'ResourceQuota', 'vision');
    expect(withoutOtherAcceleratorsAtZero(quota.spec.hard)).toEqual({
      'requests.nvidia.com/gpu': '8',
      'requests.cpu': '64',
      'limits.cpu': '64',
      'requests.memory': '512Gi',
      'limits.memory': '512Gi',
      'requests.storage': '20Ti',
      'persistentvolumeclaims': '20',
      'pods': '100',
      'count/jobs.batch': '50',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
    const { objects } = synth({ teams: [team({ quota: { gpus: 0, loadBalancers: 1 } })] });
    expect(withoutOtherAcceleratorsAtZero(only(objects, 'ResourceQuota').spec.hard)).toEqual({
      'requests.nvidia.com/gpu': '0', 'services.loadbalancers': '1', 'services.nodeports': '0',
    });
  });

  test('MIG slices, shared GPUs, AMD GPUs and TPU chips are limited too: listed ones by their count, the others to 0', () => {
    const { objects } = synth({
      teams: [team({
        quota: {
          gpus: 0, cpu: 32, memory: '256Gi',
          accelerators: [
            { accelerator: Accelerator.mig('1g.10gb'), count: 14 },
            { accelerator: Accelerator.tpu({ version: TpuVersion.V5E, topology: '2x4' }), count: 16 },
          ],
        },
        queue: { clusterQueue: {} },
      })],
    });
    const hard = only(objects, 'ResourceQuota').spec.hard;
    expect(hard).toMatchObject({
      'requests.nvidia.com/gpu': '0', 'requests.nvidia.com/mig-1g.10gb': '14', 'requests.google.com/tpu': '16',
      'requests.nvidia.com/mig-3g.40gb': '0', 'requests.nvidia.com/gpu.shared': '0', 'requests.amd.com/gpu': '0',
    });
    // A quota key must be a valid resource name: media-extension profiles are spelled '.me', never '+me'.
    expect(Object.keys(hard).filter((k) => k.includes('+'))).toEqual([]);
    // Kueue admits nothing that requests a resource its ClusterQueue does not cover.
    const group = only(objects, 'ClusterQueue').spec.resourceGroups[0];
    expect(group.coveredResources).toEqual(['cpu', 'memory', 'nvidia.com/gpu', 'nvidia.com/mig-1g.10gb', 'google.com/tpu']);
    expect(group.flavors[0].resources.slice(3)).toEqual([{ name: 'nvidia.com/mig-1g.10gb', nominalQuota: '14' }, { name: 'google.com/tpu', nominalQuota: '16' }]);
    expect(validateObjects(objects)).toEqual([]);
  });

  test('every team namespace gets the quota, LimitRange, default-deny policy and LocalQueue', () => {
    const { objects } = synth(TWO_TEAMS);
    for (const ns of ['vision', 'nlp', 'nlp-batch']) {
      only(objects, 'ResourceQuota', ns);
      expect(only(objects, 'LimitRange', ns).spec.limits).toEqual([
        { type: 'Container', default: { cpu: '1', memory: '2Gi' }, defaultRequest: { cpu: '1', memory: '2Gi' } },
      ]);
      const policy = only(objects, 'NetworkPolicy', ns);
      expect(policy.spec).toEqual({
        podSelector: { matchLabels: {} },
        policyTypes: ['Ingress', 'Egress'],
        egress: [KUBE_DNS_EGRESS],
      });
      const queue = only(objects, 'LocalQueue', ns);
      expect(queue.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
      expect(queue.spec).toEqual({ clusterQueue: ns.startsWith('nlp') ? 'nlp' : 'vision' });
    }
    const limits = only(synth({ teams: [team({ limitDefaults: { cpu: '500m', memory: '4Gi' } })] }).objects, 'LimitRange');
    expect(limits.spec.limits[0].default).toEqual({ cpu: '500m', memory: '4Gi' });
  });

  test('ClusterQueue limited to the team namespaces, with the quota as nominal quota; one shared ResourceFlavor', () => {
    const { objects } = synth(TWO_TEAMS);
    const flavors = objects.filter((o) => o.kind === 'ResourceFlavor');
    expect(flavors).toHaveLength(1);
    expect(flavors[0]).toMatchObject({ apiVersion: 'kueue.x-k8s.io/v1beta2', metadata: { name: 'a100' }, spec: { nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' } } });
    const nlp = objects.find((o) => o.kind === 'ClusterQueue' && o.metadata.name === 'nlp');
    expect(nlp.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
    expect(nlp.spec).toEqual({
      cohortName: 'research',
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['nlp', 'nlp-batch'] }] },
      resourceGroups: [{
        coveredResources: ['cpu', 'memory', 'nvidia.com/gpu'],
        flavors: [{ name: 'a100', resources: [{ name: 'cpu', nominalQuota: '128' }, { name: 'memory', nominalQuota: '1Ti' }, { name: 'nvidia.com/gpu', nominalQuota: '16' }] }],
      }],
    });
    // Without clusterQueue the LocalQueue submits to an existing ClusterQueue and none is created.
    const plain = synth({ teams: [team({ queue: { name: 'vision-batch', clusterQueueName: 'shared' } })] }).objects;
    expect(plain.filter((o) => ['ClusterQueue', 'ResourceFlavor'].includes(o.kind))).toEqual([]);
    expect(only(plain, 'LocalQueue').metadata.name).toBe('vision-batch');
    expect(only(plain, 'LocalQueue').spec.clusterQueue).toBe('shared');
  });

  test('ServiceAccounts never automount a token; a token Secret only when asked, with enforce-mountable-secrets', () => {
    const { objects } = synth(TWO_TEAMS);
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount');
    expect(accounts.map((a) => `${a.metadata.namespace}/${a.metadata.name}`)).toEqual([
      'vision/vision-trainer', 'vision/vision-model-server', 'vision/vision-pipeline-runner', 'nlp/nlp-trainer', 'nlp/nlp-pipeline-runner',
      // A pod runs only as a ServiceAccount of its own namespace: each team namespace has the workload personas'.
      'nlp-batch/nlp-trainer', 'nlp-batch/nlp-pipeline-runner',
    ]);
    for (const account of accounts) expect(account.automountServiceAccountToken).toBe(false);
    const server = accounts.find((a) => a.metadata.name === 'vision-model-server');
    expect(server.metadata.annotations).toEqual({ 'kubernetes.io/enforce-mountable-secrets': 'true' });
    // Its pods may use its own Secret, and not the long-lived token meant for a client outside the cluster.
    expect(server.secrets).toEqual([{ name: 'model-registry' }]);
    for (const account of accounts.filter((a) => a !== server)) {
      expect(account.metadata.annotations).toBeUndefined();
      expect(account.secrets).toBeUndefined();
    }
    const secrets = objects.filter((o) => o.kind === 'Secret');
    expect(secrets).toHaveLength(1);
    expect(secrets[0]).toMatchObject({
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 'vision-model-server-token', namespace: 'vision', annotations: { 'kubernetes.io/service-account.name': 'vision-model-server' } },
    });
    expect(secrets[0].data).toBeUndefined();
  });

  test('a trainer with a token Secret lists the Secrets its pods may use, since enforce-mountable-secrets rejects any other', () => {
    const { objects } = synth({ teams: [team({ personas: [Persona.TRAINER], trainer: { tokenSecret: true, mountableSecrets: ['train-mlflow', 'dataset-s3'] } })] });
    const account = only(objects, 'ServiceAccount');
    expect(account.metadata.annotations).toEqual({ 'kubernetes.io/enforce-mountable-secrets': 'true' });
    expect(account.secrets).toEqual([{ name: 'train-mlflow' }, { name: 'dataset-s3' }]);
    expect(only(objects, 'Secret').metadata.name).toBe('vision-trainer-token');
  });

  test('no wildcards, no cluster-wide roles, every rule in a real API group', () => {
    const { objects } = synth(TWO_TEAMS);
    expect(objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toEqual([]);
    const catalog = new Set([...ApiResource.all.map((r) => `${r.apiGroup}|${r.resource}`), '|pods/exec']);
    for (const role of objects.filter((o) => o.kind === 'Role')) {
      for (const rule of role.rules) {
        expect(rule.apiGroups).toHaveLength(1);
        for (const list of [rule.apiGroups, rule.resources, rule.verbs]) expect(list.join(',')).not.toContain('*');
        for (const resource of rule.resources) expect(catalog.has(`${rule.apiGroups[0]}|${resource}`)).toBe(true);
      }
    }
    expect(objects.some((o) => o.kind === 'Role' && o.rules.some((r: any) => r.resources.includes('jobs') && r.apiGroups.includes('')))).toBe(false);
  });

  test('the team implements ITeam: namespace, queue and a service account per workload role', () => {
    const { rbac } = synth(TWO_TEAMS);
    const vision = rbac.team('vision');
    expect(vision.teamName).toBe('vision');
    expect(vision.namespace).toBe('vision');
    expect(vision.queue?.labels).toEqual({ 'kueue.x-k8s.io/queue-name': 'vision' });
    expect(vision.serviceAccountFor(WorkloadRole.TRAINING)).toBe('vision-trainer');
    expect(vision.serviceAccountFor(WorkloadRole.SERVING)).toBe('vision-model-server');
    expect(vision.serviceAccountFor(WorkloadRole.PIPELINE)).toBe('vision-pipeline-runner');
    const nlp = rbac.team('nlp');
    expect(nlp.namespaces).toEqual(['nlp', 'nlp-batch']);
    expect(nlp.serviceAccountFor(WorkloadRole.SERVING)).toBeUndefined();
    expect(nlp.serviceAccountOf(Persona.VIEWER)).toBeUndefined();
    expect(nlp.roleNameOf(Persona.VIEWER)).toBe('nlp-viewer');
  });

  test('a team without Kueue has no LocalQueue, and its runs carry no queue label', () => {
    const chart = new Chart(Testing.app(), 'test');
    const rbac = new MlRbac(chart, 'rbac', { teams: [team({ kueue: false })] });
    const vision = rbac.team('vision');
    expect([vision.queue, vision.localQueueName, vision.clusterQueueName]).toEqual([undefined, undefined, undefined]);
    new GpuTrainingJob(chart, 'resnet', { team: vision, image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime' });
    const objects = Testing.synth(chart);
    expect(objects.filter((o) => o.kind === 'LocalQueue' || o.kind === 'ClusterQueue')).toEqual([]);
    const job = only(objects, 'Job');
    expect(job.metadata.namespace).toBe('vision');
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBeUndefined();
    expect(job.spec.template.spec.serviceAccountName).toBe('vision-trainer');
    expectValidManifests(objects);
  });

  test('a GpuTrainingJob given a team runs in its namespace, as its trainer, through its queue', () => {
    const chart = new Chart(Testing.app(), 'test');
    const rbac = new MlRbac(chart, 'rbac', { teams: [team()] });
    new GpuTrainingJob(chart, 'resnet', { team: rbac.team('vision'), image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime' });
    const objects = Testing.synth(chart);
    const job = only(objects, 'Job');
    expect(job.metadata.namespace).toBe('vision');
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('vision');
    expect(job.spec.template.spec.serviceAccountName).toBe('vision-trainer');
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(false);
    const queue = only(objects, 'LocalQueue');
    expect(queue.metadata).toMatchObject({ name: 'vision', namespace: 'vision' });
    expect(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name)).toContain('vision-trainer');
  });

  test('a team with several namespaces: team.inNamespace(ns) places a workload there, with that namespace\'s ServiceAccount and LocalQueue', () => {
    const chart = new Chart(Testing.app(), 'test');
    const rbac = new MlRbac(chart, 'rbac', { teams: [team({ namespaces: ['vision', 'vision-serve'], trainer: { tokenSecret: true, mountableSecrets: ['train-mlflow'] } })] });
    const vision = rbac.team('vision');
    const serve = vision.inNamespace('vision-serve');
    expect(vision.inNamespace('vision')).toBe(vision);
    expect([serve.teamName, serve.namespace, serve.namespaces]).toEqual(['vision', 'vision-serve', ['vision', 'vision-serve']]);
    new GpuTrainingJob(chart, 'smoke', { team: serve, image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', cpu: 2, memory: '8Gi' });
    // The same with `namespace` beside the team.
    new GpuTrainingJob(chart, 'eval', { team: vision, namespace: 'vision-serve', image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', cpu: 2, memory: '8Gi' });
    const objects = Testing.synth(chart);
    for (const job of objects.filter((o) => o.kind === 'Job')) {
      expect(job.metadata.namespace).toBe('vision-serve');
      expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('vision');
      expect(job.spec.template.spec.serviceAccountName).toBe('vision-trainer');
    }
    expect(only(objects, 'LocalQueue', 'vision-serve').metadata.name).toBe('vision');
    const account = only(objects.filter((o) => o.metadata.name === 'vision-trainer'), 'ServiceAccount', 'vision-serve');
    // The restriction of the persona holds in every namespace; the long-lived token stays in the first.
    expect(account.metadata.annotations).toEqual({ 'kubernetes.io/enforce-mountable-secrets': 'true' });
    expect(account.secrets).toEqual([{ name: 'train-mlflow' }]);
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['vision/vision-trainer-token']);
    // The RoleBinding in the second namespace binds its own account and, as before, the first namespace's.
    const binding = objects.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'vision-trainer' && o.metadata.namespace === 'vision-serve');
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'vision-trainer', namespace: 'vision' },
      { kind: 'ServiceAccount', name: 'vision-trainer', namespace: 'vision-serve' },
    ]);
    const first = objects.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'vision-trainer' && o.metadata.namespace === 'vision');
    expect(first.subjects).toEqual([{ kind: 'ServiceAccount', name: 'vision-trainer', namespace: 'vision' }]);
    // The serve namespace's account acts in its own namespace only.
    const serveTrainer: Who = { kind: 'ServiceAccount', name: 'vision-trainer', namespace: 'vision-serve' };
    expect(isAllowed(objects, serveTrainer, { verb: 'create', apiGroup: 'batch', resource: 'jobs', namespace: 'vision-serve' })).toBe(true);
    expect(isAllowed(objects, serveTrainer, { verb: 'create', apiGroup: 'batch', resource: 'jobs', namespace: 'vision' })).toBe(false);
    expectValidManifests(objects);
  });

  test('team.inNamespace and namespace beside team accept only the team\'s namespaces', () => {
    const chart = new Chart(Testing.app(), 'test');
    const rbac = new MlRbac(chart, 'rbac', { teams: [team({ namespaces: ['vision', 'vision-serve'] })] });
    const vision = rbac.team('vision');
    expect(() => vision.inNamespace('nlp')).toThrow(/^Team 'vision': 'namespace' must be one of the team's namespaces \(vision, vision-serve\), got 'nlp'$/);
    expect(() => new GpuTrainingJob(chart, 'x', { team: vision, namespace: 'nlp', image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime' }))
      .toThrow(/^GpuTrainingJob 'x': 'namespace' must be one of the team's namespaces \(vision, vision-serve\) \(or be left out\), got 'nlp'$/);
    expect(() => new GpuTrainingJob(chart, 'y', { team: vision.inNamespace('vision-serve'), namespace: 'vision', image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', cpu: 2, memory: '8Gi' }))
      .not.toThrow();
  });

  test('persona and ServiceAccount names can be set, as in the seed (Role model-trainer for training-account)', () => {
    const { objects, rbac } = synth({ teams: [team({ personas: [Persona.TRAINER], trainer: { name: 'model-trainer', serviceAccountName: 'training-account' } })] });
    expect(only(objects, 'Role').metadata.name).toBe('model-trainer');
    expect(only(objects, 'ServiceAccount').metadata.name).toBe('training-account');
    const binding = only(objects, 'RoleBinding');
    expect(binding.metadata.name).toBe('model-trainer');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'model-trainer' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'training-account', namespace: 'vision' }]);
    expect(rbac.team('vision').serviceAccountFor(WorkloadRole.TRAINING)).toBe('training-account');
  });

  test('namespaces may share a name with a persona or a child id', () => {
    const { objects } = synth({ teams: [team({ namespaces: ['trainer', 'clusterqueue'], queue: { clusterQueue: {} } })] });
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['trainer', 'clusterqueue']);
  });

  test('custom rules are added to the persona, split by API group', () => {
    const { objects } = synth({
      teams: [team({
        personas: [Persona.VIEWER],
        viewer: { extraRules: [{ resources: [ApiResource.PYTORCH_JOBS, ApiResource.DEPLOYMENTS, ApiResource.JOB_SETS], verbs: [Verb.GET, Verb.LIST] }] },
      })],
    });
    const rules = only(objects, 'Role').rules;
    expect(rules).toContainEqual({ apiGroups: ['kubeflow.org'], resources: ['pytorchjobs'], verbs: ['get', 'list'] });
    expect(rules).toContainEqual({ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] });
    expect(rules).toContainEqual({ apiGroups: ['jobset.x-k8s.io'], resources: ['jobsets'], verbs: ['get', 'list'] });
  });
});

describe('MlRbac valid manifests', () => {
  const configurations: Array<[string, TeamOptions]> = [
    ['GPU quota only, existing ClusterQueue', { name: 'solo', quota: { gpus: 2 } }],
    ['full quota, two namespaces, own ClusterQueue in a cohort', {
      name: 'nlp', namespaces: ['nlp', 'nlp-batch'],
      quota: { gpus: 16, cpu: 128, memory: '1Ti', storage: '50Ti', persistentVolumeClaims: 20, pods: 300, jobs: 100, services: 10, configMaps: 50, secrets: 50, loadBalancers: 1, nodePorts: 0 },
      queue: { clusterQueue: { cohort: 'research', flavor: { name: 'a100', nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } } },
    }],
    ['MIG and TPU quotas with a default flavor', {
      name: 'edge', quota: { gpus: 0, cpu: 16, memory: '64Gi', accelerators: [{ accelerator: Accelerator.mig('3g.40gb'), count: 4 }, { accelerator: Accelerator.amdGpu(), count: 2 }] },
      queue: { clusterQueue: {} },
    }],
    ['token Secrets, named reads, pods/exec, members', {
      name: 'vision', quota: { gpus: 8, cpu: 64, memory: '512Gi' },
      trainer: { tokenSecret: true, allowPodExec: true, allowDelete: false },
      modelServer: { configMaps: ['triton-config'], secrets: ['model-registry'], tokenSecret: true },
      pipelineRunner: { extraRules: [{ resources: [ApiResource.ARGO_WORKFLOWS], verbs: [Verb.CREATE, Verb.GET, Verb.LIST, Verb.WATCH] }] },
      members: [{ subject: Subject.group('oidc:ml-vision'), persona: Persona.TRAINER }, { subject: Subject.user('lead@example.com'), persona: Persona.VIEWER }],
    }],
  ];
  test.each(configurations)('%s', (_, options) => {
    const chart = new Chart(Testing.app(), 'test');
    const rbac = new MlRbac(chart, 'rbac', { teams: [options] });
    // A device the team's quota allows ('edge' has no whole GPUs, only MIG slices and AMD GPUs).
    const accelerator = options.quota.gpus > 0 ? Accelerator.nvidiaGpu(1) : Accelerator.mig('3g.40gb');
    new GpuTrainingJob(chart, 'train', { team: rbac.team(options.name), image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', accelerator, cpu: 2, memory: '8Gi' });
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    expect(checkRestricted(objects)).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Job')).toHaveLength(1);
  });
});

describe('MlRbac authorization matrix', () => {
  const { objects } = synth(TWO_TEAMS);
  const sa = (name: string, namespace = 'vision'): Who => ({ kind: 'ServiceAccount', name, namespace });
  const TRAINER = sa('vision-trainer');
  const SERVER = sa('vision-model-server');
  const PIPELINE = sa('vision-pipeline-runner');
  const VISION_PERSON = { kind: 'User', name: 'bob@example.com', groups: ['oidc:ml-vision'] } as Who;
  const AUDITOR = { kind: 'User', name: 'eve@example.com', groups: ['oidc:ml-auditors'] } as Who;
  const NLP_TRAINER = sa('nlp-trainer', 'nlp');
  const ALICE = { kind: 'User', name: 'alice@example.com' } as Who;
  const STRANGER = { kind: 'User', name: 'mallory@example.com', groups: ['oidc:everyone'] } as Who;

  // [label, verb, apiGroup, resource, name, namespace, allowed, subject]
  type Cell = [string, string, string, string, string | undefined, string, boolean, Who];
  const cells: Cell[] = [
    // trainer (vision: create but not delete)
    ['trainer', 'create', 'batch', 'jobs', undefined, 'vision', true, TRAINER],
    ['trainer', 'get', 'batch', 'jobs', 'run-1', 'vision', true, TRAINER],
    ['trainer', 'list', 'batch', 'jobs', undefined, 'vision', true, TRAINER],
    ['trainer', 'watch', 'batch', 'cronjobs', undefined, 'vision', true, TRAINER],
    ['trainer', 'create', 'batch', 'cronjobs', undefined, 'vision', true, TRAINER],
    ['trainer', 'delete', 'batch', 'jobs', 'run-1', 'vision', false, TRAINER],
    ['trainer', 'delete', '', 'pods', 'run-1-abc', 'vision', false, TRAINER],
    ['trainer', 'update', 'batch', 'jobs', 'run-1', 'vision', false, TRAINER],
    ['trainer', 'create', '', 'jobs', undefined, 'vision', false, TRAINER],
    ['trainer', 'get', '', 'pods', 'run-1-abc', 'vision', true, TRAINER],
    ['trainer', 'create', '', 'pods', undefined, 'vision', false, TRAINER],
    ['trainer', 'get', '', 'pods/log', 'run-1-abc', 'vision', true, TRAINER],
    ['trainer', 'create', '', 'pods/exec', 'run-1-abc', 'vision', false, TRAINER],
    ['trainer', 'get', '', 'pods/exec', 'run-1-abc', 'vision', false, TRAINER],
    ['trainer', 'create', '', 'persistentvolumeclaims', undefined, 'vision', true, TRAINER],
    // Trainers and pipeline runners create ConfigMaps and claims, but change or delete only those named for them:
    // never a feature server's configuration or another run's data.
    ['trainer', 'delete', '', 'persistentvolumeclaims', 'scratch', 'vision', false, TRAINER],
    ['trainer', 'patch', '', 'configmaps', 'features-config', 'vision', false, TRAINER],
    ['trainer', 'update', '', 'configmaps', 'features-config', 'vision', false, TRAINER],
    ['trainer', 'delete', '', 'configmaps', 'features-config', 'vision', false, TRAINER],
    ['trainer', 'create', '', 'configmaps', undefined, 'vision', true, TRAINER],
    ['pipeline', 'update', '', 'configmaps', 'pipeline-params', 'vision', true, PIPELINE],
    ['pipeline', 'delete', '', 'configmaps', 'pipeline-params', 'vision', true, PIPELINE],
    ['pipeline', 'patch', '', 'configmaps', 'features-config', 'vision', false, PIPELINE],
    ['pipeline', 'delete', '', 'persistentvolumeclaims', 'pipeline-scratch', 'vision', true, PIPELINE],
    ['pipeline', 'delete', '', 'persistentvolumeclaims', 'datasets', 'vision', false, PIPELINE],
    ['pipeline', 'patch', '', 'persistentvolumeclaims', 'pipeline-scratch', 'vision', false, PIPELINE],
    ['trainer', 'get', '', 'secrets', 'model-registry', 'vision', false, TRAINER],
    ['trainer', 'list', '', 'secrets', undefined, 'vision', false, TRAINER],
    ['trainer', 'watch', '', 'secrets', undefined, 'vision', false, TRAINER],
    ['trainer', 'create', 'rbac.authorization.k8s.io', 'rolebindings', undefined, 'vision', false, TRAINER],
    ['trainer', 'update', '', 'resourcequotas', 'vision-quota', 'vision', false, TRAINER],
    ['trainer', 'create', 'kueue.x-k8s.io', 'localqueues', undefined, 'vision', false, TRAINER],
    ['trainer', 'create', 'batch', 'jobs', undefined, 'nlp', false, TRAINER],
    ['trainer', 'create', 'batch', 'jobs', undefined, 'default', false, TRAINER],
    // people in the vision trainer group get exactly the trainer Role
    ['oidc:ml-vision', 'create', 'batch', 'jobs', undefined, 'vision', true, VISION_PERSON],
    ['oidc:ml-vision', 'list', '', 'secrets', undefined, 'vision', false, VISION_PERSON],
    ['oidc:ml-vision', 'get', 'batch', 'jobs', 'x', 'nlp', false, VISION_PERSON],
    // nlp trainer: delete allowed, pods/exec explicitly granted, in both namespaces
    ['nlp trainer', 'delete', 'batch', 'jobs', 'run-1', 'nlp', true, NLP_TRAINER],
    ['nlp trainer', 'delete', '', 'pods', 'run-1-abc', 'nlp-batch', true, NLP_TRAINER],
    ['nlp trainer', 'create', '', 'pods/exec', 'run-1-abc', 'nlp', true, NLP_TRAINER],
    ['nlp trainer', 'create', '', 'pods/attach', 'run-1-abc', 'nlp', false, NLP_TRAINER],
    ['nlp trainer', 'get', '', 'secrets', 'anything', 'nlp', false, NLP_TRAINER],
    ['nlp trainer', 'create', 'batch', 'jobs', undefined, 'vision', false, NLP_TRAINER],
    // model server: only its named ConfigMap and Secret
    ['model server', 'get', '', 'configmaps', 'triton-config', 'vision', true, SERVER],
    ['model server', 'get', '', 'secrets', 'model-registry', 'vision', true, SERVER],
    ['model server', 'get', '', 'secrets', 'other-team-creds', 'vision', false, SERVER],
    ['model server', 'get', '', 'configmaps', 'other', 'vision', false, SERVER],
    ['model server', 'list', '', 'secrets', undefined, 'vision', false, SERVER],
    ['model server', 'watch', '', 'secrets', undefined, 'vision', false, SERVER],
    ['model server', 'watch', '', 'secrets', 'model-registry', 'vision', false, SERVER],
    ['model server', 'list', '', 'secrets', 'model-registry', 'vision', false, SERVER],
    ['model server', 'update', '', 'secrets', 'model-registry', 'vision', false, SERVER],
    ['model server', 'list', '', 'configmaps', undefined, 'vision', false, SERVER],
    ['model server', 'get', '', 'pods', 'x', 'vision', false, SERVER],
    ['model server', 'create', 'batch', 'jobs', undefined, 'vision', false, SERVER],
    // pipeline runner
    ['pipeline', 'create', 'batch', 'jobs', undefined, 'vision', true, PIPELINE],
    ['pipeline', 'delete', 'batch', 'jobs', 'step-1', 'vision', true, PIPELINE],
    ['pipeline', 'get', '', 'pods/log', 'step-1-abc', 'vision', true, PIPELINE],
    ['pipeline', 'create', '', 'configmaps', undefined, 'vision', true, PIPELINE],
    ['pipeline', 'create', 'batch', 'cronjobs', undefined, 'vision', false, PIPELINE],
    ['pipeline', 'create', '', 'pods', undefined, 'vision', false, PIPELINE],
    ['pipeline', 'create', '', 'pods/exec', 'x', 'vision', false, PIPELINE],
    ['pipeline', 'get', '', 'secrets', 'model-registry', 'vision', false, PIPELINE],
    ['pipeline', 'list', '', 'secrets', undefined, 'vision', false, PIPELINE],
    ['alice (nlp pipeline runner)', 'create', 'batch', 'jobs', undefined, 'nlp-batch', true, ALICE],
    ['alice (nlp pipeline runner)', 'create', 'batch', 'jobs', undefined, 'vision', false, ALICE],
    // viewer
    ['viewer', 'list', '', 'pods', undefined, 'vision', true, AUDITOR],
    ['viewer', 'watch', 'batch', 'jobs', undefined, 'vision', true, AUDITOR],
    ['viewer', 'get', '', 'pods/log', 'x', 'vision', true, AUDITOR],
    ['viewer', 'get', '', 'resourcequotas', 'vision-quota', 'vision', true, AUDITOR],
    ['viewer', 'list', 'kueue.x-k8s.io', 'workloads', undefined, 'vision', true, AUDITOR],
    ['viewer', 'get', '', 'secrets', 'model-registry', 'vision', false, AUDITOR],
    ['viewer', 'list', '', 'secrets', undefined, 'vision', false, AUDITOR],
    ['viewer', 'create', 'batch', 'jobs', undefined, 'vision', false, AUDITOR],
    ['viewer', 'delete', '', 'pods', 'x', 'vision', false, AUDITOR],
    ['viewer', 'update', '', 'configmaps', 'x', 'vision', false, AUDITOR],
    ['viewer', 'create', '', 'pods/exec', 'x', 'vision', false, AUDITOR],
    // nobody else
    ['stranger', 'get', '', 'pods', 'x', 'vision', false, STRANGER],
    ['stranger', 'list', 'batch', 'jobs', undefined, 'nlp', false, STRANGER],
  ];

  test.each(cells)('%s: %s %s/%s %s in %s → allowed %s', (_label, verb, apiGroup, resource, name, namespace, expected, who) => {
    expect(isAllowed(objects, who, { verb, apiGroup, resource, name, namespace })).toBe(expected);
  });

  // The complete set of what each persona may do on unnamed objects: any added permission breaks this test.
  test('trainer (create but not delete) has exactly these permissions', () => {
    expect(permissions(objects, TRAINER, 'vision')).toEqual([
      'create /configmaps', 'create /persistentvolumeclaims', 'create batch/cronjobs', 'create batch/jobs',
      'get /configmaps', 'get /events', 'get /persistentvolumeclaims', 'get /pods', 'get /pods/log', 'get batch/cronjobs', 'get batch/jobs',
      'get kueue.x-k8s.io/localqueues', 'get kueue.x-k8s.io/workloads',
      'list /configmaps', 'list /events', 'list /persistentvolumeclaims', 'list /pods', 'list batch/cronjobs', 'list batch/jobs',
      'list kueue.x-k8s.io/localqueues', 'list kueue.x-k8s.io/workloads',
      'watch /configmaps', 'watch /events', 'watch /persistentvolumeclaims', 'watch /pods', 'watch batch/cronjobs', 'watch batch/jobs',
      'watch kueue.x-k8s.io/localqueues', 'watch kueue.x-k8s.io/workloads',
    ].map((p) => p.replace(' /', ' ')).sort());
  });

  test('trainer with delete and pods/exec adds exactly those', () => {
    const base = permissions(objects, TRAINER, 'vision');
    expect(permissions(objects, NLP_TRAINER, 'nlp').filter((p) => !base.includes(p))).toEqual(
      ['create pods/exec', 'delete batch/cronjobs', 'delete batch/jobs', 'delete pods'],
    );
    expect(base.filter((p) => !permissions(objects, NLP_TRAINER, 'nlp').includes(p))).toEqual([]);
  });

  test('model server can do nothing on unnamed objects', () => {
    expect(permissions(objects, SERVER, 'vision')).toEqual([]);
  });

  test('pipeline runner has exactly these permissions', () => {
    expect(permissions(objects, PIPELINE, 'vision')).toEqual([
      'create batch/jobs', 'create configmaps', 'create persistentvolumeclaims',
      'delete batch/jobs',
      'get batch/cronjobs', 'get batch/jobs', 'get configmaps', 'get events', 'get kueue.x-k8s.io/workloads', 'get persistentvolumeclaims', 'get pods', 'get pods/log',
      'list batch/cronjobs', 'list batch/jobs', 'list configmaps', 'list events', 'list kueue.x-k8s.io/workloads', 'list persistentvolumeclaims', 'list pods',
      'watch batch/cronjobs', 'watch batch/jobs', 'watch configmaps', 'watch events', 'watch kueue.x-k8s.io/workloads', 'watch persistentvolumeclaims', 'watch pods',
    ].sort());
  });

  test('viewer only reads, never Secrets', () => {
    const perms = permissions(objects, AUDITOR, 'vision');
    expect(perms.every((p) => /^(get|list|watch) /.test(p))).toBe(true);
    expect(perms.filter((p) => p.includes('secrets') || p.includes('pods/exec'))).toEqual([]);
    const read = ['configmaps', 'events', 'limitranges', 'persistentvolumeclaims', 'pods', 'resourcequotas', 'services',
      'apps/deployments', 'batch/cronjobs', 'batch/jobs', 'kueue.x-k8s.io/localqueues', 'kueue.x-k8s.io/workloads'];
    expect(perms).toEqual([...read.flatMap((r) => ['get', 'list', 'watch'].map((v) => `${v} ${r}`)), 'get pods/log'].sort());
  });

  test('no persona can escalate, bind, impersonate or touch RBAC, namespaces or network policies', () => {
    for (const who of [TRAINER, SERVER, PIPELINE, AUDITOR, VISION_PERSON, NLP_TRAINER, ALICE]) {
      for (const ns of ['vision', 'nlp', 'nlp-batch']) {
        const perms = permissions(objects, who, ns);
        expect(perms.filter((p) => /^(escalate|bind|impersonate) |rbac|namespaces|networkpolicies|serviceaccounts|clusterqueues| jobs$/.test(p))).toEqual([]);
      }
    }
  });
});

describe('MlRbac bad input', () => {
  const fails = (props: MlRbacProps, message: RegExp) => expect(() => synth(props)).toThrow(message);
  const rule = (resources: unknown[], verbs: unknown[], resourceNames?: string[]) =>
    team({ trainer: { extraRules: [{ resources: resources as ApiResource[], verbs: verbs as Verb[], resourceNames }] } });

  test('claims to delete for a trainer that may not delete, and names that are no object names', () => {
    fails({ teams: [team({ trainer: { allowDelete: false, deletableClaims: ['scratch'] } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.trainer\.deletableClaims' must be empty with allowDelete: false, got \["scratch"\]$/);
    fails({ teams: [team({ pipelineRunner: { editableConfigMaps: ['Params'] } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.pipelineRunner\.editableConfigMaps\[0\]' must be a DNS-1123 subdomain .*got 'Params'$/);
  });

  test('jobs in the core API group', () => {
    fails({ teams: [rule([{ apiGroup: '', resource: 'jobs' }], [Verb.CREATE])] },
      /^MlRbac 'rbac': 'teams\[0\]\.trainer\.extraRules\[0\]\.resources\[0\]' names 'jobs', which is in API group 'batch', not the core group \(''\): use ApiResource\.JOBS, got \{"apiGroup":"","resource":"jobs"\}$/);
  });

  test('an unknown resource', () => {
    fails({ teams: [rule([{ apiGroup: 'batch', resource: 'trainings' }], [Verb.GET])] },
      /'teams\[0\]\.trainer\.extraRules\[0\]\.resources\[0\]' must be one of the ApiResource constants \(pods, pods\/log, .*jobs\.batch.*\), got \{"apiGroup":"batch","resource":"trainings"\}/);
  });

  test('an unknown verb', () => {
    fails({ teams: [rule([ApiResource.JOBS], [Verb.GET, 'escalate'])] },
      /^MlRbac 'rbac': 'teams\[0\]\.trainer\.extraRules\[0\]\.verbs\[1\]' must be a known verb \(get, list, watch, create, update, patch, delete, deletecollection\), got 'escalate'$/);
  });

  test('a wildcard verb', () => {
    fails({ teams: [rule([ApiResource.JOBS], ['*'])] },
      /^MlRbac 'rbac': 'teams\[0\]\.trainer\.extraRules\[0\]\.verbs\[0\]' must not be a wildcard: name each verb \(get, .*\), got '\*'$/);
  });

  test('a wildcard resource', () => {
    fails({ teams: [rule([{ apiGroup: '*', resource: '*' }], [Verb.GET])] },
      /^MlRbac 'rbac': 'teams\[0\]\.trainer\.extraRules\[0\]\.resources\[0\]' must not be a wildcard: name each resource, one of the ApiResource constants .*, got \{"apiGroup":"\*","resource":"\*"\}$/);
    fails({ teams: [rule(['*'], [Verb.GET])] }, /'teams\[0\]\.trainer\.extraRules\[0\]\.resources\[0\]' must not be a wildcard/);
  });

  test('a verb the resource does not serve', () => {
    fails({ teams: [rule([ApiResource.POD_LOGS], [Verb.DELETE])] },
      /'teams\[0\]\.trainer\.extraRules\[0\]\.verbs\[0\]' must be served by pods\/log, which allows get, got 'delete'/);
  });

  test('listing or watching Secrets', () => {
    fails({ teams: [rule([ApiResource.SECRETS], [Verb.GET, Verb.LIST])] },
      /'teams\[0\]\.trainer\.extraRules\[0\]\.verbs\[1\]' must not list, watch or delete collections of Secrets .*, got 'list'/);
    fails({ teams: [rule([ApiResource.SECRETS], [Verb.WATCH], ['creds'])] }, /must not list, watch or delete collections of Secrets/);
  });

  test('resourceNames with a verb that cannot be restricted by name', () => {
    fails({ teams: [rule([ApiResource.CONFIG_MAPS], [Verb.GET, Verb.CREATE], ['cfg'])] },
      /^MlRbac 'rbac': 'teams\[0\]\.trainer\.extraRules\[0\]\.verbs' cannot include 'create' with resourceNames \(Kubernetes cannot restrict it by name\): use get, update, patch or delete, got \["get","create"\]$/);
    fails({ teams: [rule([ApiResource.CONFIG_MAPS], [Verb.WATCH], ['cfg'])] },
      /\.verbs' cannot include 'watch' with resourceNames \(it would allow only requests with a metadata\.name field selector, which most clients do not send\)/);
  });

  test('an empty rule', () => {
    fails({ teams: [rule([], [Verb.GET])] }, /'teams\[0\]\.trainer\.extraRules\[0\]\.resources' must list at least one resource/);
    fails({ teams: [rule([ApiResource.PODS], [])] }, /'teams\[0\]\.trainer\.extraRules\[0\]\.verbs' must list at least one verb/);
  });

  test('a quota that is not a quantity', () => {
    fails({ teams: [team({ quota: { gpus: 1, memory: '512 GB' } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.quota\.memory' must be a Kubernetes quantity such as '500m', '2', '16Gi' or '1Ti', got '512 GB'$/);
    fails({ teams: [team({ quota: { gpus: 1, storage: 'lots' } })] }, /'teams\[0\]\.quota\.storage' must be a Kubernetes quantity/);
  });

  test('a negative GPU quota', () => {
    fails({ teams: [team({ quota: { gpus: -1 } })] }, /^MlRbac 'rbac': 'teams\[0\]\.quota\.gpus' must be a whole number of at least 0, got -1$/);
    fails({ teams: [team({ quota: { gpus: 1.5 } })] }, /'teams\[0\]\.quota\.gpus' must be a whole number of at least 0, got 1\.5/);
  });

  test('a negative object count', () => {
    fails({ teams: [team({ quota: { gpus: 1, pods: -3 } })] }, /'teams\[0\]\.quota\.pods' must be a whole number of at least 0, got -3/);
  });

  test('whole NVIDIA GPUs among the other accelerators', () => {
    fails({ teams: [team({ quota: { gpus: 1, accelerators: [{ accelerator: Accelerator.nvidiaGpu(2), count: 4 }] } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.quota\.accelerators\[0\]\.accelerator' must not be whole NVIDIA GPUs: set quota.gpus, got '2 NVIDIA GPUs'$/);
  });

  test('an accelerator quota that is not an Accelerator', () => {
    fails({ teams: [team({ quota: { gpus: 1, accelerators: [{ accelerator: 'nvidia.com/mig-1g.10gb' as any, count: 4 }] } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.quota\.accelerators\[0\]\.accelerator' must be made with Accelerator\.mig\(\.\.\.\), .*, got 'nvidia.com\/mig-1g.10gb'$/);
  });

  test('a MIG media-extension profile is quoted under the name the device plugin advertises', () => {
    const { objects } = synth({ teams: [team({ quota: { gpus: 1, accelerators: [{ accelerator: Accelerator.mig('1g.10gb+me'), count: 2 }] } })] });
    const hard = only(objects, 'ResourceQuota').spec.hard;
    expect(hard['requests.nvidia.com/mig-1g.10gb.me']).toBe('2');
    expect(hard['requests.nvidia.com/mig-1g.10gb']).toBe('0');
  });

  test('an accelerator quota for Accelerator.none()', () => {
    fails({ teams: [team({ quota: { gpus: 1, accelerators: [{ accelerator: Accelerator.none(), count: 2 }] } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.quota\.accelerators\[0\]\.accelerator' must request a device the device plugin advertises, got 'no accelerator \(CPU only\)'$/);
  });

  test('one accelerator listed twice', () => {
    fails({ teams: [team({ quota: { gpus: 1, accelerators: [{ accelerator: Accelerator.mig('1g.10gb'), count: 2 }, { accelerator: Accelerator.mig('1g.10gb', 2), count: 4 }] } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.quota\.accelerators\[1\]\.accelerator' must be listed once per resource, got 'nvidia.com\/mig-1g.10gb'$/);
  });

  test('a negative accelerator count', () => {
    fails({ teams: [team({ quota: { gpus: 1, accelerators: [{ accelerator: Accelerator.amdGpu(), count: -1 }] } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.quota\.accelerators\[0\]\.count' must be a whole number of at least 0, got -1$/);
  });

  test('mountable Secrets without a token Secret', () => {
    fails({ teams: [team({ trainer: { mountableSecrets: ['train-mlflow'] } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.trainer\.mountableSecrets' can only be given with tokenSecret: true .*, got \["train-mlflow"\]$/);
  });

  test('a mountable Secret name that is not a DNS subdomain', () => {
    fails({ teams: [team({ pipelineRunner: { tokenSecret: true, mountableSecrets: ['Bad_Name'] } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.pipelineRunner\.mountableSecrets\[0\]' must be a DNS-1123 subdomain .*, got 'Bad_Name'$/);
  });

  test('a team name that is not a DNS-1123 label', () => {
    fails({ teams: [team({ name: 'Vision_Team' })] }, /^MlRbac 'rbac': 'teams\[0\]\.name' must be a DNS-1123 label \(.*at most 40 characters\), got 'Vision_Team'$/);
    fails({ teams: [team(), team({ name: 'a'.repeat(41) })] }, /'teams\[1\]\.name' must be a DNS-1123 label/);
  });

  test('two teams with one name, or one namespace', () => {
    fails({ teams: [team(), team()] }, /'teams\[1\]\.name' must be unique among the teams, got 'vision'/);
    fails({ teams: [team(), team({ name: 'nlp', namespaces: ['nlp', 'vision'] })] }, /'teams\[1\]\.namespaces\[1\]' must belong to one team only, once, got 'vision'/);
    fails({ teams: [team({ namespaces: [] })] }, /'teams\[0\]\.namespaces' must list at least one namespace/);
    fails({ teams: [team({ namespaces: 'vision' as unknown as string[] })] }, /'teams\[0\]\.namespaces' must be a list of namespace names, got 'vision'/);
    fails({ teams: [team({ namespaces: ['ML'] })] }, /'teams\[0\]\.namespaces\[0\]' must be a DNS-1123 label/);
  });

  test('options or members for a persona the team does not have', () => {
    fails({ teams: [team({ personas: [Persona.TRAINER], viewer: {} })] }, /'teams\[0\]\.viewer' can only be given when 'personas' includes Persona\.VIEWER/);
    fails({ teams: [team({ personas: [Persona.TRAINER], members: [{ subject: Subject.user('bob'), persona: Persona.VIEWER }] })] },
      /'teams\[0\]\.members\[0\]\.persona' must be one of the team's personas \(trainer\), got 'viewer'/);
    fails({ teams: [team({ personas: ['admin' as Persona] })] }, /'teams\[0\]\.personas\[0\]' must be one of 'trainer', 'model-server', 'pipeline-runner', 'viewer', each once, got 'admin'/);
  });

  test('a member that is not a Subject, and system identities', () => {
    fails({ teams: [team({ members: [{ subject: { kind: 'Group', name: 'x' } as unknown as Subject, persona: Persona.VIEWER }] })] },
      /'teams\[0\]\.members\[0\]\.subject' must be made with Subject\.user\(\.\.\.\) or Subject\.group\(\.\.\.\)/);
    expect(() => Subject.group('system:masters')).toThrow(/^Subject\.group: 'name' must be a non-empty name without surrounding spaces, not a system: identity, got 'system:masters'$/);
  });

  test('a ServiceAccount name that is not a DNS subdomain', () => {
    fails({ teams: [team({ trainer: { serviceAccountName: 'Training Account' } })] }, /'teams\[0\]\.trainer\.serviceAccountName' must be a DNS-1123 subdomain/);
  });

  test('a model server resource name that is not a DNS subdomain', () => {
    fails({ teams: [team({ modelServer: { secrets: ['Bad_Name'] } })] }, /'teams\[0\]\.modelServer\.secrets\[0\]' must be a DNS-1123 subdomain/);
  });

  test('queue options for a team without Kueue, or a kueue flag that is not a boolean', () => {
    fails({ teams: [team({ kueue: false, queue: { clusterQueueName: 'shared' } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.queue' cannot be given when kueue is false \(the team has no LocalQueue\), got \{/);
    fails({ teams: [team({ kueue: 'no' as any })] }, /^MlRbac 'rbac': 'teams\[0\]\.kueue' must be true or false, got 'no'$/);
  });

  test('a ClusterQueue without cpu and memory quota, or with an existing one named too', () => {
    fails({ teams: [team({ quota: { gpus: 4, memory: '1Ti' }, queue: { clusterQueue: {} } })] },
      /'teams\[0\]\.quota\.cpu' must be set when the team has a ClusterQueue \(its nominal quota\), got nothing/);
    fails({ teams: [team({ queue: { clusterQueue: {}, clusterQueueName: 'shared' } })] },
      /'teams\[0\]\.queue\.clusterQueueName' cannot be given with queue\.clusterQueue/);
  });

  test('two teams describing one flavor differently', () => {
    fails({
      teams: [
        team({ queue: { clusterQueue: { flavor: { name: 'a100', nodeLabels: { pool: 'a' } } } } }),
        team({ name: 'nlp', queue: { clusterQueue: { flavor: { name: 'a100', nodeLabels: { pool: 'b' } } } } }),
      ],
    }, /'teams\[1\]\.queue\.clusterQueue\.flavor' must match the flavor 'a100' another team defined/);
  });

  test('a flavor node label that is not a label', () => {
    fails({ teams: [team({ queue: { clusterQueue: { flavor: { name: 'a100', nodeLabels: { 'gpu type': 'a100' } } } } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.queue\.clusterQueue\.flavor\.nodeLabels' must have label keys of the form \[prefix\/\]name \(.*\), got 'gpu type'$/);
    fails({ teams: [team({ queue: { clusterQueue: { flavor: { name: 'a100', nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA A100' } } } } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.queue\.clusterQueue\.flavor\.nodeLabels\.nvidia\.com\/gpu\.product' must be a label value .*, got 'NVIDIA A100'$/);
  });

  test('a flavor with more node labels than Kueue takes', () => {
    const nodeLabels = Object.fromEntries([...Array(9).keys()].map((i) => [`example.com/l${i}`, 'x']));
    fails({ teams: [team({ queue: { clusterQueue: { flavor: { name: 'a100', nodeLabels } } } })] },
      /^MlRbac 'rbac': 'teams\[0\]\.queue\.clusterQueue\.flavor\.nodeLabels' must have at most 8 labels, got \{/);
  });

  test('a Pod Security version that is not a Kubernetes minor version', () => {
    fails({ teams: [team({ podSecurityVersion: '1.27' })] }, /'teams\[0\]\.podSecurityVersion' must be 'latest' or a Kubernetes minor version such as 'v1\.27', got '1\.27'/);
  });

  test('looking up a team that does not exist', () => {
    const { rbac } = synth({ teams: [team()] });
    expect(() => rbac.team('nlp')).toThrow(/^MlRbac 'rbac': 'team' must name one of the teams \(vision\), got 'nlp'$/);
  });
});
