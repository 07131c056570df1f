import { readdirSync } from 'fs';
import { App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { exampleModules } from '../examples';
import { build } from '../examples/platform';
import {
  AccessMode, Accelerator, ArtifactStore, BackendStore, ClaimPurpose, DeployPhase, FeatureStore, GpuTrainingJob, MlflowPlatform, MlRbac,
  MlStorage, ModelServer, OnlineStore, orderForDeployment, Registry, SecretValue, ServingRuntime, SYNC_WAVE_ANNOTATION,
  VolumeClaim,
} from '../lib';
import { selectorMatches } from './support/objects';
import { checkLibraryDefaults, checkRestricted, isDnsRule, KUBE_DNS_EGRESS, podSpecsOf, uncoveredPods, validateObjects } from './support/validate';

function synthPlatform(): any[] {
  const app = Testing.app();
  build(app);
  return app.charts.flatMap((chart) => Testing.synth(chart));
}

const objects = synthPlatform();

/** A group of pods: the workload that makes them, its namespace and the labels every pod has. */
interface PodGroup {
  readonly id: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

const pods: PodGroup[] = objects.flatMap((obj) => podSpecsOf(obj).map((pod) => ({
  id: `${obj.metadata.namespace}/${obj.metadata.name}`,
  namespace: obj.metadata.namespace,
  labels: { ...pod.controllerLabels, ...pod.metadata?.labels },
})));
const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
const policiesOf = (pod: PodGroup) => policies.filter((p) => p.metadata.namespace === pod.namespace && selectorMatches(p.spec.podSelector, pod.labels));

type Ports = 'all' | Set<string>;
const portsOf = (rule: any): Ports => (rule.ports === undefined ? 'all' : new Set(rule.ports.map((p: any) => `${p.port}${p.protocol === 'UDP' ? '/udp' : ''}`)));
const union = (a: Ports, b: Ports): Ports => (a === 'all' || b === 'all' ? 'all' : new Set([...a, ...b]));
const intersect = (a: Ports, b: Ports): Ports => (a === 'all' ? b : b === 'all' ? a : new Set([...a].filter((p) => b.has(p))));
const show = (ports: Ports): string[] => (ports === 'all' ? ['*'] : [...ports].sort());

/** Whether a `from`/`to` peer of a policy in `policyNamespace` selects `pod`. */
function peerSelects(peer: any, policyNamespace: string, pod: PodGroup): boolean {
  if (peer.ipBlock) return false;
  const namespace = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': pod.namespace })
    : pod.namespace === policyNamespace;
  return namespace && selectorMatches(peer.podSelector ?? {}, pod.labels);
}

const platformNamespaces = new Set(pods.map((p) => p.namespace));
/** A peer in a namespace the platform does not run pods in (Prometheus, istiod, an ingress controller). */
const outside = (peer: any): boolean => peer.namespaceSelector !== undefined
  && !platformNamespaces.has(peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name']);
/** `ns:<namespace>` for every pod of a namespace, `<namespace>/<labels>` for some of them. */
const external = (peer: any): string => {
  const ns = peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name'];
  const labels = Object.entries(peer.podSelector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return labels ? `${ns}/${labels}` : `ns:${ns}`;
};

/** The ports `direction` rules of the policies selecting `pod` open towards (or from) `other`. */
function openPorts(pod: PodGroup, direction: 'ingress' | 'egress', other: PodGroup): Ports {
  let ports: Ports = new Set();
  for (const policy of policiesOf(pod)) {
    for (const rule of policy.spec[direction] ?? []) {
      const peers = rule[direction === 'ingress' ? 'from' : 'to'];
      if (peers === undefined || peers.some((peer: any) => peerSelects(peer, policy.metadata.namespace, other))) ports = union(ports, portsOf(rule));
    }
  }
  return ports;
}

/**
 * Every path the NetworkPolicies open: pod to pod (egress of the client AND ingress of the server), from other
 * namespaces (namespaceSelector only) and to or from addresses (ipBlock). DNS egress is checked separately.
 */
function allowedEdges(): string[] {
  const edges = new Set<string>();
  for (const client of pods) {
    for (const server of pods) {
      const ports = intersect(openPorts(client, 'egress', server), openPorts(server, 'ingress', client));
      for (const port of show(ports)) edges.add(`${client.id} -> ${server.id}:${port}`);
    }
  }
  for (const pod of pods) {
    for (const policy of policiesOf(pod)) {
      for (const rule of policy.spec.ingress ?? []) {
        for (const peer of rule.from ?? []) {
          const from = peer.ipBlock ? peer.ipBlock.cidr : outside(peer) ? external(peer) : undefined;
          if (from !== undefined) for (const port of show(portsOf(rule))) edges.add(`${from} -> ${pod.id}:${port}`);
        }
      }
      for (const rule of (policy.spec.egress ?? []).filter((r: any) => !isDnsRule(r))) {
        for (const peer of rule.to ?? []) {
          const to = peer.ipBlock ? peer.ipBlock.cidr : outside(peer) ? external(peer) : undefined;
          if (to !== undefined) for (const port of show(portsOf(rule))) edges.add(`${pod.id} -> ${to}:${port}`);
        }
      }
    }
  }
  return [...edges].sort();
}

describe('examples/platform', () => {
  test('composes all seven constructs in the platform, monitoring and team namespaces', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    // MlRbac, MlStorage, MlflowPlatform, FeatureStore, ModelServer, GpuTrainingJob (CronJob), DistributedTraining (Job).
    for (const kind of ['Namespace', 'ClusterQueue', 'StorageClass', 'PersistentVolumeClaim', 'StatefulSet', 'Deployment', 'VirtualService', 'CronJob', 'Job']) {
      expect(kinds).toContain(kind);
    }
    const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
    expect(namespaces).toEqual(['mlops-platform', 'vision', 'recsys']);
    expect(namespaces.every((ns) => objects.find((o) => o.kind === 'Namespace' && o.metadata.name === ns).metadata.labels['pod-security.kubernetes.io/enforce'] === 'restricted')).toBe(true);
    // Every namespaced object is in a namespace the app creates.
    const clusterScoped = ['Namespace', 'StorageClass', 'ClusterQueue', 'ResourceFlavor'];
    const strays = objects.filter((o) => !clusterScoped.includes(o.kind) && !namespaces.includes(o.metadata.namespace));
    expect(strays.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  test('every object validates against the Kubernetes 1.27 and CRD schemas, with no unknown field', () => {
    expect(validateObjects(objects)).toEqual([]);
  });

  test('every pod meets Pod Security "restricted" and the library defaults', () => {
    expect(checkRestricted(objects)).toEqual([]);
    expect(checkLibraryDefaults(objects)).toEqual([]);
  });

  test('wiring reaches the workloads: tracking URI, feature server URL, team accounts and queues, claims', () => {
    const envOf = (kind: string, name: string) => {
      const obj = objects.find((o) => o.kind === kind && o.metadata.name === name);
      return Object.fromEntries(podSpecsOf(obj)[0].spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    };
    const tracking = 'http://mlflow.mlops-platform.svc:5000';
    for (const [kind, name] of [['Job', 'resnet-ddp'], ['CronJob', 'resnet-finetune'], ['Deployment', 'classifier'], ['CronJob', 'ranker-train'], ['Deployment', 'ranker-v1'], ['Deployment', 'ranker-v2']]) {
      expect(envOf(kind, name).MLFLOW_TRACKING_URI).toBe(tracking);
    }
    expect(envOf('Deployment', 'ranker-v1').FEAST_FEATURE_SERVER_URL).toBe('http://features.recsys.svc:6566');
    expect(envOf('Deployment', 'ranker-v2').FEAST_FEATURE_SERVER_URL).toBe('http://features.recsys.svc:6566');
    expect(envOf('CronJob', 'ranker-train').FEAST_FEATURE_SERVER_URL).toBeUndefined();
    expect(envOf('Deployment', 'recommendations-api').RANKER_URL).toBe('http://ranker.recsys.svc:8501');
    // The API calls the A/B ranker through its Istio sidecar, which applies the 80/20 split.
    const injected = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name).spec.template.metadata.labels['sidecar.istio.io/inject'];
    expect(['recommendations-api', 'ranker-v1', 'ranker-v2'].map(injected)).toEqual(['true', 'true', 'true']);
    expect(injected('classifier')).toBeUndefined();

    const podOf = (kind: string, name: string) => podSpecsOf(objects.find((o) => o.kind === kind && o.metadata.name === name))[0];
    const train = podOf('Job', 'resnet-ddp');
    expect(train.spec.serviceAccountName).toBe('vision-trainer');
    expect(train.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('vision');
    expect(train.spec.volumes.map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean)).toEqual(['imagenet', 'vision-models', 'vision-checkpoints']);
    const server = podOf('Deployment', 'classifier');
    expect(server.spec.serviceAccountName).toBe('vision-model-server');
    // Servers are not admitted through the team's batch queue.
    expect(server.metadata.labels['kueue.x-k8s.io/queue-name']).toBeUndefined();
    expect(server.spec.volumes.find((v: any) => v.persistentVolumeClaim)?.persistentVolumeClaim.claimName).toBe('vision-models');
  });

  test('every LocalQueue submits to a ClusterQueue of the platform; the platform team has none', () => {
    const clusterQueues = objects.filter((o) => o.kind === 'ClusterQueue').map((o) => o.metadata.name);
    const localQueues = objects.filter((o) => o.kind === 'LocalQueue');
    expect(localQueues.map((q) => `${q.metadata.namespace}/${q.metadata.name}`).sort()).toEqual(['recsys/recsys', 'vision/vision']);
    for (const queue of localQueues) expect(clusterQueues).toContain(queue.spec.clusterQueue);
  });

  describe('network isolation derived from the wiring', () => {
    test('every pod is selected by a NetworkPolicy of its own, besides the namespace default-deny', () => {
      expect(uncoveredPods(objects)).toEqual([]);
      const withoutOwn = pods.filter((pod) => !policiesOf(pod).some((p) => p.metadata.name !== 'default-deny'));
      expect(withoutOwn.map((p) => p.id)).toEqual([]);
    });

    test('every pod may resolve names at the cluster DNS pods only (not any address on port 53), and nothing else outside the opened paths', () => {
      for (const pod of pods) {
        const dns = policiesOf(pod).some((p) => (p.spec.egress ?? []).some((r: any) => JSON.stringify(r) === JSON.stringify(KUBE_DNS_EGRESS)));
        expect([pod.id, dns]).toEqual([pod.id, true]);
      }
      // Every policy's first egress rule is the DNS one, and no rule is without peers: nothing is open to every
      // destination or source, DNS included.
      expect(policies.filter((p) => JSON.stringify(p.spec.egress[0]) !== JSON.stringify(KUBE_DNS_EGRESS)).map((p) => p.metadata.name)).toEqual([]);
      const open = policies.flatMap((p) => [...(p.spec.ingress ?? []).filter((r: any) => r.from === undefined), ...(p.spec.egress ?? []).filter((r: any) => r.to === undefined)]);
      expect(open).toEqual([]);
    });

    test('every pod selector of a rule inside the platform selects its pods (no rule opens a path to nothing)', () => {
      const dangling = policies.flatMap((policy) => [...(policy.spec.ingress ?? []).flatMap((r: any) => r.from ?? []), ...(policy.spec.egress ?? []).flatMap((r: any) => r.to ?? [])]
        .filter((peer: any) => peer.podSelector && !outside(peer) && !pods.some((pod) => peerSelects(peer, policy.metadata.namespace, pod)))
        .map((peer: any) => `${policy.metadata.namespace}/${policy.metadata.name}: ${JSON.stringify(peer)}`));
      expect(dangling).toEqual([]);
    });

    test('the policies open exactly the paths the wiring created, plus the metrics scraper and the mesh', () => {
      const mlflowClients = ['vision/resnet-ddp', 'vision/resnet-finetune', 'vision/classifier', 'recsys/ranker-train', 'recsys/ranker-v1', 'recsys/ranker-v2'];
      expect(allowedEdges()).toEqual([
        // MLflow's own components: server and migration to PostgreSQL, server and bucket Job to MinIO.
        'mlops-platform/mlflow -> mlops-platform/mlflow-minio:9000',
        'mlops-platform/mlflow -> mlops-platform/mlflow-postgres:5432',
        'mlops-platform/mlflow-db-upgrade-v3-16-1-full-168f5c01 -> mlops-platform/mlflow-postgres:5432',
        'mlops-platform/mlflow-minio-bucket -> mlops-platform/mlflow-minio:9000',
        // The metrics scraper: MLflow's port, Triton's metrics port, TF Serving's REST port (metrics path).
        'ns:mlops-monitoring -> mlops-platform/mlflow:5000',
        'ns:mlops-monitoring -> recsys/ranker-v1:8501',
        'ns:mlops-monitoring -> recsys/ranker-v2:8501',
        'ns:mlops-monitoring -> vision/classifier:8002',
        // Feast's own components reach Redis.
        'recsys/features -> recsys/features-redis:6379',
        'recsys/features-apply -> recsys/features-redis:6379',
        'recsys/features-materialize -> recsys/features-redis:6379',
        // The A/B split runs in the Istio mesh: the variants' sidecars reach istiod.
        'recsys/ranker-v1 -> istio-system/app=istiod:15012',
        'recsys/ranker-v2 -> istio-system/app=istiod:15012',
        // ranker.connect(api): the API's sidecar applies the split (istiod), to both variants' serving ports.
        'recsys/recommendations-api -> istio-system/app=istiod:15012',
        'recsys/recommendations-api -> recsys/ranker-v1:8500',
        'recsys/recommendations-api -> recsys/ranker-v1:8501',
        'recsys/recommendations-api -> recsys/ranker-v2:8500',
        'recsys/recommendations-api -> recsys/ranker-v2:8501',
        // The API is exposed through the ingress controller and reads online features.
        'ns:ingress-nginx -> recsys/recommendations-api:8000',
        'recsys/recommendations-api -> recsys/features:6566',
        // features.connect(ranker): both variants.
        'recsys/ranker-v1 -> recsys/features:6566',
        'recsys/ranker-v2 -> recsys/features:6566',
        // mlflow.connect(...) of every training run and server.
        ...mlflowClients.map((c) => `${c} -> mlops-platform/mlflow:5000`),
        // The distributed run's pods talk to each other on every port (NCCL).
        'vision/resnet-ddp -> vision/resnet-ddp:*',
      ].sort());
    });

    test('paths the wiring did not create are closed', () => {
      const edges = allowedEdges();
      for (const closed of [
        'vision/resnet-ddp -> mlops-platform/mlflow-postgres:5432', // only MLflow reaches its database
        'recsys/ranker-train -> recsys/features:6566', // not connected to the feature store
        'vision/classifier -> recsys/features:6566', // another team's feature store
        'recsys/ranker-v1 -> recsys/features-redis:6379', // clients use the feature server, not Redis
        'vision/resnet-finetune -> vision/resnet-ddp:*', // a run's peers are its own pods
        'vision/classifier -> recsys/ranker-v1:8501', // servers are not wired to each other
        'recsys/ranker-v1 -> recsys/recommendations-api:8000', // a connection is one-way
        'recsys/features -> recsys/ranker-v1:8501',
      ]) {
        expect(edges).not.toContain(closed);
      }
    });
  });

  describe('object ordering', () => {
    const wave = (o: any) => Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);
    const phaseOf = (kind: string, name: string) => wave(objects.find((o) => o.kind === kind && o.metadata.name === name));

    test('every object has an Argo CD sync wave, and the YAML lists them wave by wave for kubectl apply', () => {
      expect(objects.filter((o) => Number.isNaN(wave(o))).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
      const waves = objects.map(wave);
      expect(waves).toEqual([...waves].sort((a, b) => a - b));
    });

    test('namespaces first, stores before setup Jobs, setup Jobs before servers, custom resources and runs last', () => {
      expect(objects.slice(0, 3).map((o) => o.kind)).toEqual(['Namespace', 'Namespace', 'Namespace']);
      expect(phaseOf('Namespace', 'vision')).toBe(DeployPhase.NAMESPACES);
      expect(phaseOf('PersistentVolumeClaim', 'imagenet')).toBe(DeployPhase.FOUNDATION);
      expect(phaseOf('NetworkPolicy', 'default-deny')).toBe(DeployPhase.FOUNDATION);
      expect(phaseOf('StatefulSet', 'mlflow-postgres')).toBe(DeployPhase.STORES);
      expect(phaseOf('Job', 'mlflow-db-upgrade-v3-16-1-full-168f5c01')).toBe(DeployPhase.SETUP);
      expect(phaseOf('Job', 'mlflow-minio-bucket')).toBe(DeployPhase.SETUP);
      expect(phaseOf('Job', 'features-apply')).toBe(DeployPhase.SETUP);
      expect(phaseOf('Deployment', 'mlflow')).toBe(DeployPhase.SERVERS);
      expect(phaseOf('LocalQueue', 'vision')).toBe(DeployPhase.CUSTOM_RESOURCES);
      expect(phaseOf('VirtualService', 'ranker')).toBe(DeployPhase.CUSTOM_RESOURCES);
      expect(phaseOf('Job', 'resnet-ddp')).toBe(DeployPhase.RUNS);
      expect(phaseOf('CronJob', 'ranker-train')).toBe(DeployPhase.RUNS);
      const index = (kind: string, name: string) => objects.findIndex((o) => o.kind === kind && o.metadata.name === name);
      expect(index('Job', 'mlflow-db-upgrade-v3-16-1-full-168f5c01')).toBeLessThan(index('Deployment', 'mlflow'));
      expect(index('StatefulSet', 'mlflow-postgres')).toBeLessThan(index('Job', 'mlflow-db-upgrade-v3-16-1-full-168f5c01'));
    });

    test('ordering again, on the whole app, changes nothing and keeps the charts independent (file names stay)', () => {
      const app = Testing.app();
      build(app);
      new Chart(app, 'other', { namespace: 'other' });
      orderForDeployment(app);
      const again = app.charts.filter((c) => c.node.id === 'platform').flatMap((chart) => Testing.synth(chart));
      expect(again).toEqual(objects);
      app.synth();
      expect(readdirSync(app.outdir).sort()).toEqual(['other.k8s.yaml', 'platform.k8s.yaml']);
    });
  });
});

describe('orderForDeployment on every example', () => {
  // Each example is an app of its own (several define the same team or server as alternatives).
  const apps = exampleModules().map((example) => {
    const app = Testing.app();
    example.build(app);
    orderForDeployment(app);
    return app;
  });
  const charts = apps.flatMap((app) => app.charts).map((chart) => ({ id: chart.node.id, objects: Testing.synth(chart) }));
  const waveOf = (o: any) => Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);

  test('ten thousand objects in one chart: ordered without walking every path or overflowing the stack', () => {
    const chart = new Chart(Testing.app(), 'big');
    for (let i = 0; i < 5000; i++) {
      new k8s.KubeJob(chart, `job-${i}`, { metadata: { name: `job-${i}` }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1' }] } } } });
      new k8s.KubeConfigMap(chart, `config-${i}`, { metadata: { name: `config-${i}` } });
    }
    orderForDeployment(chart);
    const objects = Testing.synth(chart);
    expect(objects).toHaveLength(10000);
    // Every ConfigMap (foundation) before every Job (runs), each phase in construct order.
    expect(objects[0].metadata.name).toBe('config-0');
    expect(objects[4999].metadata.name).toBe('config-4999');
    expect(objects[5000].metadata.name).toBe('job-0');
    expect(objects[9999].metadata.name).toBe('job-4999');
  });

  test('every chart lists its objects wave by wave', () => {
    for (const chart of charts) {
      const waves = chart.objects.map(waveOf);
      expect([chart.id, waves]).toEqual([chart.id, [...waves].sort((a, b) => a - b)]);
    }
  });

  test('each kind is in its phase: training custom resources run last, other custom resources before them', () => {
    const phases = new Map<string, Set<number>>();
    for (const o of charts.flatMap((c) => c.objects)) phases.set(o.kind, new Set([...(phases.get(o.kind) ?? []), waveOf(o)]));
    const expected: Record<string, DeployPhase[]> = {
      Namespace: [DeployPhase.NAMESPACES],
      StorageClass: [DeployPhase.FOUNDATION],
      PersistentVolume: [DeployPhase.FOUNDATION],
      Role: [DeployPhase.FOUNDATION],
      Service: [DeployPhase.FOUNDATION],
      StatefulSet: [DeployPhase.STORES],
      Deployment: [DeployPhase.SERVERS],
      Ingress: [DeployPhase.SERVERS],
      InferenceService: [DeployPhase.CUSTOM_RESOURCES],
      ServiceMonitor: [DeployPhase.CUSTOM_RESOURCES],
      VirtualService: [DeployPhase.CUSTOM_RESOURCES],
      LocalQueue: [DeployPhase.CUSTOM_RESOURCES],
      CronJob: [DeployPhase.RUNS],
      Job: [DeployPhase.SETUP, DeployPhase.RUNS],
      JobSet: [DeployPhase.RUNS],
      PyTorchJob: [DeployPhase.RUNS],
      MPIJob: [DeployPhase.RUNS],
    };
    for (const [kind, waves] of Object.entries(expected)) expect([kind, [...(phases.get(kind) ?? [])].sort()]).toEqual([kind, waves.sort()]);
  });
});

describe('wiring is uniform across services', () => {
  function setup() {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    const other = new Chart(app, 'other');
    const mlflow = new MlflowPlatform(chart, 'mlflow', {
      backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') }),
      artifactStore: ArtifactStore.minio({ bucket: 'artifacts', rootUser: SecretValue.fromSecret('m', 'u'), rootPassword: SecretValue.fromSecret('m', 'p') }),
    });
    const features = new FeatureStore(chart, 'features', {
      registry: Registry.file(VolumeClaim.fromClaimName('registry', { accessModes: [AccessMode.READ_WRITE_MANY] })),
      onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('redis', 'password') }),
    });
    const server = new ModelServer(chart, 'server', { runtime: ServingRuntime.triton() });
    const job = new GpuTrainingJob(chart, 'train', { image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', accelerator: Accelerator.nvidiaGpu(1) });
    const stray = new GpuTrainingJob(other, 'stray', { image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime' });
    return { chart, mlflow, features, server, job, stray };
  }

  test('every service is connected the same way and gives the workload its URL', () => {
    const { chart, mlflow, features, server, job } = setup();
    for (const service of [mlflow, features, server]) service.connect(job);
    const env = podSpecsOf(Testing.synth(chart).find((o) => o.kind === 'Job' && o.metadata.name === 'train'))[0].spec.containers[0].env;
    expect(env.map((e: any) => [e.name, e.value])).toEqual(expect.arrayContaining([
      ['MLFLOW_TRACKING_URI', mlflow.url], ['FEAST_FEATURE_SERVER_URL', features.url], ['MODEL_SERVER_URL', server.url],
    ]));
    expect(mlflow.url).toBe('http://mlflow.ml.svc:5000');
  });

  test.each([['MlflowPlatform', 'mlflow'], ['FeatureStore', 'features'], ['ModelServer', 'server']] as const)('%s refuses to connect a workload twice', (construct, key) => {
    const services = setup();
    services[key].connect(services.job);
    expect(() => services[key].connect(services.job)).toThrow(new RegExp(`^${construct} '${key}': 'connect.workload' must be connected only once, got 'train'$`));
  });

  test.each([['MlflowPlatform', 'mlflow'], ['FeatureStore', 'features'], ['ModelServer', 'server']] as const)('%s refuses a workload whose namespace is unknown', (construct, key) => {
    const services = setup();
    expect(() => services[key].connect(services.stray)).toThrow(new RegExp(`^${construct} '${key}': 'connect.workload' must have a namespace when the server's differs \\(server: 'ml'\\).*, got 'stray'$`));
  });

  test('a server cannot be connected to itself', () => {
    const { server } = setup();
    expect(() => server.connect(server)).toThrow(/^ModelServer 'server': 'connect.workload' must be another workload than the service itself, got 'server'$/);
  });

  test('a service refuses something that is not a workload', () => {
    const { features } = setup();
    expect(() => features.connect({} as any)).toThrow(/^FeatureStore 'features': 'connect.workload' must be a workload construct \(GpuTrainingJob, DistributedTraining, ModelServer\.\.\.\), got /);
  });

  test('MlStorage and MlflowPlatform take a team: its namespace, and no other', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    const team = new MlRbac(chart, 'rbac').addTeam({ name: 'vision', quota: { gpus: 1 } });
    const storage = new MlStorage(chart, 'storage', { team });
    expect(storage.namespace).toBe('vision');
    expect(storage.addClaim('data', { purpose: ClaimPurpose.DATASET, size: '1Gi' }).namespace).toBe('vision');
    const stores = {
      backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') }),
      artifactStore: ArtifactStore.minio({ bucket: 'artifacts', rootUser: SecretValue.fromSecret('m', 'u'), rootPassword: SecretValue.fromSecret('m', 'p') }),
    };
    expect(new MlflowPlatform(chart, 'mlflow', { team, ...stores }).namespace).toBe('vision');
    expect(() => new MlStorage(chart, 'elsewhere', { team, namespace: 'other' })).toThrow(/^MlStorage 'elsewhere': 'namespace' must be the team's namespace 'vision' \(or be left out\), got 'other'$/);
    expect(() => new MlflowPlatform(chart, 'mlflow2', { team, namespace: 'other', ...stores })).toThrow(/^MlflowPlatform 'mlflow2': 'namespace' must be the team's namespace 'vision' \(or be left out\), got 'other'$/);
    expect(() => new MlStorage(chart, 'no-team', { team: null as any })).toThrow(/^MlStorage 'no-team': 'team' must be a team made with MlRbac.addTeam\(\.\.\.\), got nothing$/);
  });
});
