import * as fs from 'fs';
import * as path from 'path';
import {
  checkLibraryDefaults,
  checkRestricted,
  expectValidManifests,
  podSpecsOf,
  registerSchema,
  uncoveredPods,
  validateObjects,
} from './support/validate';

// Objects are built by hand as plain JSON, the way Testing.synth() returns them.

const hardenedSecurityContext = () => ({
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});

const container = (overrides: Record<string, any> = {}): any => ({
  name: 'app',
  image: 'ghcr.io/example/app:1.2.3',
  resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  securityContext: hardenedSecurityContext(),
  ...overrides,
});

const deployment = (): any => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ml', labels: { 'app.kubernetes.io/name': 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [container({ ports: [{ containerPort: 8080, name: 'http' }] })] },
    },
  },
});

/** A Pod that meets the restricted profile, with the pod-level settings on the pod. */
const pod = (): any => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'trainer', namespace: 'ml', labels: { app: 'trainer' } },
  spec: {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', image: 'ghcr.io/example/app:1.2.3', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  },
});

const replica = (replicas: number): any => ({
  replicas,
  restartPolicy: 'OnFailure',
  template: { metadata: { labels: { app: 'bert' } }, spec: { containers: [container({ name: 'pytorch' })] } },
});

const pyTorchJob = (): any => ({
  apiVersion: 'kubeflow.org/v1',
  kind: 'PyTorchJob',
  metadata: { name: 'bert', namespace: 'ml' },
  spec: { pytorchReplicaSpecs: { Master: replica(1), Worker: replica(2) } },
});

const inferenceService = (): any => ({
  apiVersion: 'serving.kserve.io/v1beta1',
  kind: 'InferenceService',
  metadata: { name: 'iris', namespace: 'ml' },
  spec: {
    predictor: {
      minReplicas: 1,
      labels: { app: 'iris' },
      model: {
        modelFormat: { name: 'sklearn' },
        storageUri: 's3://models/iris',
        resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } },
        securityContext: hardenedSecurityContext(),
      },
    },
  },
});

const networkPolicy = (name: string, podSelector: any, namespace = 'ml'): any => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec: { podSelector, policyTypes: ['Ingress'] },
});

describe('validateObjects', () => {
  test('a valid Deployment passes', () => {
    expect(validateObjects([deployment()])).toEqual([]);
  });

  test('an unknown field is reported with its path', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].foo = 'bar';
    d.spec.replica = 3;
    expect(validateObjects([d])).toEqual([
      'Deployment/ml/web: spec.replica: unknown field',
      'Deployment/ml/web: spec.template.spec.containers[0].foo: unknown field',
    ]);
  });

  test('an unknown field in metadata is reported', () => {
    const d = deployment();
    d.metadata.label = { app: 'web' };
    expect(validateObjects([d])).toEqual(['Deployment/ml/web: metadata.label: unknown field']);
  });

  test('a wrong type is reported, null included', () => {
    const d = deployment();
    d.spec.replicas = '2';
    d.spec.template.spec.containers[0].ports[0].containerPort = null;
    expect(validateObjects([d])).toEqual([
      'Deployment/ml/web: spec.replicas: must be integer, got "2"',
      'Deployment/ml/web: spec.template.spec.containers[0].ports[0].containerPort: must be integer, got null',
    ]);
  });

  test('a wrong enum value and a malformed quantity are reported', () => {
    const d = deployment();
    d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
    d.spec.template.spec.containers[0].resources.limits.memory = '512MB';
    const errors = validateObjects([d]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/containers\[0\]\.imagePullPolicy: must be one of "Always", "Never", "IfNotPresent", got "Sometimes"$/);
    expect(errors[1]).toMatch(/containers\[0\]\.resources\.limits\.memory: must match pattern .*, got "512MB"$/);
  });

  test('a missing required field is reported', () => {
    const d = deployment();
    delete d.spec.template.spec.containers[0].name;
    delete d.spec.selector;
    expect(validateObjects([d])).toEqual(expect.arrayContaining([
      'Deployment/ml/web: spec.selector: required field is missing',
      'Deployment/ml/web: spec.template.spec.containers[0].name: required field is missing',
    ]));
  });

  test('an int-or-string port passes as a number and as a name, and fails as anything else', () => {
    const service = (targetPort: unknown): any => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'ml' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort }] },
    });
    expect([service(8080), service('http')].flatMap((s) => validateObjects([s]))).toEqual([]);
    expect(validateObjects([service(true)])).toEqual([
      'Service/ml/web: spec.ports[0].targetPort: must be integer or string, got true',
    ]);

    // The same in a CRD, where it is written as x-kubernetes-int-or-string.
    const job = (port: unknown) => {
      const j = pyTorchJob();
      const [worker] = j.spec.pytorchReplicaSpecs.Worker.template.spec.containers;
      worker.ports = [{ name: 'metrics', containerPort: 9090 }];
      worker.livenessProbe = { httpGet: { path: '/healthz', port } };
      return j;
    };
    expect([job(8080), job('metrics')].flatMap((j) => validateObjects([j]))).toEqual([]);
    expect(validateObjects([job(8080.5)])).toEqual([
      'PyTorchJob/ml/bert: spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].livenessProbe.httpGet.port: must be integer or string, got 8080.5',
    ]);
  });

  test('a valid Kubeflow PyTorchJob passes; unknown fields fail, metadata included', () => {
    expect(validateObjects([pyTorchJob()])).toEqual([]);

    const job = pyTorchJob();
    job.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].foo = 1;
    job.spec.pytorchReplicaSpecs.Worker.template.metadata.generateName = 'w-';
    job.spec.elastic = true;
    job.metadata.foo = 'bar';
    expect(validateObjects([job])).toEqual([
      'PyTorchJob/ml/bert: metadata.foo: unknown field',
      'PyTorchJob/ml/bert: spec.elastic: unknown field',
      'PyTorchJob/ml/bert: spec.pytorchReplicaSpecs.Worker.template.metadata.generateName: unknown field',
      'PyTorchJob/ml/bert: spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].foo: unknown field',
    ]);
  });

  test('a missing required field of a CRD is reported', () => {
    const job = pyTorchJob();
    delete job.spec.pytorchReplicaSpecs;
    expect(validateObjects([job])).toEqual(['PyTorchJob/ml/bert: spec.pytorchReplicaSpecs: required field is missing']);
  });

  test('duplicate keys in a list-type=map list are reported', () => {
    const job = pyTorchJob();
    job.spec.pytorchReplicaSpecs.Master.template.spec.containers[0].env = [{ name: 'A', value: '1' }, { name: 'A', value: '2' }];
    expect(validateObjects([job])).toEqual([
      'PyTorchJob/ml/bert: spec.pytorchReplicaSpecs.Master.template.spec.containers[0].env[1]: duplicate entry: another entry has the same name',
    ]);
  });

  test('a valid KServe InferenceService passes and an unknown field in the model fails', () => {
    expect(validateObjects([inferenceService()])).toEqual([]);
    const isvc = inferenceService();
    isvc.spec.predictor.model.modelFormat.flavour = 'x';
    expect(validateObjects([isvc])).toEqual(['InferenceService/ml/iris: spec.predictor.model.modelFormat.flavour: unknown field']);
  });

  test('validators are cached: validating the big KServe CRD again is fast', () => {
    validateObjects([inferenceService()]);
    const start = Date.now();
    for (let i = 0; i < 10; i++) validateObjects([inferenceService()]);
    expect(Date.now() - start).toBeLessThan(500);
  });

  test('Istio oneOf rules are checked without rejecting valid objects', () => {
    const virtualService = (uri: any): any => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'web', namespace: 'ml' },
      spec: {
        hosts: ['web.ml.svc.cluster.local'],
        http: [{ match: [{ uri }], route: [{ destination: { host: 'web', port: { number: 8080 } } }] }],
      },
    });
    expect(validateObjects([virtualService({ prefix: '/v1' })])).toEqual([]);
    expect(validateObjects([virtualService({ prefix: '/v1', exact: '/v1' })])).toContainEqual(
      expect.stringMatching(/^VirtualService\/ml\/web: spec\.http\[0\]\.match\[0\]\.uri: must match exactly one schema in oneOf/),
    );
  });

  test('an unknown kind or version is reported', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    const oldJob = { ...pyTorchJob(), apiVersion: 'kubeflow.org/v2' };
    expect(validateObjects([widget, oldJob])).toEqual([
      'Widget/w: no schema for example.com/v1/Widget',
      'PyTorchJob/ml/bert: no schema for kubeflow.org/v2/PyTorchJob',
    ]);
  });

  test('registerSchema supplies a schema, made strict like a CRD', () => {
    const policy = {
      apiVersion: 'policy.example.com/v1',
      kind: 'AccessPolicy',
      metadata: { name: 'deny-all', namespace: 'ml' },
      spec: { selector: { matchLabels: { app: 'web' } }, action: 'DENY' },
    };
    expect(validateObjects([policy])).toEqual(['AccessPolicy/ml/deny-all: no schema for policy.example.com/v1/AccessPolicy']);

    registerSchema('policy.example.com/v1', 'AccessPolicy', {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            selector: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector' },
            action: { type: 'string', enum: ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] },
          },
        },
      },
    });
    expect(validateObjects([policy])).toEqual([]);
    expect(validateObjects([{ ...policy, spec: { action: 'DENY', rulez: [] }, metadata: { ...policy.metadata, nmae: 'x' } }])).toEqual([
      'AccessPolicy/ml/deny-all: metadata.nmae: unknown field',
      'AccessPolicy/ml/deny-all: spec.rulez: unknown field',
    ]);
  });

  test('a Job needs restartPolicy OnFailure or Never', () => {
    const job = (restartPolicy?: string): any => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'train', namespace: 'ml' },
      spec: { template: { spec: { restartPolicy, containers: [container()] } } },
    });
    expect([job('Never'), job('OnFailure')].flatMap((j) => validateObjects([j]))).toEqual([]);
    expect([job('Always'), job()].flatMap((j) => validateObjects([j]))).toEqual([
      'Job/ml/train: spec.template.spec.restartPolicy: a Job\'s pods need OnFailure or Never (got "Always")',
      'Job/ml/train: spec.template.spec.restartPolicy: a Job\'s pods need OnFailure or Never (got undefined)',
    ]);
  });

  test('names, labels and selectors are checked like the apiserver does', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: '1-web', namespace: 'ml' }, spec: { ports: [{ port: 80 }] } };
    const d = deployment();
    d.metadata.labels['app.kubernetes.io/version'] = 'v1 beta';
    d.spec.selector.matchLabels.app = 'api';
    expect(validateObjects([service, d])).toEqual([
      'Service/ml/1-web: metadata.name: must be a DNS-1035 label (a-z, 0-9, "-", starting with a letter, at most 63 characters) (got "1-web")',
      'Deployment/ml/web: metadata.labels["app.kubernetes.io/version"]: invalid label value "v1 beta": at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric',
      'Deployment/ml/web: spec.selector: does not select the labels of spec.template.metadata.labels',
    ]);
  });

  test('the schemas come from the repository: every vendored file is listed, with its provenance', () => {
    const dir = path.resolve(__dirname, '../schemas');
    const vendored = JSON.parse(fs.readFileSync(path.join(dir, 'vendored.json'), 'utf8'));
    const onDisk = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') || (f.endsWith('.json') && f !== 'vendored.json'));
    expect(onDisk.sort()).toEqual([...vendored.files].sort());
    const sources = fs.readFileSync(path.join(dir, 'SOURCES.md'), 'utf8');
    for (const file of vendored.files) {
      const row = sources.split('\n').find((line: string) => line.startsWith(`| ${file} |`));
      expect(row).toBeDefined();
      // The byte count recorded with the upstream tag is the file's: an edited copy would no longer match.
      expect(Number(row!.split('|')[2].trim())).toBe(fs.statSync(path.join(dir, file)).size);
    }
    for (const file of Object.values<string>(vendored.imports)) expect(vendored.files).toContain(file);
  });
});

describe('podSpecsOf', () => {
  test('finds the pod specs of built-in workloads', () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { containers: [container()] } } } } },
    };
    expect(podSpecsOf(pod()).map((p) => p.path)).toEqual(['spec']);
    expect(podSpecsOf(deployment()).map((p) => p.path)).toEqual(['spec.template.spec']);
    expect(podSpecsOf(cronJob).map((p) => p.path)).toEqual(['spec.jobTemplate.spec.template.spec']);
    expect(podSpecsOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} })).toEqual([]);
  });

  test('finds the pod specs of Kubeflow jobs, JobSets and InferenceServices', () => {
    const jobSet = {
      apiVersion: 'jobset.x-k8s.io/v1alpha2',
      kind: 'JobSet',
      metadata: { name: 'llm' },
      spec: { replicatedJobs: [{ name: 'workers', template: { spec: { template: { spec: { containers: [container()] } } } } }] },
    };
    const isvc = inferenceService();
    isvc.spec.transformer = { containers: [container()] };

    expect(podSpecsOf(pyTorchJob()).map((p) => [p.path, p.controllerLabels?.['training.kubeflow.org/replica-type']])).toEqual([
      ['spec.pytorchReplicaSpecs.Master.template.spec', 'master'],
      ['spec.pytorchReplicaSpecs.Worker.template.spec', 'worker'],
    ]);
    expect(podSpecsOf(jobSet).map((p) => p.path)).toEqual(['spec.replicatedJobs[0].template.spec.template.spec']);
    const isvcPods = podSpecsOf(isvc);
    expect(isvcPods.map((p) => p.path)).toEqual(['spec.predictor', 'spec.transformer']);
    expect(isvcPods[0].metadata.labels).toEqual({ app: 'iris' });
    expect(isvcPods[0].spec.model.storageUri).toBe('s3://models/iris');
  });
});

describe('checkRestricted', () => {
  test('a compliant pod passes, with pod-level or container-level settings', () => {
    const perContainer = pod();
    delete perContainer.spec.securityContext;
    Object.assign(perContainer.spec.containers[0].securityContext, { runAsNonRoot: true, seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } });
    expect(checkRestricted([pod(), perContainer, deployment(), pyTorchJob(), inferenceService()])).toEqual([]);
  });

  test('values the profile allows pass', () => {
    const p = pod();
    p.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' };
    p.spec.securityContext.sysctls = [{ name: 'net.ipv4.ip_local_reserved_ports', value: '8080' }];
    p.spec.securityContext.seLinuxOptions = { type: 'container_t', level: 's0:c1,c2' };
    p.spec.volumes = [{ name: 'cache', emptyDir: {} }, { name: 'data', persistentVolumeClaim: { claimName: 'data' } }, { name: 'cfg', configMap: { name: 'cfg' } }];
    p.spec.containers[0].securityContext.capabilities.add = ['NET_BIND_SERVICE'];
    p.spec.containers[0].ports = [{ containerPort: 80 }];
    expect(checkRestricted([p])).toEqual([]);
  });

  test('a privileged, root, hostPath pod fails with each rule named', () => {
    const p = pod();
    p.spec.containers[0].securityContext.privileged = true;
    p.spec.securityContext.runAsUser = 0;
    p.spec.volumes = [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }];
    expect(checkRestricted([p])).toEqual([
      'Pod/ml/trainer: spec.volumes[0]: [hostPathVolumes] hostPath volume "docker" is not allowed',
      'Pod/ml/trainer: spec.securityContext: [runAsUser] runAsUser must not be 0 (root)',
      'Pod/ml/trainer: spec.containers[0] (container "app"): [privileged] securityContext.privileged must not be true',
    ]);
  });

  test.each<[string, (spec: any, c: any, metadata: any) => void]>([
    ['hostNamespaces', (spec) => { spec.hostNetwork = true; }],
    ['hostNamespaces', (spec) => { spec.hostPID = true; }],
    ['hostNamespaces', (spec) => { spec.hostIPC = true; }],
    ['privileged', (_spec, c) => { c.securityContext.privileged = true; }],
    ['allowPrivilegeEscalation', (_spec, c) => { delete c.securityContext.allowPrivilegeEscalation; }],
    ['capabilities_restricted', (_spec, c) => { c.securityContext.capabilities.drop = ['NET_RAW']; }],
    ['capabilities_restricted', (_spec, c) => { c.securityContext.capabilities.add = ['SYS_ADMIN']; }],
    ['hostPathVolumes', (spec) => { spec.volumes = [{ name: 'h', hostPath: { path: '/' } }]; }],
    ['restrictedVolumes', (spec) => { spec.volumes = [{ name: 'n', nfs: { server: 'nfs', path: '/' } }]; }],
    ['hostPorts', (_spec, c) => { c.ports = [{ containerPort: 80, hostPort: 80 }]; }],
    ['appArmorProfile', (_spec, _c, metadata) => { metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' }; }],
    ['seLinuxOptions', (_spec, c) => { c.securityContext.seLinuxOptions = { type: 'spc_t' }; }],
    ['seLinuxOptions', (spec) => { spec.securityContext.seLinuxOptions = { user: 'system_u' }; }],
    ['procMount', (_spec, c) => { c.securityContext.procMount = 'Unmasked'; }],
    ['seccompProfile_restricted', (spec) => { spec.securityContext.seccompProfile.type = 'Unconfined'; }],
    ['seccompProfile_restricted', (spec) => { delete spec.securityContext.seccompProfile; }],
    ['sysctls', (spec) => { spec.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '65536' }]; }],
    ['runAsNonRoot', (spec) => { delete spec.securityContext.runAsNonRoot; }],
    ['runAsNonRoot', (_spec, c) => { c.securityContext.runAsNonRoot = false; }],
    ['runAsUser', (_spec, c) => { c.securityContext.runAsUser = 0; }],
    ['windowsHostProcess', (_spec, c) => { c.securityContext.windowsOptions = { hostProcess: true }; }],
  ])('%s is enforced', (rule, mutate) => {
    const p = pod();
    mutate(p.spec, p.spec.containers[0], p.metadata);
    const errors = checkRestricted([p]);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toContain(`[${rule}]`);
  });

  test('init and ephemeral containers are checked too', () => {
    const p = pod();
    p.spec.initContainers = [{ name: 'init', image: 'busybox:1.36' }];
    p.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: true } }];
    expect(checkRestricted([p])).toEqual([
      'Pod/ml/trainer: spec.initContainers[0] (container "init"): [allowPrivilegeEscalation] securityContext.allowPrivilegeEscalation must be false',
      'Pod/ml/trainer: spec.initContainers[0] (container "init"): [capabilities_restricted] securityContext.capabilities.drop must include ALL',
      'Pod/ml/trainer: spec.ephemeralContainers[0] (container "debug"): [privileged] securityContext.privileged must not be true',
    ]);
  });

  test('the KServe model container and ServingRuntime containers are checked', () => {
    const isvc = inferenceService();
    delete isvc.spec.predictor.model.securityContext;
    const runtime = {
      apiVersion: 'serving.kserve.io/v1alpha1',
      kind: 'ServingRuntime',
      metadata: { name: 'sklearn', namespace: 'ml' },
      // No runAsNonRoot or seccompProfile: the InferenceService pod supplies them.
      spec: { containers: [{ name: 'kserve-container', image: 'kserve/sklearnserver:v0.14.1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsUser: 0 } }] },
    };
    expect(checkRestricted([isvc, runtime])).toEqual([
      'InferenceService/ml/iris: spec.predictor.model (container "model"): [allowPrivilegeEscalation] securityContext.allowPrivilegeEscalation must be false',
      'InferenceService/ml/iris: spec.predictor.model (container "model"): [capabilities_restricted] securityContext.capabilities.drop must include ALL',
      'InferenceService/ml/iris: spec.predictor.model (container "model"): [seccompProfile_restricted] seccompProfile.type must be RuntimeDefault or Localhost on the pod or on every container',
      'InferenceService/ml/iris: spec.predictor.model (container "model"): [runAsNonRoot] runAsNonRoot must be true on the pod or on every container',
      'ServingRuntime/ml/sklearn: spec.containers[0].securityContext (container "kserve-container"): [runAsUser] runAsUser must not be 0 (root)',
    ]);
  });
});

describe('checkLibraryDefaults', () => {
  test('hardened workloads pass', () => {
    expect(checkLibraryDefaults([deployment(), pyTorchJob(), inferenceService()])).toEqual([]);
  });

  test('images need a tag other than latest, or a digest', () => {
    const d = deployment();
    const [app] = d.spec.template.spec.containers;
    d.spec.template.spec.containers = [
      { ...app, name: 'latest', image: 'ghcr.io/example/app:latest' },
      { ...app, name: 'untagged', image: 'localhost:5000/example/app' },
      { ...app, name: 'digest', image: 'ghcr.io/example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' },
    ];
    expect(checkLibraryDefaults([d])).toEqual([
      'Deployment/ml/web: spec.template.spec.containers[0] (container "latest"): [image] image ghcr.io/example/app:latest uses the "latest" tag',
      'Deployment/ml/web: spec.template.spec.containers[1] (container "untagged"): [image] image localhost:5000/example/app has no tag or digest',
    ]);
  });

  test('resources and a read-only root filesystem are required, init containers included', () => {
    const d = deployment();
    d.spec.template.spec.initContainers = [{ name: 'init', image: 'busybox:1.36', resources: { limits: { memory: '64Mi' } } }];
    expect(checkLibraryDefaults([d])).toEqual([
      'Deployment/ml/web: spec.template.spec.initContainers[0] (container "init"): [resources] resources.requests.cpu must be set',
      'Deployment/ml/web: spec.template.spec.initContainers[0] (container "init"): [resources] resources.requests.memory must be set',
      'Deployment/ml/web: spec.template.spec.initContainers[0] (container "init"): [readOnlyRootFilesystem] securityContext.readOnlyRootFilesystem must be true',
    ]);
  });

  test('credentials in URIs and literal secret env values are reported, without echoing the password', () => {
    const d = deployment();
    const [app] = d.spec.template.spec.containers;
    app.env = [
      { name: 'MLFLOW_BACKEND_STORE_URI', value: 'postgresql://mlflow:hunter2@db:5432/mlflow' },
      { name: 'DB_PASSWORD', value: 'hunter2' },
      { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
      { name: 'DB_PASSWORD_FILE', value: '/var/run/secrets/db/password' },
      { name: 'DATABASE_URI', value: 'postgresql://mlflow:$(DB_PASSWORD)@db:5432/mlflow' },
    ];
    app.args = ['--store', 'mysql://root:hunter2@mysql/db'];
    const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'ml' }, data: { 'tracking.uri': 'https://user:hunter2@mlflow.example.com' } };
    const errors = checkLibraryDefaults([d, config]);
    expect(errors).toEqual([
      'Deployment/ml/web: spec.template.spec.containers[0].env[1] (container "app"): [literalCredential] env DB_PASSWORD has a literal value; take it from a Secret (valueFrom.secretKeyRef)',
      'Deployment/ml/web: spec.template.spec.containers[0].env[0].value (container "app"): [credentialsInUri] contains postgresql://mlflow:***@; take the password from a Secret',
      'Deployment/ml/web: spec.template.spec.containers[0].args[1] (container "app"): [credentialsInUri] contains mysql://root:***@; take the password from a Secret',
      'ConfigMap/ml/cfg: data["tracking.uri"]: [credentialsInUri] contains https://user:***@; keep the password in a Secret',
    ]);
    expect(errors.join('\n')).not.toContain('hunter2@');
  });
});

describe('uncoveredPods', () => {
  test('a NetworkPolicy covers pods by labels; unmatched pods are reported', () => {
    const other = deployment();
    other.metadata.name = 'api';
    other.spec.selector.matchLabels = { app: 'api' };
    other.spec.template.metadata.labels = { app: 'api' };
    expect(uncoveredPods([deployment(), other, networkPolicy('web', { matchLabels: { app: 'web' } })])).toEqual([
      'Deployment/ml/api: spec.template.spec: no NetworkPolicy in namespace "ml" selects pods labelled {"app":"api"}',
    ]);
  });

  test('policies only cover pods in their own namespace; an empty selector covers the whole namespace', () => {
    const allInDefault = networkPolicy('default-deny', {}, 'default');
    expect(uncoveredPods([deployment(), allInDefault])).toHaveLength(1);
    expect(uncoveredPods([deployment(), networkPolicy('default-deny', {})])).toEqual([]);
    const unnamespaced = pod();
    delete unnamespaced.metadata.namespace;
    expect(uncoveredPods([unnamespaced, allInDefault])).toEqual([]);
    expect(uncoveredPods([unnamespaced, networkPolicy('deny', {})], 'ml')).toEqual([]);
  });

  test('matchExpressions and controller-added labels are honoured', () => {
    const byExpression = networkPolicy('train', {
      matchExpressions: [
        { key: 'training.kubeflow.org/job-name', operator: 'In', values: ['bert'] },
        { key: 'training.kubeflow.org/replica-type', operator: 'NotIn', values: ['master'] },
        { key: 'app', operator: 'Exists' },
        { key: 'debug', operator: 'DoesNotExist' },
      ],
    });
    expect(uncoveredPods([pyTorchJob(), byExpression])).toEqual([
      'PyTorchJob/ml/bert: spec.pytorchReplicaSpecs.Master.template.spec: no NetworkPolicy in namespace "ml" selects pods labelled '
        + '{"training.kubeflow.org/job-name":"bert","training.kubeflow.org/replica-type":"master","app":"bert"}',
    ]);
  });
});

describe('expectValidManifests', () => {
  test('passes for valid, hardened manifests', () => {
    expect(() => expectValidManifests([deployment(), pyTorchJob(), inferenceService(), networkPolicy('all', {})])).not.toThrow();
  });

  test('fails with the problems of all three checks at once', () => {
    const d = deployment();
    const [app] = d.spec.template.spec.containers;
    app.foo = 1;
    app.securityContext.privileged = true;
    app.image = 'ghcr.io/example/app:latest';
    expect(() => expectValidManifests([d])).toThrow(
      [
        '4 problem(s) in the manifests:',
        '  Deployment/ml/web: spec.template.spec.containers[0].foo: unknown field',
        '  Deployment/ml/web: spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: cannot be false when privileged is true',
        '  Deployment/ml/web: spec.template.spec.containers[0] (container "app"): [privileged] securityContext.privileged must not be true',
        '  Deployment/ml/web: spec.template.spec.containers[0] (container "app"): [image] image ghcr.io/example/app:latest uses the "latest" tag',
      ].join('\n'),
    );
  });
});

test('Go inline flags in CRD patterns are understood (PrometheusRule)', () => {
  const rule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'r', namespace: 'm' },
    spec: { groups: [{ name: 'g', partial_response_strategy: 'WARN', rules: [{ alert: 'A', expr: 'up == 0' }] }] },
  };
  expect(validateObjects([rule])).toEqual([]);
  const bad = { ...rule, spec: { groups: [{ name: 'g', partial_response_strategy: 'never', rules: [] }] } };
  expect(validateObjects([bad]).join('\n')).toMatch(/partial_response_strategy/);
});
