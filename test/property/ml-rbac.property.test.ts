import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  ApiResource, GpuTrainingJob, MlRbac, ModelServer, Persona, RbacRule, ServingRuntime, Subject, TeamOptions, Verb,
} from '../../lib';
import * as a from './arbitraries';
import { Breakage, breaks, expectRefused, expectRefusedOrValid, hostileProps, params, ValidChecker } from './harness';

/** A rule the catalog allows (Secrets: get on named objects only). */
const rule: fc.Arbitrary<RbacRule> = fc.constantFrom(...ApiResource.all.filter((r) => r !== ApiResource.SECRETS))
  .chain((resource) => fc.subarray(resource.verbs, { minLength: 1 }).map((verbs): RbacRule => ({ resources: [resource], verbs })));
const secretRule: fc.Arbitrary<RbacRule> = fc.array(a.dnsSubdomain, { minLength: 1, maxLength: 2 })
  .map((names) => ({ resources: [ApiResource.SECRETS], verbs: [Verb.GET], resourceNames: names }));

const quota = fc.record({
  gpus: fc.integer({ min: 0, max: 64 }),
  cpu: a.cpu,
  memory: a.memory,
  storage: a.storageSize,
  persistentVolumeClaims: fc.integer({ min: 0, max: 100 }),
  pods: fc.integer({ min: 0, max: 1000 }),
  jobs: fc.integer({ min: 0, max: 100 }),
  services: fc.integer({ min: 0, max: 50 }),
  configMaps: fc.integer({ min: 0, max: 100 }),
  secrets: fc.integer({ min: 0, max: 100 }),
  loadBalancers: fc.integer({ min: 0, max: 5 }),
  nodePorts: fc.integer({ min: 0, max: 5 }),
}, { requiredKeys: ['gpus'], noNullPrototype: true });

const personaOptions = fc.record({ extraRules: fc.array(fc.oneof(rule, secretRule), { maxLength: 2 }) }, { requiredKeys: [], noNullPrototype: true });
const workloadPersonaOptions = fc.record({
  extraRules: fc.array(fc.oneof(rule, secretRule), { maxLength: 2 }),
  serviceAccountName: a.dnsSubdomain,
  tokenSecret: fc.boolean(),
}, { requiredKeys: [], noNullPrototype: true });

/** A team, given its name (namespaces are prefixed with it, so teams never share one). Built once: no chain(). */
const team: fc.Arbitrary<(name: string) => TeamOptions> = fc.record({
  namespaces: fc.option(fc.uniqueArray(a.dnsLabel(15), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  quota,
  limitDefaults: fc.option(fc.record({ cpu: a.cpu, memory: a.memory }, { requiredKeys: [], noNullPrototype: true }), { nil: undefined }),
  queue: fc.option(fc.oneof(
    fc.record({ name: a.dnsSubdomain }, { requiredKeys: [], noNullPrototype: true }),
    fc.record({ name: a.dnsSubdomain, clusterQueueName: a.dnsSubdomain }, { requiredKeys: [], noNullPrototype: true }),
    fc.record({
      name: a.dnsSubdomain,
      clusterQueue: fc.record({
        cohort: a.dnsSubdomain,
        flavor: fc.record({
          name: fc.constant('flavor'),
          nodeLabels: fc.dictionary(a.labelKey, a.labelValue.filter((x) => x !== ''), { maxKeys: 2, noNullPrototype: true }),
          tolerations: fc.array(a.toleration, { maxLength: 2 }),
        }, { requiredKeys: ['name'], noNullPrototype: true }),
      }, { requiredKeys: [], noNullPrototype: true }),
    }, { requiredKeys: [], noNullPrototype: true }),
  ), { nil: undefined }),
  personas: fc.option(fc.subarray([Persona.TRAINER, Persona.MODEL_SERVER, Persona.PIPELINE_RUNNER, Persona.VIEWER], { minLength: 1 }), { nil: undefined }),
  trainer: fc.option(fc.tuple(workloadPersonaOptions, fc.boolean(), fc.boolean()).map(([o, allowDelete, allowPodExec]) => ({ ...o, allowDelete, allowPodExec })), { nil: undefined }),
  modelServer: fc.option(fc.tuple(workloadPersonaOptions, fc.uniqueArray(a.dnsSubdomain, { maxLength: 2 }), fc.uniqueArray(a.dnsSubdomain, { maxLength: 2 }))
    .map(([o, configMaps, secrets]) => ({ ...o, configMaps, secrets })), { nil: undefined }),
  pipelineRunner: fc.option(workloadPersonaOptions, { nil: undefined }),
  viewer: fc.option(personaOptions, { nil: undefined }),
  members: fc.array(fc.record({
    subject: fc.oneof(fc.emailAddress().map((e) => Subject.user(e)), fc.stringMatching(/^(oidc:)?[a-z][a-z0-9-]{1,12}$/).map((g) => Subject.group(g))),
    persona: fc.constantFrom(Persona.TRAINER, Persona.MODEL_SERVER, Persona.PIPELINE_RUNNER, Persona.VIEWER),
  }), { maxLength: 3 }),
  podSecurityVersion: fc.option(fc.constantFrom('latest', 'v1.27', 'v1.30'), { nil: undefined }),
}, { requiredKeys: ['quota'], noNullPrototype: true }).map((t) => (name: string): TeamOptions => {
  const personas = t.personas ?? [Persona.TRAINER, Persona.MODEL_SERVER, Persona.PIPELINE_RUNNER, Persona.VIEWER];
  // Persona options and members only for the team's personas; a ClusterQueue needs cpu and memory quotas.
  const clusterQueue = t.queue !== undefined && 'clusterQueue' in t.queue;
  const queue = t.queue !== undefined && 'clusterQueue' in t.queue
    ? { ...t.queue, clusterQueue: { ...t.queue.clusterQueue, name: `${name}-cq`, flavor: t.queue.clusterQueue?.flavor && { ...t.queue.clusterQueue.flavor, name: `${name}-flavor` } } }
    : t.queue;
  // Workload personas need distinct ServiceAccounts.
  const seen = new Set<string>();
  const distinct = <O extends { serviceAccountName?: string }>(o: O | undefined): O | undefined => {
    if (o?.serviceAccountName === undefined) return o;
    if (seen.has(o.serviceAccountName)) return { ...o, serviceAccountName: undefined };
    seen.add(o.serviceAccountName);
    return o;
  };
  const trainer = distinct(t.trainer);
  const modelServer = distinct(t.modelServer);
  const pipelineRunner = distinct(t.pipelineRunner);
  return {
    ...t,
    name,
    namespaces: t.namespaces?.map((n) => `${name}-${n}`.slice(0, 63).replace(/-+$/, '')),
    queue,
    quota: clusterQueue ? { cpu: 8, memory: '64Gi', ...t.quota } : t.quota,
    trainer: personas.includes(Persona.TRAINER) ? trainer : undefined,
    modelServer: personas.includes(Persona.MODEL_SERVER) ? modelServer : undefined,
    pipelineRunner: personas.includes(Persona.PIPELINE_RUNNER) ? pipelineRunner : undefined,
    viewer: personas.includes(Persona.VIEWER) ? t.viewer : undefined,
    members: (t.members ?? []).filter((m) => personas.includes(m.persona)),
  } as TeamOptions;
});

interface Case {
  readonly id: string;
  readonly teams: TeamOptions[];
  /** Run a training job and a model server in the first team. */
  readonly workloads: boolean;
}

const validCase: fc.Arbitrary<Case> = fc.record({
  id: a.dnsLabel(20),
  names: fc.uniqueArray(a.dnsLabel(12), { minLength: 1, maxLength: 3 }),
  teams: fc.array(team, { minLength: 3, maxLength: 3 }),
  workloads: fc.boolean(),
}).map((c): Case => {
  const teams = c.names.map((n, i) => c.teams[i](n));
  // The workloads must fit the first team's quota (the platform checks refuse them otherwise; see platform-checks.test).
  if (c.workloads) teams[0] = { ...teams[0], quota: { ...teams[0].quota, gpus: Math.max(teams[0].quota.gpus, 2), cpu: 64, memory: '256Gi', pods: undefined } };
  return { id: c.id, teams, workloads: c.workloads };
});

function synthCase(c: Case) {
  return (chart: Chart) => {
    const rbac = new MlRbac(chart, c.id, { teams: c.teams });
    if (c.workloads && rbac.teams.length > 0) {
      const t = rbac.teams[0];
      new GpuTrainingJob(chart, 'train', { team: t, image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime' });
      new ModelServer(chart, 'serve', { team: t, runtime: ServingRuntime.triton() });
    }
  };
}

type T = TeamOptions;
const setT = <K extends keyof T>(key: K) => (t: T, value: unknown): T => ({ ...t, [key]: value });
const rulePersonas: Array<[Persona, 'trainer' | 'modelServer' | 'pipelineRunner' | 'viewer']> = [
  [Persona.TRAINER, 'trainer'], [Persona.MODEL_SERVER, 'modelServer'], [Persona.PIPELINE_RUNNER, 'pipelineRunner'], [Persona.VIEWER, 'viewer'],
];
const ALL = [Persona.TRAINER, Persona.MODEL_SERVER, Persona.PIPELINE_RUNNER, Persona.VIEWER];

/** Breaks the first team; the error must name `teams[0].<prop>`. */
const breakages: fc.Arbitrary<Breakage<T>> = fc.oneof<fc.Arbitrary<Breakage<T>>[]>(
  breaks<T, any>(fc.oneof(a.badDnsName, fc.constant('n'.repeat(41))), 'name', setT('name')),
  breaks<T, any>(a.badDnsName, 'namespaces[0]', (t, ns) => ({ ...t, namespaces: [ns] })),
  breaks<T, any>(fc.constant([]), 'namespaces', setT('namespaces')),
  breaks<T, any>(fc.constant('dup'), 'namespaces[1]', (t, ns) => ({ ...t, namespaces: [ns, ns] })),
  breaks<T, any>(fc.constantFrom<unknown>('ml', 3), 'namespaces', setT('namespaces')),
  breaks<T, any>(fc.constantFrom<unknown>(undefined, 8, 'big'), 'quota', setT('quota')),
  breaks<T, any>(a.badCount(0), 'quota.gpus', (t, gpus) => ({ ...t, quota: { ...t.quota, gpus } })),
  breaks<T, any>(a.badQuantity, 'quota.cpu', (t, cpu) => ({ ...t, quota: { ...t.quota, cpu } })),
  breaks<T, any>(a.badQuantity, 'quota.memory', (t, memory) => ({ ...t, quota: { ...t.quota, memory } })),
  breaks<T, any>(a.badQuantity, 'quota.storage', (t, storage) => ({ ...t, quota: { ...t.quota, storage } })),
  breaks<T, any>(fc.tuple(fc.constantFrom('pods', 'jobs', 'services', 'secrets', 'loadBalancers', 'nodePorts', 'configMaps', 'persistentVolumeClaims'), a.badCount(0)), ([k]) => `quota.${k}`, (t, [k, n]) => ({ ...t, quota: { ...t.quota, [k]: n } })),
  breaks<T, any>(a.badQuantity, 'limitDefaults.cpu', (t, cpu) => ({ ...t, limitDefaults: { cpu } })),
  breaks<T, any>(a.badQuantity, 'limitDefaults.memory', (t, memory) => ({ ...t, limitDefaults: { memory } })),
  breaks<T, any>(fc.constantFrom('1.27', 'v2.0', 'newest', ''), 'podSecurityVersion', setT('podSecurityVersion')),
  breaks<T, any>(a.badSubdomain, 'queue.name', (t, name) => ({ ...t, queue: { name } })),
  breaks<T, any>(fc.constant('other'), 'queue.clusterQueueName', (t, clusterQueueName) => ({ ...t, queue: { clusterQueueName, clusterQueue: {} } })),
  breaks<T, any>(fc.constant(undefined), 'quota.cpu', (t) => ({ ...t, quota: { gpus: 1, memory: '8Gi' }, queue: { clusterQueue: {} } })),
  breaks<T, any>(fc.constantFrom<unknown>('admin', 'Trainer', Persona.VIEWER), 'personas[1]', (t, p) => ({ ...t, personas: [Persona.VIEWER, p], trainer: undefined, modelServer: undefined, pipelineRunner: undefined, members: [] })),
  breaks<T, any>(fc.constantFrom<[Persona, string]>(...rulePersonas), ([, prop]) => prop, (t, [persona, prop]) => ({ ...t, personas: ALL.filter((p) => p !== persona), members: [], [prop]: {} })),
  breaks<T, any>(fc.tuple(fc.constantFrom(...rulePersonas), a.badDnsName), ([[, prop]]) => `${prop}.name`, (t, [[, prop], name]) => ({ ...t, personas: undefined, [prop]: { name } })),
  breaks<T, any>(fc.tuple(fc.constantFrom<'trainer' | 'modelServer' | 'pipelineRunner'>('trainer', 'modelServer', 'pipelineRunner'), a.badSubdomain), ([prop]) => `${prop}.serviceAccountName`, (t, [prop, serviceAccountName]) => ({ ...t, personas: undefined, [prop]: { serviceAccountName } })),
  breaks<T, any>(fc.tuple(fc.constantFrom(...rulePersonas), fc.constantFrom<unknown>(
    { resources: [], verbs: [Verb.GET] }, { resources: [ApiResource.PODS], verbs: [] }, { resources: ['pods'], verbs: [Verb.GET] }, { resources: ['*'], verbs: [Verb.GET] },
    { resources: [ApiResource.PODS], verbs: ['*'] }, { resources: [ApiResource.PODS], verbs: ['escalate'] }, { resources: [ApiResource.SECRETS], verbs: [Verb.LIST] },
    { resources: [ApiResource.POD_LOGS], verbs: [Verb.DELETE] }, { resources: [ApiResource.PODS], verbs: [Verb.LIST], resourceNames: ['a'] }, null, 'get pods',
    { resources: [ApiResource.PODS], verbs: [Verb.GET], resourceNames: 'a' },
  )), ([[, prop]]) => `${prop}.extraRules[0]`, (t, [[, prop], r]) => ({ ...t, personas: undefined, [prop]: { extraRules: [r] } })),
  breaks<T, any>(a.dnsSubdomain, 'modelServer.serviceAccountName', (t, sa) => ({ ...t, personas: undefined, trainer: { serviceAccountName: sa }, modelServer: { serviceAccountName: sa } })),
  breaks<T, any>(fc.constantFrom<unknown>('alice', { kind: 'User', name: 'alice' }, undefined), 'members[0].subject', (t, subject) => ({ ...t, members: [{ subject, persona: Persona.VIEWER }], personas: undefined })),
  breaks<T, any>(fc.constantFrom<unknown>('admin', undefined, Persona.TRAINER), 'members[0].persona', (t, persona) => ({ ...t, personas: [Persona.VIEWER], trainer: undefined, modelServer: undefined, pipelineRunner: undefined, members: [{ subject: Subject.user('alice'), persona }] })),
  breaks<T, any>(fc.constantFrom<unknown>('alice', { subject: 'x' }), 'members', setT('members')),
  breaks<T, any>(fc.constantFrom<unknown>('trainer', Persona.TRAINER), 'personas', setT('personas')),
  breaks<T, any>(a.badLabels, 'queue.clusterQueue.flavor.nodeLabels', (t, nodeLabels) => ({ ...t, quota: { gpus: 1, cpu: 4, memory: '8Gi' }, queue: { clusterQueue: { flavor: { name: 'f', nodeLabels } } } })),
  breaks<T, any>(fc.constantFrom<unknown>({ key: 'bad key', operator: 'Exists' }, { key: 'k', operator: 'Maybe' }), 'queue.clusterQueue.flavor.tolerations', (t, tol) => ({ ...t, quota: { gpus: 1, cpu: 4, memory: '8Gi' }, queue: { clusterQueue: { flavor: { name: 'f', tolerations: [tol] } } } })),
  breaks<T, any>(a.badSubdomain, 'queue.clusterQueue.flavor.name', (t, name) => ({ ...t, quota: { gpus: 1, cpu: 4, memory: '8Gi' }, queue: { clusterQueue: { flavor: { name } } } })),
  breaks<T, any>(a.badSubdomain, 'queue.clusterQueue.cohort', (t, cohort) => ({ ...t, quota: { gpus: 1, cpu: 4, memory: '8Gi' }, queue: { clusterQueue: { cohort } } })),
);

/** Every field of a team a user writes a value into; `.*` is a map whose keys and values are hostile too. */
const hostile = hostileProps<T>([
  'name', 'namespaces', 'quota', 'quota.gpus', 'quota.cpu', 'quota.memory', 'quota.storage', 'quota.pods', 'quota.jobs', 'quota.loadBalancers',
  'quota.accelerators', 'limitDefaults', 'limitDefaults.cpu', 'kueue', 'queue', 'personas', 'trainer', 'trainer.serviceAccountName', 'modelServer',
  'pipelineRunner', 'viewer', 'members', 'podSecurityVersion',
], a.hostileValue, a.hostileKey);

describe('MlRbac properties', () => {
  const checker = new ValidChecker();

  test('valid teams (with workloads placed in them) synthesize into valid, restricted, covered manifests', () => {
    fc.assert(fc.property(validCase, (c) => {
      const objects = checker.check(synthCase(c));
      expect(objects.filter((o) => o.kind === 'Namespace').length).toBeGreaterThanOrEqual(c.teams.length);
    }), params(160));
  });

  test('a team with one broken field is refused, naming MlRbac, the team and the prop', () => {
    fc.assert(fc.property(validCase, breakages, (c, b) => {
      const teams = [b.apply(c.teams[0]), ...c.teams.slice(1)];
      expectRefused(() => {
        const chart = new Chart(Testing.app(), 'test');
        synthCase({ ...c, teams, workloads: false })(chart);
        Testing.synth(chart);
      }, `MlRbac '${c.id}'`, `teams[0].${b.prop}`);
    }), params(1000));
  });

  test('a hostile value in any field of a team is refused naming it, or synthesizes valid manifests', () => {
    fc.assert(fc.property(validCase, hostile, (c, h) => {
      const teams = [h.apply(c.teams[0]), ...c.teams.slice(1)];
      expectRefusedOrValid(checker, undefined, synthCase({ ...c, teams }), `MlRbac '${c.id}'`, `teams[0].${h.prop}`);
    }), params(200));
  });

  test('teams that clash are refused', () => {
    fc.assert(fc.property(validCase.filter((c) => c.teams.length >= 2), fc.constantFrom('name', 'namespace'), (c, clash) => {
      const [first, second] = c.teams;
      const teams = clash === 'name' ? [first, { ...second, name: first.name }] : [first, { ...second, namespaces: [(first.namespaces ?? [first.name])[0]] }];
      expectRefused(() => new MlRbac(new Chart(Testing.app(), 'test'), c.id, { teams }), `MlRbac '${c.id}'`, clash === 'name' ? 'teams[1].name' : 'teams[1].namespaces[0]');
    }), params(100));
  });

  test('broken subjects are refused by the factory', () => {
    fc.assert(fc.property(fc.constantFrom('', ' alice', 'system:admin', 'bob '), fc.boolean(), (name, user) => {
      expectRefused(() => (user ? Subject.user(name) : Subject.group(name)), user ? 'Subject.user' : 'Subject.group', 'name');
    }), params(50));
  });
});
