// Platform-level checks: compositions of correct constructs that are wrong together, refused when the app is
// synthesized (cdk8s validations on the app), with messages that name both constructs.
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import {
  Accelerator, ArtifactCredentials, ArtifactStore, Backend, BackendStore, DistributedTraining, Exposure, Framework, GpuTrainingJob, MlflowPlatform, MlRbac, ModelServer,
  Queue, SecretValue, ServiceType, ServingRuntime,
} from '../lib';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';

/** The platform messages of an app (the validations cdk8s runs at synth on the app's root). */
function platformErrors(app: App): string[] {
  return app.node.validate();
}

describe('names unique per kind and namespace across the app', () => {
  test('two jobs named x in one namespace, in two charts: refused at synth, naming both constructs', () => {
    const app = Testing.app();
    new GpuTrainingJob(new Chart(app, 'a', { namespace: 'ml' }), 'x', { image: IMAGE });
    new GpuTrainingJob(new Chart(app, 'b', { namespace: 'ml' }), 'x', { image: IMAGE });
    const errors = platformErrors(app);
    expect(errors).toContain("platform check: Job 'x' in namespace 'ml' is written by GpuTrainingJob 'x' (a/x) and by GpuTrainingJob 'x' (b/x): "
      + 'names must be unique per kind and namespace across the app (applied, the second replaces the first); give one of them another name or namespace');
    // The Job's NetworkPolicy collides too.
    expect(errors.filter((e) => e.includes("NetworkPolicy 'x'"))).toHaveLength(1);
    expect(() => app.synth()).toThrow(/Validation failed[\s\S]*platform check: Job 'x' in namespace 'ml' is written by GpuTrainingJob 'x' \(a\/x\)/);
  });

  test('a job in the chart default namespace and one named in "default" are the same object', () => {
    const app = Testing.app();
    new GpuTrainingJob(new Chart(app, 'a'), 'train', { image: IMAGE });
    new GpuTrainingJob(new Chart(app, 'b'), 'other', { image: IMAGE, name: 'train', namespace: 'default' });
    expect(platformErrors(app)).toContain("platform check: Job 'train' in namespace 'default' is written by GpuTrainingJob 'train' (a/train) and by GpuTrainingJob 'other' (b/other): "
      + 'names must be unique per kind and namespace across the app (applied, the second replaces the first); give one of them another name or namespace');
  });

  test('an object the user adds is named by its construct path', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'a', { namespace: 'ml' });
    new GpuTrainingJob(chart, 'x', { image: IMAGE });
    new k8s.KubeJob(chart, 'mine', { metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } } });
    expect(platformErrors(app)).toEqual([expect.stringContaining("Job 'x' in namespace 'ml' is written by GpuTrainingJob 'x' (a/x) and by a/mine:")]);
  });

  test('cluster-scoped objects are unique whatever the chart namespace: two MlRbac with a team of one name', () => {
    const app = Testing.app();
    new MlRbac(new Chart(app, 'a'), 'rbac', { teams: [{ name: 'vision', quota: { gpus: 1 } }] });
    new MlRbac(new Chart(app, 'b', { namespace: 'other' }), 'rbac', { teams: [{ name: 'vision', quota: { gpus: 1 } }] });
    expect(platformErrors(app)).toContain("platform check: Namespace 'vision' is written by MlRbac 'rbac' (a/rbac) and by MlRbac 'rbac' (b/rbac): "
      + 'names must be unique per kind and namespace across the app (applied, the second replaces the first); give one of them another name or namespace');
  });

  test('good composition: the same names in other namespaces, or of other kinds, pass', () => {
    const app = Testing.app();
    new GpuTrainingJob(new Chart(app, 'a', { namespace: 'ml' }), 'x', { image: IMAGE });
    new GpuTrainingJob(new Chart(app, 'b', { namespace: 'ml-2' }), 'x', { image: IMAGE });
    new k8s.KubeConfigMap(new Chart(app, 'c', { namespace: 'ml' }), 'x', { metadata: { name: 'x' } });
    expect(platformErrors(app)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  test('the checks are registered once per app, however many constructs', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'a', { namespace: 'ml' });
    for (let i = 0; i < 5; i++) new GpuTrainingJob(chart, `job-${i}`, { image: IMAGE });
    new MlRbac(chart, 'rbac', { teams: [{ name: 'vision', quota: { gpus: 1 } }] });
    expect((app.node as any)._validations).toHaveLength(1);
    expect(chart.node.validate()).toEqual([]);
  });
});

describe('reserved namespaces cannot become team namespaces', () => {
  const reason = 'a team namespace is relabelled Pod Security "restricted", gets a default-deny NetworkPolicy (which would cut the cluster DNS in kube-system) '
    + "and lets the team's trainers create Jobs there";
  const rbac = (props: any) => new MlRbac(Testing.chart(), 'rbac', props);

  test.each(['kube-system', 'kube-public', 'kube-node-lease', 'default', 'kube-flannel'])('%s in namespaces', (ns) => {
    expect(() => rbac({ teams: [{ name: 'ops', namespaces: ['ops', ns], quota: { gpus: 0 } }] })).toThrow(
      `MlRbac 'rbac': 'teams[0].namespaces[1]' must not be a system namespace: ${reason} (system namespaces: default, kube-system, kube-public, kube-node-lease, kube-*), got '${ns}'`);
  });

  test('a team named after a system namespace, without namespaces', () => {
    expect(() => rbac({ teams: [{ name: 'default', quota: { gpus: 0 } }] })).toThrow(
      "MlRbac 'rbac': 'teams[0].name' must not name a system namespace (it is the team's namespace when 'namespaces' is not given): "
      + `${reason} (system namespaces: default, kube-system, kube-public, kube-node-lease, kube-*), got 'default'`);
  });

  test('namespaces the user declares as system, also for teams added later', () => {
    const made = rbac({ systemNamespaces: ['istio-system', 'monitoring'] });
    expect(() => made.addTeam({ name: 'obs', namespaces: ['monitoring'], quota: { gpus: 0 } })).toThrow(
      `MlRbac 'rbac': 'teams[0].namespaces[0]' must not be a system namespace: ${reason} (system namespaces: default, kube-system, kube-public, kube-node-lease, kube-*, istio-system, monitoring), got 'monitoring'`);
    expect(() => rbac({ systemNamespaces: ['Istio'] })).toThrow("MlRbac 'rbac': 'systemNamespaces[0]' must be");
    expect(() => rbac({ systemNamespaces: 'istio-system' })).toThrow("MlRbac 'rbac': 'systemNamespaces' must be a list of namespace names, got 'istio-system'");
  });

  test('good composition: team namespaces outside the system ones', () => {
    const made = rbac({ systemNamespaces: ['istio-system'], teams: [{ name: 'vision', namespaces: ['vision', 'kubeflow-vision'], quota: { gpus: 1 } }] });
    expect(made.teams[0].namespaces).toEqual(['vision', 'kubeflow-vision']);
  });
});

describe('quota fit: workloads and Services within their namespace quota and LimitRange', () => {
  const setup = (quota: any = { gpus: 2, cpu: 16, memory: '64Gi' }) => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const team = new MlRbac(chart, 'rbac').addTeam({ name: 'vision', quota });
    return { app, chart, team };
  };
  const rbac = "MlRbac 'rbac' (c/rbac)";

  test('one pod requests more GPUs than the team quota', () => {
    const { app, chart, team } = setup();
    new GpuTrainingJob(chart, 'big', { team, image: IMAGE, accelerator: Accelerator.nvidiaGpu(4) });
    expect(platformErrors(app)).toEqual([
      `platform check: GpuTrainingJob 'big' (c/big): Job 'big' in namespace 'vision' requests 4 nvidia.com/gpu for one of its pods, more than the ResourceQuota 'vision-quota' of ${rbac} `
      + "(requests.nvidia.com/gpu: 2; the team's quota.gpus sets it): the API server refuses the pod",
    ]);
  });

  test('a MIG slice in a team without a MIG quota, and memory above the quota', () => {
    const { app, chart, team } = setup();
    new GpuTrainingJob(chart, 'mig', { team, image: IMAGE, accelerator: Accelerator.mig('1g.10gb'), memory: '128Gi' });
    const errors = platformErrors(app);
    expect(errors).toContainEqual(expect.stringContaining("requests 1 nvidia.com/mig-1g.10gb for one of its pods, more than the ResourceQuota 'vision-quota' of MlRbac 'rbac' (c/rbac) (requests.nvidia.com/mig-1g.10gb: 0; the team's quota.accelerators sets it)"));
    expect(errors).toContainEqual(expect.stringContaining("requests 128Gi memory for one of its pods, more than the ResourceQuota 'vision-quota' of MlRbac 'rbac' (c/rbac) (requests.memory: 64Gi; the team's quota.memory sets it)"));
  });

  test('a distributed run whose pods together exceed the quota (a gang that can never run whole)', () => {
    const { app, chart, team } = setup();
    new DistributedTraining(chart, 'ddp', { team, image: IMAGE, framework: Framework.pytorch(), command: ['python', '/app/train.py'], nodes: 3, accelerator: Accelerator.nvidiaGpu(1), cpu: 2, memory: '8Gi' });
    expect(platformErrors(app)).toEqual([
      `platform check: DistributedTraining 'ddp' (c/ddp): Job 'ddp' in namespace 'vision' runs 3 pods at once that together request 3 nvidia.com/gpu, more than the ResourceQuota 'vision-quota' of ${rbac} `
      + "(requests.nvidia.com/gpu: 2; the team's quota.gpus sets it): they can never all run",
    ]);
  });

  test('a LoadBalancer ModelServer in a team whose quota forbids LoadBalancers (the default)', () => {
    const { app, chart, team } = setup();
    new ModelServer(chart, 'api', { team, runtime: ServingRuntime.triton(), serviceType: ServiceType.LOAD_BALANCER, access: { cidrs: ['10.0.0.0/8'] } });
    expect(platformErrors(app)).toEqual([
      `platform check: ModelServer 'api' (c/api): Service 'api' in namespace 'vision' is a LoadBalancer Service, but the ResourceQuota 'vision-quota' of ${rbac} `
      + "(services.loadbalancers: 0; the team's quota.loadBalancers sets it) allows 0: the API server refuses it",
    ]);
  });

  test('a LoadBalancer also takes node ports: quota.loadBalancers alone is not enough', () => {
    const { app, chart, team } = setup({ gpus: 0, loadBalancers: 1 });
    new MlflowPlatform(chart, 'mlflow', {
      // In the team's namespace, where its trainers create Jobs: the quota is what this test is about.
      allowSecretsInJobNamespace: true,
      team, backendStore: BackendStore.externalPostgres({ host: 'db.example.com', database: 'mlflow', username: 'mlflow', password: SecretValue.fromSecret('db', 'password') }),
      artifactStore: ArtifactStore.s3({ bucket: 'acme-mlflow', credentials: ArtifactCredentials.awsIamRole('arn:aws:iam::123456789012:role/mlflow') }),
      exposure: Exposure.loadBalancer({ sourceRanges: ['10.0.0.0/8'], hosts: ['mlflow.example.com'] }),
    });
    expect(platformErrors(app)).toEqual([expect.stringMatching(
      /^platform check: MlflowPlatform 'mlflow' \(c\/mlflow\): Service 'mlflow' in namespace 'vision' is a LoadBalancer Service with 1 port \(a LoadBalancer Service takes a node port for each of its ports\), which brings its namespace to 1 node ports, but the ResourceQuota 'vision-quota' of MlRbac 'rbac' \(c\/rbac\) \(services.nodeports: 0; the team's quota.nodePorts sets it\) allows 0/,
    )]);
  });

  test('a container with a request above the LimitRange default limit and no limit of its own', () => {
    const { app, chart } = setup();
    new k8s.KubeDeployment(chart, 'mine', {
      metadata: { name: 'mine', namespace: 'vision' },
      spec: {
        selector: { matchLabels: { app: 'mine' } },
        template: { metadata: { labels: { app: 'mine' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: k8s.Quantity.fromString('2') } } }] } },
      },
    });
    expect(platformErrors(app)).toEqual([
      `platform check: c/mine: container 'app' of Deployment 'mine' in namespace 'vision' requests 2 cpu and sets no limit, so it gets the default limit 1 of the LimitRange 'vision-limits' of ${rbac}, below its request: the API server refuses the pod; set the limit`,
    ]);
  });

  test('good composition: workloads within the quota, a LoadBalancer where the quota has room for it', () => {
    const { app, chart, team } = setup({ gpus: 4, cpu: 16, memory: '64Gi', loadBalancers: 1, nodePorts: 3 });
    new GpuTrainingJob(chart, 'train', { team, image: IMAGE, accelerator: Accelerator.nvidiaGpu(4), cpu: 8, memory: '32Gi' });
    new DistributedTraining(chart, 'ddp', { team, image: IMAGE, framework: Framework.pytorch(), command: ['python', '/app/train.py'], nodes: 2, accelerator: Accelerator.nvidiaGpu(2), cpu: 4, memory: '16Gi' });
    new ModelServer(chart, 'api', { team, runtime: ServingRuntime.triton(), serviceType: ServiceType.LOAD_BALANCER, access: { cidrs: ['10.0.0.0/8'] } });
    // Outside team namespaces nothing is limited.
    new GpuTrainingJob(new Chart(app, 'other', { namespace: 'research' }), 'huge', { image: IMAGE, accelerator: Accelerator.nvidiaGpu(8) });
    expect(platformErrors(app)).toEqual([]);
  });
});

describe('Kueue: queues complete, covering and holding what their workloads request; suspended Jobs not queued', () => {
  const GPU_JOB = { image: IMAGE, accelerator: Accelerator.nvidiaGpu(1), cpu: 2, memory: '8Gi' };

  const why = 'Kueue resumes a queued Job as soon as it admits it, so it would not wait for anyone; leave suspend out to let Kueue start it, '
    + 'or run it without a queue (no scheduling.queue, a team with kueue: false) to start it by hand';

  test('a training run meant to wait (suspend) in a Kueue queue: refused at construction, Kueue would resume it', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
    expect(() => new GpuTrainingJob(chart, 'gated', { ...GPU_JOB, suspend: true, scheduling: { queue: Queue.kueue('research') } })).toThrow(
      `GpuTrainingJob 'gated': 'suspend' cannot hold a run queued to Kueue (the LocalQueue 'research'): ${why}, got true`);
    const team = new MlRbac(chart, 'rbac').addTeam({ name: 'vision', quota: { gpus: 8, cpu: 64, memory: '256Gi' } });
    expect(() => new DistributedTraining(chart, 'ddp', { ...GPU_JOB, team, suspend: true, backend: Backend.KUBEFLOW, framework: Framework.pytorch(), command: ['python', '/app/train.py'], nodes: 2 })).toThrow(
      `DistributedTraining 'ddp': 'suspend' cannot hold a run queued to Kueue (the team's LocalQueue 'vision'): ${why}, got true`);
  });

  test('a Job of the user, suspended and queued: refused at synth', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    new k8s.KubeJob(chart, 'gated', {
      metadata: { name: 'gated', labels: { 'kueue.x-k8s.io/queue-name': 'research' } },
      spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    });
    new GpuTrainingJob(chart, 'train', GPU_JOB);
    expect(platformErrors(app)).toEqual([`platform check: c/gated: Job 'gated' in namespace 'ml' is suspended (suspend: true) and queued to the Kueue LocalQueue 'research': ${why}`]);
  });

  test('a workload queued to a LocalQueue its team namespace does not have', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const team = new MlRbac(chart, 'rbac').addTeam({ name: 'vision', quota: { gpus: 8, cpu: 64, memory: '256Gi' } });
    new GpuTrainingJob(chart, 'train', { ...GPU_JOB, team, scheduling: { queue: Queue.kueue('visoin') } });
    expect(platformErrors(app)).toEqual([
      "platform check: GpuTrainingJob 'train' (c/train): Job 'train' in namespace 'vision' is queued to LocalQueue 'visoin', but namespace 'vision' has only 'vision' of MlRbac 'rbac' (c/rbac): "
      + "Kueue would hold it forever; use the team's queue",
    ]);
  });

  test("a team submitting to another team's ClusterQueue, which admits only that team's namespaces", () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new MlRbac(chart, 'rbac', {
      teams: [
        { name: 'vision', quota: { gpus: 8, cpu: 64, memory: '256Gi' }, queue: { clusterQueue: {} } },
        { name: 'nlp', quota: { gpus: 8, cpu: 64, memory: '256Gi' }, queue: { clusterQueueName: 'vision' } },
      ],
    });
    expect(platformErrors(app)).toEqual([
      "platform check: MlRbac 'rbac' (c/rbac): LocalQueue 'nlp' in namespace 'nlp' submits to ClusterQueue 'vision' of MlRbac 'rbac' (c/rbac), whose namespaceSelector does not admit namespace 'nlp': "
      + "Kueue admits none of its workloads; submit to a ClusterQueue of the namespace's team",
    ]);
  });

  test('a ClusterQueue whose flavor the app does not write', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'cq', {
      apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ClusterQueue', metadata: { name: 'shared' },
      spec: { namespaceSelector: {}, resourceGroups: [{ coveredResources: ['cpu'], flavors: [{ name: 'spot', resources: [{ name: 'cpu', nominalQuota: 8 }] }] }] },
    });
    new MlRbac(chart, 'rbac', { teams: [{ name: 'vision', quota: { gpus: 0 }, queue: { clusterQueueName: 'shared' } }] });
    expect(platformErrors(app)).toEqual([
      "platform check: c/cq: ClusterQueue 'shared' names the ResourceFlavor 'spot', which the app does not write: Kueue admits nothing through the ClusterQueue until it exists; add the flavor (a team's queue.clusterQueue.flavor)",
    ]);
  });

  test('a gang above the nominal quota of a ClusterQueue without a cohort', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'flavor', { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: { name: 'a100' } });
    new ApiObject(chart, 'cq', {
      apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ClusterQueue', metadata: { name: 'shared' },
      spec: {
        namespaceSelector: {},
        resourceGroups: [{ coveredResources: ['cpu', 'memory', 'nvidia.com/gpu'], flavors: [{ name: 'a100', resources: [{ name: 'cpu', nominalQuota: 64 }, { name: 'memory', nominalQuota: '256Gi' }, { name: 'nvidia.com/gpu', nominalQuota: 2 }] }] }],
      },
    });
    const team = new MlRbac(chart, 'rbac').addTeam({ name: 'vision', quota: { gpus: 8, cpu: 64, memory: '256Gi' }, queue: { clusterQueueName: 'shared' } });
    new DistributedTraining(chart, 'ddp', { ...GPU_JOB, team, framework: Framework.pytorch(), command: ['python', '/app/train.py'], nodes: 2, accelerator: Accelerator.nvidiaGpu(2) });
    expect(platformErrors(app)).toEqual([
      "platform check: DistributedTraining 'ddp' (c/ddp): Job 'ddp' in namespace 'vision' requests 4 nvidia.com/gpu for all its pods at once, but its LocalQueue 'vision' submits to ClusterQueue 'shared' of c/cq, "
      + 'whose nominal quota is 2 and which has no cohort to borrow from: Kueue never admits it',
    ]);
  });

  test('a device the ClusterQueue does not cover', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    // The ResourceQuota of each namespace allows 8 GPUs; the ClusterQueue's nominal quota is the same 8, for the team.
    const team = new MlRbac(chart, 'rbac').addTeam({
      name: 'vision', quota: { gpus: 8, cpu: 64, memory: '256Gi', accelerators: [{ accelerator: Accelerator.amdGpu(), count: 2 }] },
      queue: { clusterQueue: {} },
    });
    new DistributedTraining(chart, 'ddp', { ...GPU_JOB, team, framework: Framework.pytorch(), command: ['python', '/app/train.py'], nodes: 2, accelerator: Accelerator.nvidiaGpu(4) });
    new GpuTrainingJob(chart, 'mig', { ...GPU_JOB, team, accelerator: Accelerator.mig('1g.10gb') });
    const errors = platformErrors(app);
    expect(errors).toContain("platform check: GpuTrainingJob 'mig' (c/mig): Job 'mig' in namespace 'vision' requests nvidia.com/mig-1g.10gb, but its LocalQueue 'vision' submits to ClusterQueue 'vision' of MlRbac 'rbac' (c/rbac), "
      + 'which does not cover nvidia.com/mig-1g.10gb: Kueue never admits it; give the team a quota for it (quota.gpus or quota.accelerators)');
    expect(errors.filter((e) => e.includes("DistributedTraining 'ddp'"))).toEqual([]);
  });

  test('good composition: queued workloads within their ClusterQueue, suspended Jobs without a queue', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const team = new MlRbac(chart, 'rbac').addTeam({ name: 'vision', quota: { gpus: 8, cpu: 64, memory: '256Gi' }, queue: { clusterQueue: {} } });
    new DistributedTraining(chart, 'ddp', { ...GPU_JOB, team, framework: Framework.pytorch(), command: ['python', '/app/train.py'], nodes: 2, accelerator: Accelerator.nvidiaGpu(4) });
    new GpuTrainingJob(new Chart(app, 'manual', { namespace: 'ml' }), 'gated', { ...GPU_JOB, suspend: true });
    expect(platformErrors(app)).toEqual([]);
  });
});

describe('connect() between teams only with acrossTeams', () => {
  const setup = () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const rbac = new MlRbac(chart, 'rbac');
    const platformTeam = rbac.addTeam({ name: 'platform', namespaces: ['mlops-platform'], quota: { gpus: 0 }, kueue: false });
    const vision = rbac.addTeam({ name: 'vision', quota: { gpus: 4, cpu: 64, memory: '256Gi' } });
    const server = new ModelServer(chart, 'embeddings', { team: platformTeam, runtime: ServingRuntime.triton() });
    const job = new GpuTrainingJob(chart, 'train', { team: vision, image: IMAGE, accelerator: Accelerator.nvidiaGpu(1), cpu: 2, memory: '8Gi' });
    return { app, chart, server, job, vision };
  };

  test("a workload of one team connected to another team's service", () => {
    const { app, server, job } = setup();
    server.connect(job);
    expect(platformErrors(app)).toEqual([
      "platform check: GpuTrainingJob 'train' (c/train) of team 'vision' (namespace 'vision') is connected to ModelServer 'embeddings' (c/embeddings) of team 'platform' (namespace 'mlops-platform'): "
      + "connect() hands it the service's URL and credentials and opens a network path between the two teams' namespaces, which tenancy keeps apart; pass { acrossTeams: true } to connect() if it is meant",
    ]);
    expect(() => server.connect(job, { acrossTeams: 'yes' as any })).toThrow("ModelServer 'embeddings': 'connect.acrossTeams' must be true or false, got 'yes'");
  });

  test('good composition: acknowledged with acrossTeams, or within one team', () => {
    const { app, chart, server, job, vision } = setup();
    server.connect(job, { acrossTeams: true });
    const visionServer = new ModelServer(chart, 'ranker', { team: vision, runtime: ServingRuntime.triton() });
    visionServer.connect(job);
    expect(platformErrors(app)).toEqual([]);
  });
});

describe('an A/B or canary split with an Ingress', () => {
  const variants = [{ name: 'v1', weight: 80 }, { name: 'v2', weight: 20 }];

  test('refused: the ingress controller would send requests to the pods of both variants, ignoring the split', () => {
    expect(() => new ModelServer(Testing.chart(), 'ranker', {
      runtime: ServingRuntime.triton(), variants, ingress: { host: 'ranker.example.com', tlsSecretName: 'ranker-tls' },
    })).toThrow("ModelServer 'ranker': 'ingress' cannot be combined with variants: the ingress controller sends requests straight to the pods of every variant, ignoring the 80/20 split the mesh applies; "
      + 'expose the server through an Istio Gateway (a VirtualService of yours bound to it) or through a caller in the mesh (a ModelServer with an Ingress that connect()s to this one)');
  });

  test('good composition: the split behind a caller in the mesh that has the Ingress', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    const ranker = new ModelServer(chart, 'ranker', { runtime: ServingRuntime.triton(), variants });
    const api = new ModelServer(chart, 'api', { runtime: ServingRuntime.triton(), ingress: { host: 'api.example.com', tlsSecretName: 'api-tls' } });
    ranker.connect(api);
    expect(platformErrors(app)).toEqual([]);
    expect(Testing.synth(chart).filter((o) => o.kind === 'Ingress').map((o) => o.metadata.name)).toEqual(['api']);
  });
});
