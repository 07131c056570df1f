// Network hardening (#15): DNS only to the cluster DNS pods, a `cidr` option on every egress that would otherwise go
// to 0.0.0.0/0, and one strict CIDR rule.
import { App, Chart, Testing } from 'cdk8s';
import {
  Accelerator, ArtifactCredentials, ArtifactStore, Backend, BackendStore, ClusterDns, DistributedTraining, FeatureStore, Framework,
  GpuTrainingJob, MlflowPlatform, MlRbac, ModelServer, ModelSource, OfflineStore, OnlineStore, Registry, SecretValue, ServingBackend,
  ServingRuntime, VolumeClaim, AccessMode, Schedule,
} from '../lib';
import { Validator } from '../lib/core/errors';
import { validateCidr } from '../lib/core/validation';
import { expectValidManifests, KUBE_DNS_EGRESS } from './support/validate';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';
const dnsOf = (objects: any[], name: string) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name).spec.egress[0];
const egressOf = (objects: any[], name: string) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name).spec.egress.slice(1);
const NODE_LOCAL = {
  ports: KUBE_DNS_EGRESS.ports,
  to: [...KUBE_DNS_EGRESS.to, { ipBlock: { cidr: '169.254.20.10/32' } }],
};

describe('DNS egress goes to the cluster DNS pods only', () => {
  test('by default: kube-dns in kube-system, UDP and TCP 53, never every address', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
    new GpuTrainingJob(chart, 'train', { image: IMAGE });
    const objects = Testing.synth(chart);
    expect(dnsOf(objects, 'train')).toEqual(KUBE_DNS_EGRESS);
    expectValidManifests(objects);
  });

  test('ClusterDns.use on the app: NodeLocal DNSCache, set after the workloads were added', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    new GpuTrainingJob(chart, 'train', { image: IMAGE });
    ClusterDns.use(app, ClusterDns.nodeLocalCache());
    expect(dnsOf(Testing.synth(chart), 'train')).toEqual(NODE_LOCAL);
  });

  test('the nearest scope wins; a team\'s clusterDns wins over both in its namespaces', () => {
    const app = Testing.app();
    ClusterDns.use(app, ClusterDns.nodeLocalCache());
    const other = new Chart(app, 'other', { namespace: 'other' });
    ClusterDns.use(other, ClusterDns.kubeDns({ namespace: 'dns', podLabels: { app: 'coredns' }, port: 5353 }));
    new GpuTrainingJob(other, 'train', { image: IMAGE });
    const teams = new Chart(app, 'teams');
    const rbac = new MlRbac(teams, 'rbac', { clusterDns: ClusterDns.addresses(['10.96.0.10/32']) });
    const vision = rbac.addTeam({ name: 'vision', quota: { gpus: 4 } });
    const nlp = rbac.addTeam({ name: 'nlp', quota: { gpus: 4 }, clusterDns: ClusterDns.nodeLocalCache({ serviceIp: '10.96.0.10' }) });
    const work = new Chart(app, 'work');
    new GpuTrainingJob(work, 'v', { image: IMAGE, team: vision });
    new GpuTrainingJob(work, 'n', { image: IMAGE, team: nlp });
    new GpuTrainingJob(new Chart(app, 'plain', { namespace: 'plain' }), 'p', { image: IMAGE });

    expect(dnsOf(Testing.synth(other), 'train')).toEqual({
      ports: [{ port: 5353, protocol: 'UDP' }, { port: 5353, protocol: 'TCP' }],
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } }, podSelector: { matchLabels: { app: 'coredns' } } }],
    });
    const addresses = { ports: KUBE_DNS_EGRESS.ports, to: [{ ipBlock: { cidr: '10.96.0.10/32' } }] };
    const teamObjects = Testing.synth(teams);
    expect(teamObjects.filter((o) => o.kind === 'NetworkPolicy').map((p) => [p.metadata.namespace, p.spec.egress[0]])).toEqual([
      ['vision', addresses],
      ['nlp', { ports: KUBE_DNS_EGRESS.ports, to: [...NODE_LOCAL.to, { ipBlock: { cidr: '10.96.0.10/32' } }] }],
    ]);
    const workObjects = Testing.synth(work);
    expect(dnsOf(workObjects, 'v')).toEqual(addresses);
    expect(dnsOf(workObjects, 'n').to).toHaveLength(3);
    expect(dnsOf(Testing.synth(app.node.findChild('plain') as Chart), 'p')).toEqual(NODE_LOCAL);
    expectValidManifests([...teamObjects, ...workObjects]);
  });

  test('two different DNS settings for one namespace are refused, naming both', () => {
    const app = new App();
    const a = new MlRbac(new Chart(app, 'a'), 'a', { teams: [{ name: 'x', namespaces: ['shared'], quota: { gpus: 1 }, clusterDns: ClusterDns.nodeLocalCache() }] });
    expect(a.teams).toHaveLength(1);
    expect(() => new MlRbac(new Chart(app, 'b'), 'b', { teams: [{ name: 'y', namespaces: ['shared'], quota: { gpus: 1 }, clusterDns: ClusterDns.kubeDns() }] }))
      .toThrow(/^MlRbac 'b': 'teams\[0\]\.clusterDns' must match the DNS team 'x' set for namespace 'shared', got /);
  });

  test.each([
    ['a NodeLocal address that is not an IPv4 address', () => ClusterDns.nodeLocalCache({ address: '169.254.20.010' }),
      "ClusterDns.nodeLocalCache: 'address' must be an IPv4 address: four numbers from 0 to 255 without leading zeros, such as '169.254.20.10', got '169.254.20.010'"],
    ['a service IP with a prefix', () => ClusterDns.nodeLocalCache({ serviceIp: '10.96.0.10/32' }),
      "ClusterDns.nodeLocalCache: 'serviceIp' must be an IPv4 address: four numbers from 0 to 255 without leading zeros, such as '169.254.20.10', got '10.96.0.10/32'"],
    ['DNS pods selected by no label', () => ClusterDns.kubeDns({ podLabels: {} }),
      "ClusterDns.kubeDns: 'podLabels' must select the DNS pods (at least one label), got {}"],
    ['a DNS namespace that is no namespace name', () => ClusterDns.kubeDns({ namespace: 'Kube_System' }), /^ClusterDns.kubeDns: 'namespace' must be a DNS-1123 label.*got 'Kube_System'$/],
    ['a DNS port out of range', () => ClusterDns.kubeDns({ port: 0 }), /^ClusterDns.kubeDns: 'port' must be .*got 0$/],
    ['DNS servers at every address', () => ClusterDns.addresses(['0.0.0.0/0']),
      "ClusterDns.addresses: 'cidrs[0]' must not admit every address (DNS would then reach any server), got '0.0.0.0/0'"],
    ['no DNS server at all', () => ClusterDns.addresses([]), "ClusterDns.addresses: 'cidrs' must list at least one IPv4 range, got []"],
    ['a DNS range with host bits', () => ClusterDns.addresses(['10.96.0.10/16']),
      "ClusterDns.addresses: 'cidrs[0]' must have no address bits beyond its /16 prefix: '10.96.0.0/16' for the range, or '10.96.0.10/32' for the one address, got '10.96.0.10/16'"],
    ['a setting that is not a ClusterDns', () => ClusterDns.use(new App(), { _rule: {} } as any),
      "ClusterDns.use: 'dns' must be made with ClusterDns.kubeDns(), nodeLocalCache() or addresses(), got {\"_rule\":{}}"],
    ['a scope that is not a construct', () => ClusterDns.use('app' as any, ClusterDns.kubeDns()),
      "ClusterDns.use: 'scope' must be a construct (an App or a Chart), got 'app'"],
    ['an MlRbac clusterDns that is a string', () => new MlRbac(new Chart(new App(), 'c'), 'rbac', { clusterDns: '169.254.20.10' as any }),
      "MlRbac 'rbac': 'clusterDns' must be made with ClusterDns.kubeDns(), nodeLocalCache() or addresses(), got '169.254.20.10'"],
    ['a team clusterDns that is a string', () => new MlRbac(new Chart(new App(), 'c'), 'rbac', { teams: [{ name: 't', quota: { gpus: 1 }, clusterDns: 'kube-dns' as any }] }),
      "MlRbac 'rbac': 'teams[0].clusterDns' must be made with ClusterDns.kubeDns(), nodeLocalCache() or addresses(), got 'kube-dns'"],
  ])('refused: %s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('CIDRs are checked strictly, by one rule', () => {
  const check = (cidr: string) => () => validateCidr(Validator.forFactory('F'), 'cidr', cidr);
  test.each(['0.0.0.0/0', '10.0.0.0/8', '192.168.1.128/25', '1.2.3.4/32', '255.255.255.255/32'])('accepted: %s', (cidr) => {
    expect(check(cidr)()).toBe(cidr);
  });
  test.each(['010.0.0.0/8', '10.0.0.0/08', '256.0.0.0/8', '10.0.0.0/33', '10.0.0.0', ' 10.0.0.0/8', '10.0.0/8', '::/0', '10.0.0.0/-1'])('refused: %s', (cidr) => {
    expect(check(cidr)).toThrow(`F: 'cidr' must be an IPv4 CIDR such as '10.0.0.0/8', got '${cidr}'`);
  });
  test('address bits beyond the prefix: the message gives the range and the single address', () => {
    expect(check('10.1.2.3/8')).toThrow("F: 'cidr' must have no address bits beyond its /8 prefix: '10.0.0.0/8' for the range, or '10.1.2.3/32' for the one address, got '10.1.2.3/8'");
    expect(check('192.168.1.64/25')).toThrow(/'192\.168\.1\.0\/25' for the range/);
  });
});

describe('every egress to 0.0.0.0/0 has a cidr option', () => {
  const PW = SecretValue.fromSecret('pg', 'password');
  const feast = (props: Record<string, unknown>) => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'feast' });
    new FeatureStore(chart, 'features', {
      registry: Registry.file(VolumeClaim.fromClaimName('reg', { accessModes: [AccessMode.READ_WRITE_MANY] })),
      onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('r', 'password') }),
      materialization: { schedule: Schedule.daily() },
      ...props,
    } as any);
    return Testing.synth(chart);
  };

  test('Feast: the offline PostgreSQL (none before), Snowflake, BigQuery and the S3, GCS and SQL registries', () => {
    const postgres = feast({ offlineStore: OfflineStore.postgres({ host: 'pg.example.com', database: 'd', user: 'u', password: PW, cidr: '10.30.0.0/16' }) });
    expect(egressOf(postgres, 'features-materialize')).toContainEqual({ to: [{ ipBlock: { cidr: '10.30.0.0/16' } }], ports: [{ port: 5432, protocol: 'TCP' }] });
    expect(JSON.stringify(postgres)).not.toContain('0.0.0.0/0');
    expectValidManifests(postgres);

    const warehouse = feast({
      registry: Registry.sql(SecretValue.fromSecret('reg', 'url'), { port: 3306, cidr: '10.40.0.0/24' }),
      offlineStore: OfflineStore.snowflake({ account: 'a', user: 'u', password: PW, role: 'r', warehouse: 'w', database: 'd', cidr: '10.50.0.0/24' }),
    });
    expect(egressOf(warehouse, 'features-materialize')).toEqual(expect.arrayContaining([
      { to: [{ ipBlock: { cidr: '10.40.0.0/24' } }], ports: [{ port: 3306, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '10.50.0.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] },
    ]));
    // The feature server reads the registry but never the offline store.
    expect(egressOf(warehouse, 'features').filter((r: any) => r.to[0].ipBlock)).toEqual([{ to: [{ ipBlock: { cidr: '10.40.0.0/24' } }], ports: [{ port: 3306, protocol: 'TCP' }] }]);

    const google = feast({
      registry: Registry.gcs('gs://feast/registry.db', { cidr: '199.36.153.8/30' }),
      offlineStore: OfflineStore.bigquery({ dataset: 'features', cidr: '199.36.153.8/30' }),
    });
    // One range: the registry's and the offline store's ports share one rule.
    expect(egressOf(google, 'features-materialize').filter((r: any) => r.to[0].ipBlock)).toEqual([{ to: [{ ipBlock: { cidr: '199.36.153.8/30' } }], ports: [{ port: 443, protocol: 'TCP' }] }]);
    const s3 = feast({ registry: Registry.s3('s3://feast/registry.db', { cidr: '10.60.0.0/16' }) });
    expect(egressOf(s3, 'features')).toContainEqual({ to: [{ ipBlock: { cidr: '10.60.0.0/16' } }], ports: [{ port: 443, protocol: 'TCP' }] });
  });

  test('MLflow: GCS artifacts', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
    new MlflowPlatform(chart, 'mlflow', {
      backendStore: BackendStore.postgres({ password: PW }),
      artifactStore: ArtifactStore.gcs({ bucket: 'acme', credentials: ArtifactCredentials.gkeWorkloadIdentity('mlflow@acme.iam.gserviceaccount.com'), cidr: '199.36.153.8/30' }),
    });
    const objects = Testing.synth(chart);
    expect(egressOf(objects, 'mlflow')).toContainEqual({ to: [{ ipBlock: { cidr: '199.36.153.8/30' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    expect(JSON.stringify(objects)).not.toContain('0.0.0.0/0');
  });

  test('MPI: the launcher\'s path to the API server', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
    new DistributedTraining(chart, 'dist', {
      image: 'horovod/horovod:0.28.1', backend: Backend.KUBEFLOW, framework: Framework.mpi({ apiServerCidr: '172.20.0.1/32' }), accelerator: Accelerator.nvidiaGpu(1), command: ['python', 'train.py'],
    });
    const objects = Testing.synth(chart);
    expect(egressOf(objects, 'dist-launcher')).toEqual([{ to: [{ ipBlock: { cidr: '172.20.0.1/32' } }], ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }] }]);
  });

  test('ModelServer: S3, GCS and HTTPS model downloads, vLLM\'s Hugging Face download, KServe\'s storage initializer', () => {
    const serve = (props: Record<string, unknown>) => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'serving' });
      new ModelServer(chart, 'm', { runtime: ServingRuntime.triton(), ...props } as any);
      return Testing.synth(chart);
    };
    const ranges = (objects: any[]) => egressOf(objects, 'm').map((r: any) => r.to[0].ipBlock?.cidr);
    expect(ranges(serve({ model: ModelSource.s3('s3://m/x', { cidr: '10.1.0.0/16' }) }))).toEqual(['10.1.0.0/16']);
    expect(ranges(serve({ model: ModelSource.gcs('gs://m/x', { cidr: '199.36.153.8/30' }) }))).toEqual(['199.36.153.8/30']);
    expect(ranges(serve({ model: ModelSource.https('https://models.example.com/m.tar.gz', { cidr: '10.2.0.0/24' }) }))).toEqual(['10.2.0.0/24']);
    const vllm = serve({ runtime: ServingRuntime.vllm({ model: 'org/model', downloadCidr: '10.3.0.0/24' }), accelerator: Accelerator.nvidiaGpu(1) });
    expect(ranges(vllm)).toEqual(['10.3.0.0/24']);
    const kserve = serve({ backend: ServingBackend.kserve(), model: ModelSource.s3('s3://m/x', { cidr: '10.4.0.0/16' }) });
    expect(JSON.stringify(kserve)).toContain('"cidr":"10.4.0.0/16"');
    expect(JSON.stringify(kserve)).not.toContain('0.0.0.0/0');
    expectValidManifests(vllm);
  });

  test.each([
    ['OfflineStore.postgres', () => OfflineStore.postgres({ host: 'pg', database: 'd', user: 'u', password: PW, cidr: '10.0.0.1/8' }), "OfflineStore.postgres: 'cidr' must have no address bits beyond its /8 prefix"],
    ['OfflineStore.snowflake', () => OfflineStore.snowflake({ account: 'a', user: 'u', password: PW, role: 'r', warehouse: 'w', database: 'd', cidr: 'any' }), "OfflineStore.snowflake: 'cidr' must be an IPv4 CIDR such as '10.0.0.0/8', got 'any'"],
    ['OfflineStore.bigquery', () => OfflineStore.bigquery({ dataset: 'f', cidr: '300.0.0.0/8' }), "OfflineStore.bigquery: 'cidr' must be an IPv4 CIDR such as '10.0.0.0/8', got '300.0.0.0/8'"],
    ['Registry.s3', () => Registry.s3('s3://feast/r.db', { cidr: '10.0.0.0/40' }), "Registry.s3: 'cidr' must be an IPv4 CIDR such as '10.0.0.0/8', got '10.0.0.0/40'"],
    ['Registry.gcs', () => Registry.gcs('gs://feast/r.db', { cidr: '10.0.0.0' }), "Registry.gcs: 'cidr' must be an IPv4 CIDR such as '10.0.0.0/8', got '10.0.0.0'"],
    ['Registry.sql', () => Registry.sql(PW, { cidr: '01.0.0.0/8' }), "Registry.sql: 'cidr' must be an IPv4 CIDR such as '10.0.0.0/8', got '01.0.0.0/8'"],
    ['ArtifactStore.gcs', () => ArtifactStore.gcs({ bucket: 'acme', credentials: ArtifactCredentials.gkeWorkloadIdentity('mlflow@acme.iam.gserviceaccount.com'), cidr: '199.36.153.9/30' }),
      "ArtifactStore.gcs: 'cidr' must have no address bits beyond its /30 prefix: '199.36.153.8/30' for the range, or '199.36.153.9/32' for the one address, got '199.36.153.9/30'"],
    ['Framework.mpi', () => Framework.mpi({ apiServerCidr: 'kubernetes.default' }), "Framework.mpi: 'apiServerCidr' must be an IPv4 CIDR such as '10.0.0.0/8', got 'kubernetes.default'"],
    ['ModelSource.s3', () => ModelSource.s3('s3://m/x', { cidr: '10.0.0.0/8,10.1.0.0/16' }), "ModelSource.s3: 'cidr' must be an IPv4 CIDR such as '10.0.0.0/8', got '10.0.0.0/8,10.1.0.0/16'"],
    ['ModelSource.gcs', () => ModelSource.gcs('gs://m/x', { cidr: '' }), "ModelSource.gcs: 'cidr' must be an IPv4 CIDR such as '10.0.0.0/8', got ''"],
    ['ModelSource.https', () => ModelSource.https('https://h/m', { cidr: '::/0' }), "ModelSource.https: 'cidr' must be an IPv4 CIDR such as '10.0.0.0/8', got '::/0'"],
    ['ServingRuntime.vllm', () => ServingRuntime.vllm({ model: 'org/m', downloadCidr: '10.0.0.0/8 ' }), "ServingRuntime.vllm: 'downloadCidr' must be an IPv4 CIDR such as '10.0.0.0/8', got '10.0.0.0/8 '"],
  ])('a bad range is refused: %s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
