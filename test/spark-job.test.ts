import { Chart, Duration, Testing } from 'cdk8s';
import {
  AccessMode, Accelerator, ArtifactStore, BackendStore, ConcurrencyPolicy, MlflowPlatform, Queue, Schedule, SecretValue, SparkJob,
  SparkJobProps, SparkLanguage, SparkProgram, Spot, VolumeClaim,
} from '../lib';
import { renderSparkApplication, sparkApplicationManifest } from '../lib/spark/application';
import { Validator } from '../lib/core/errors';
import { fakeTeam } from './property/arbitraries';
import { expectValidManifests, uncoveredPods, validateObjects } from './support/validate';

const IMAGE = 'apache/spark:3.5.5-python3';
const PROGRAM = SparkProgram.python('local:///opt/spark/work/etl.py');

/** `namespace: null` makes a chart without a namespace. */
function synth(props: Partial<SparkJobProps> = {}, id = 'etl', namespace: string | null = 'data') {
  const chart = new Chart(Testing.app(), 'test', namespace === null ? {} : { namespace });
  const job = new SparkJob(chart, id, { image: IMAGE, program: PROGRAM, ...props });
  return { chart, job, objects: Testing.synth(chart) };
}

function find(objects: any[], kind: string, name?: string) {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

const app = (objects: any[]) => find(objects, 'SparkApplication').spec;
const driverPod = (objects: any[]) => app(objects).driver.template.spec;
const executorPod = (objects: any[]) => app(objects).executor.template.spec;

describe('SparkJob', () => {
  test('a PySpark job with the defaults (snapshot)', () => {
    const { objects } = synth();
    expect(objects).toMatchSnapshot();
    expectValidManifests(objects);
    expect(uncoveredPods(objects)).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/etl-spark', 'Role/etl-spark', 'RoleBinding/etl-spark',
      'NetworkPolicy/etl', 'NetworkPolicy/etl-driver', 'NetworkPolicy/etl-executor', 'SparkApplication/etl',
    ]);
  });

  test('the application: cluster mode, pinned image pulled if not present, fixed ports, a day to live', () => {
    const spec = app(synth().objects);
    expect(spec).toMatchObject({
      type: 'Python',
      mode: 'cluster',
      image: IMAGE,
      imagePullPolicy: 'IfNotPresent',
      mainApplicationFile: 'local:///opt/spark/work/etl.py',
      sparkVersion: '3.5.5',
      restartPolicy: { type: 'Never' },
      timeToLiveSeconds: 86400,
      sparkConf: { 'spark.driver.port': '7078', 'spark.driver.blockManager.port': '7079', 'spark.blockManager.port': '7079' },
    });
    expect(spec.executor.instances).toBe(2);
    expect(spec.dynamicAllocation).toBeUndefined();
  });

  test('driver and executor resources: Spark\'s memory overhead is computed, and the templates request what Spark will', () => {
    const { objects } = synth({
      driver: { cores: 2, memory: '4Gi' },
      executor: { instances: 5, cores: 4, cpuLimit: '4500m', memory: '8Gi', memoryOverhead: '2Gi' },
    });
    const spec = app(objects);
    // Python: 40% of the heap.
    expect(spec.driver).toMatchObject({ cores: 2, coreLimit: '2', memory: '4096m', memoryOverhead: '1638m' });
    expect(spec.executor).toMatchObject({ instances: 5, cores: 4, coreLimit: '4500m', memory: '8192m', memoryOverhead: '2048m' });
    expect(driverPod(objects).containers[0].resources).toEqual({ requests: { cpu: '2', memory: '5734Mi' }, limits: { cpu: '2', memory: '5734Mi' } });
    expect(executorPod(objects).containers[0].resources).toEqual({ requests: { cpu: '4', memory: '10240Mi' }, limits: { cpu: '4500m', memory: '10240Mi' } });
    // JVM: 10% of the heap, at least 384 MiB.
    const scala = app(synth({ program: SparkProgram.scala('local:///opt/app/etl.jar', 'com.example.Etl') }).objects);
    expect(scala).toMatchObject({ type: 'Scala', mainClass: 'com.example.Etl', driver: { memoryOverhead: '384m' }, executor: { memoryOverhead: '384m' } });
  });

  test('the pods: restricted, read-only root with a writable /tmp and working directory, a token for the driver only', () => {
    const { objects } = synth();
    for (const [pod, name] of [[driverPod(objects), 'spark-kubernetes-driver'], [executorPod(objects), 'spark-kubernetes-executor']] as const) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 185, runAsGroup: 185, seccompProfile: { type: 'RuntimeDefault' } });
      const c = pod.containers[0];
      expect(c.name).toBe(name);
      expect(c.securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/opt/spark/work-dir']);
    }
    expect(driverPod(objects)).toMatchObject({ automountServiceAccountToken: true, serviceAccountName: 'etl-spark' });
    expect(executorPod(objects).automountServiceAccountToken).toBe(false);
    expect(executorPod(objects).serviceAccountName).toBeUndefined();
    expect(app(objects).driver.serviceAccount).toBe('etl-spark');
  });

  test('the driver\'s ServiceAccount and Role: executor pods, their ConfigMap and Services, nothing else', () => {
    const { objects } = synth();
    expect(find(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(find(objects, 'Role').rules).toEqual([{
      apiGroups: [''],
      resources: ['pods', 'configmaps', 'services'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
    }]);
    expect(find(objects, 'RoleBinding')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'etl-spark' },
      subjects: [{ kind: 'ServiceAccount', name: 'etl-spark', namespace: 'data' }],
    });
    const given = synth({ serviceAccountName: 'spark' }).objects;
    expect(given.filter((o) => ['ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind))).toEqual([]);
    expect(app(given).driver.serviceAccount).toBe('spark');
  });

  test('network: executors reach the driver on 7078/7079, everyone fetches blocks on 7079, only the driver reaches the API', () => {
    const { objects } = synth();
    const driverRole = { 'spark.cdk8s-mlops.io/job': 'etl', 'spark.cdk8s-mlops.io/role': 'driver' };
    const executorRole = { 'spark.cdk8s-mlops.io/job': 'etl', 'spark.cdk8s-mlops.io/role': 'executor' };
    const rules = (name: string, dir: 'ingress' | 'egress') => (find(objects, 'NetworkPolicy', name).spec[dir] ?? [])
      .map((r: any) => ({ peer: (r.from ?? r.to)?.[0].podSelector?.matchLabels ?? (r.from ?? r.to)?.[0].ipBlock?.cidr ?? 'dns', ports: (r.ports ?? []).map((p: any) => p.port) }));
    expect(rules('etl-driver', 'ingress')).toEqual([{ peer: executorRole, ports: [7078, 7079] }]);
    expect(rules('etl-driver', 'egress')).toEqual([
      { peer: { 'k8s-app': 'kube-dns' }, ports: [53, 53] }, { peer: executorRole, ports: [7079] }, { peer: '0.0.0.0/0', ports: [443, 6443] },
    ]);
    expect(rules('etl-executor', 'ingress')).toEqual([{ peer: driverRole, ports: [7079] }, { peer: executorRole, ports: [7079] }]);
    expect(rules('etl-executor', 'egress')).toEqual([
      { peer: { 'k8s-app': 'kube-dns' }, ports: [53, 53] }, { peer: driverRole, ports: [7078, 7079] }, { peer: executorRole, ports: [7079] },
    ]);
    expect(rules('etl', 'ingress')).toEqual([]);
    expect(rules('etl', 'egress')).toEqual([{ peer: { 'k8s-app': 'kube-dns' }, ports: [53, 53] }]);
    expect(driverPod(objects).containers[0].ports).toBeUndefined();
  });

  test('egress and remote dependencies: the listed addresses for every pod, HTTPS for executors that download', () => {
    const { objects } = synth({
      egress: [{ cidr: '10.20.0.0/16', ports: [5432] }],
      dependencies: { jars: ['https://repo.example.com/lib/udfs-1.0.jar'], pyFiles: ['s3a://code/helpers.zip'] },
    });
    expect(app(objects).deps).toEqual({ jars: ['https://repo.example.com/lib/udfs-1.0.jar'], pyFiles: ['s3a://code/helpers.zip'] });
    const cidrs = (name: string) => find(objects, 'NetworkPolicy', name).spec.egress.filter((r: any) => r.to?.[0].ipBlock)
      .map((r: any) => `${r.to[0].ipBlock.cidr}:${r.ports.map((p: any) => p.port).join(',')}`);
    expect(cidrs('etl')).toEqual(['10.20.0.0/16:5432']);
    expect(cidrs('etl-executor')).toEqual(['0.0.0.0/0:443']);
    expect(cidrs('etl-driver')).toEqual(['0.0.0.0/0:443,6443']);
  });

  test('packages: resolved by Ivy in a writable directory', () => {
    const spec = app(synth({ dependencies: { packages: ['io.delta:delta-spark_2.12:3.3.0'], repositories: ['https://maven.example.com/releases'] } }).objects);
    expect(spec.deps).toEqual({ packages: ['io.delta:delta-spark_2.12:3.3.0'], repositories: ['https://maven.example.com/releases'] });
    expect(spec.sparkConf['spark.jars.ivy']).toBe('/tmp/.ivy2');
  });

  test('GPU executors: Spark schedules one GPU per executor and RAPIDS runs the SQL plans on it', () => {
    const { objects } = synth({ executor: { cores: 4, memory: '16Gi', accelerator: Accelerator.nvidiaGpu(1, { product: 'NVIDIA-A10G' }) } });
    expectValidManifests(objects);
    const spec = app(objects);
    expect(spec.sparkConf).toMatchObject({
      'spark.executor.resource.gpu.amount': '1',
      'spark.executor.resource.gpu.vendor': 'nvidia.com',
      'spark.executor.resource.gpu.discoveryScript': '/opt/spark/examples/src/main/scripts/getGpusResources.sh',
      'spark.task.resource.gpu.amount': '0.25',
      'spark.plugins': 'com.nvidia.spark.SQLPlugin',
      'spark.rapids.sql.enabled': 'true',
    });
    const pod = executorPod(objects);
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A10G' });
    expect(driverPod(objects).tolerations).toBeUndefined();
    const noRapids = app(synth({ executor: { accelerator: Accelerator.nvidiaGpu(1), rapids: false } }).objects).sparkConf;
    expect(noRapids['spark.plugins']).toBeUndefined();
    expect(noRapids['spark.executor.resource.gpu.amount']).toBe('1');
  });

  test('dynamic allocation with shuffle tracking, and executors on spot while the driver stays on demand', () => {
    const { objects } = synth({
      dynamicAllocation: { minExecutors: 1, maxExecutors: 10, shuffleTrackingTimeout: Duration.minutes(10) },
      executor: { scheduling: { spot: Spot.gke() } },
    });
    const spec = app(objects);
    expect(spec.dynamicAllocation).toEqual({
      enabled: true, minExecutors: 1, maxExecutors: 10, initialExecutors: 1, shuffleTrackingEnabled: true, shuffleTrackingTimeout: 600000,
    });
    expect(spec.executor.instances).toBeUndefined();
    expect(executorPod(objects).nodeSelector).toEqual({ 'cloud.google.com/gke-spot': 'true' });
    expect(driverPod(objects).nodeSelector).toBeUndefined();
  });

  test('queues: Kueue labels the SparkApplication (not its pods), Volcano is the operator\'s batch scheduler', () => {
    const kueue = synth({ scheduling: { queue: Queue.kueue('data-eng') } }).objects;
    expect(find(kueue, 'SparkApplication').metadata.labels['kueue.x-k8s.io/queue-name']).toBe('data-eng');
    expect(driverPod(kueue).containers).toBeDefined();
    expect(app(kueue).driver.template.metadata.labels['kueue.x-k8s.io/queue-name']).toBeUndefined();
    expect(app(kueue).executor.template.metadata.labels['kueue.x-k8s.io/queue-name']).toBeUndefined();
    const volcano = app(synth({ scheduling: { queue: Queue.volcano('batch') } }).objects);
    expect(volcano).toMatchObject({ batchScheduler: 'volcano', batchSchedulerOptions: { queue: 'batch' } });
  });

  test('a team gives its namespace and batch queue', () => {
    const { objects } = synth({ team: fakeTeam('data-eng', Queue.kueue('data-eng-batch')) }, 'etl', null);
    const application = find(objects, 'SparkApplication');
    expect(application.metadata.namespace).toBe('data-eng');
    expect(application.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('data-eng-batch');
    expect(objects.every((o) => o.metadata.namespace === 'data-eng')).toBe(true);
    expect(find(objects, 'RoleBinding').subjects[0].namespace).toBe('data-eng');
  });

  test('a schedule: a ScheduledSparkApplication with the CronJob conventions the operator supports', () => {
    const { objects } = synth({
      schedule: Schedule.daily(2, 30),
      scheduleOptions: { timeZone: 'Europe/Berlin', concurrencyPolicy: ConcurrencyPolicy.REPLACE, successfulRunsToKeep: 5 },
      retries: 2,
    });
    expectValidManifests(objects);
    expect(uncoveredPods(objects)).toEqual([]);
    const scheduled = find(objects, 'ScheduledSparkApplication');
    expect(scheduled.spec).toMatchObject({
      schedule: '30 2 * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Replace', successfulRunHistoryLimit: 5, failedRunHistoryLimit: 3,
    });
    expect(scheduled.spec.template).toMatchObject({
      type: 'Python',
      restartPolicy: { type: 'OnFailure', onFailureRetries: 2, onFailureRetryInterval: 30, onSubmissionFailureRetries: 2, onSubmissionFailureRetryInterval: 30 },
    });
    expect(scheduled.spec.template.timeToLiveSeconds).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'SparkApplication')).toEqual([]);
  });

  test('connect(): MLflow wires the driver and executors like every workload', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
    const job = new SparkJob(chart, 'etl', { image: IMAGE, program: PROGRAM });
    const mlflow = new MlflowPlatform(chart, 'mlflow', {
      backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') }),
      artifactStore: ArtifactStore.minio({ bucket: 'mlflow', rootUser: SecretValue.fromSecret('minio', 'user'), rootPassword: SecretValue.fromSecret('minio', 'password') }),
      // The Spark driver's Role creates pods in 'data', so MLflow's Secrets there need the acknowledgement.
      allowSecretsInJobNamespace: true,
    });
    mlflow.connect(job);
    job.addPodLabel('sidecar.istio.io/inject', 'false');
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    for (const pod of [driverPod(objects), executorPod(objects)]) {
      expect(pod.containers[0].env.map((e: any) => e.name)).toContain('MLFLOW_TRACKING_URI');
    }
    expect(app(objects).executor.template.metadata.labels['sidecar.istio.io/inject']).toBe('false');
    const egress = find(objects, 'NetworkPolicy', 'etl').spec.egress.slice(1).flatMap((r: any) => (r.to ?? []).map((t: any) => t.podSelector.matchLabels['app.kubernetes.io/instance']));
    expect(egress).toEqual(['mlflow']);
    expect(job.podSelector).toEqual({ 'spark.cdk8s-mlops.io/job': 'etl' });
  });

  test('mounts, env and Secrets reach both pods; a ReadWriteOnce claim is refused (the pods span nodes)', () => {
    const { objects } = synth({
      env: { LOG_LEVEL: 'INFO' },
      secretEnv: { AWS_SECRET_ACCESS_KEY: SecretValue.fromSecret('s3', 'secret') },
      mounts: [{ claim: VolumeClaim.fromClaimName('exports', { accessModes: [AccessMode.READ_WRITE_MANY] }), path: '/exports', readOnly: false }],
    });
    for (const pod of [driverPod(objects), executorPod(objects)]) {
      const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect(env).toMatchObject({ LOG_LEVEL: 'INFO', AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: 's3', key: 'secret' } } });
      expect(pod.volumes).toContainEqual({ name: 'exports', persistentVolumeClaim: { claimName: 'exports' } });
    }
    expect(() => synth({ mounts: [{ claim: VolumeClaim.fromClaimName('data', { accessModes: [AccessMode.READ_WRITE_ONCE] }), path: '/data' }] }))
      .toThrow(/SparkJob 'etl': 'mounts\[0\]/);
  });

  test('the rendered application can be embedded by another construct (a pipeline step)', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'data' });
    const rendered = renderSparkApplication(chart, Validator.forConstruct('MlPipeline', 'p'), { name: 'step-etl', image: IMAGE, program: PROGRAM }, false);
    const manifest = sparkApplicationManifest(rendered);
    expect(manifest).toMatchObject({ apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: { name: 'step-etl', namespace: 'data' } });
    // The support objects are in the chart; the application's templates resolve at synth like any value.
    const objects = Testing.synth(chart);
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy']);
    expect(rendered.serviceAccountName).toBe('step-etl-spark');
  });

  test('SparkProgram: the language, file and class of each factory', () => {
    expect(SparkProgram.python('s3a://code/etl.py')).toMatchObject({ language: SparkLanguage.PYTHON, mainFile: 's3a://code/etl.py' });
    expect(SparkProgram.java('local:///app.jar', 'org.example.Main')).toMatchObject({ language: SparkLanguage.JAVA, mainClass: 'org.example.Main' });
    expect(SparkProgram.r('gs://code/report.R').language).toBe(SparkLanguage.R);
  });
});

describe('SparkJob refuses bad input', () => {
  const cases: Array<[string, Partial<SparkJobProps>, RegExp]> = [
    ['an unpinned image', { image: 'apache/spark:latest' }, /'image' must pin a tag other than 'latest'/],
    ['a name that is no DNS-1035 label', { name: '1etl' }, /'name' must be a DNS-1035 label.*at most 56 characters.*got '1etl'/],
    ['a scheduled name over 36 characters', { name: 'a'.repeat(37), schedule: Schedule.cron('@daily') }, /'name' must be a DNS-1035 label.*at most 36 characters/],
    ['no program', { program: 'etl.py' as any }, /'program' must be made with SparkProgram.python/],
    ['an image tag without a version', { image: 'registry.example.com/spark:stable' }, /'sparkVersion' must be given when the image tag does not start with the Spark version/],
    ['Spark 2', { sparkVersion: '2.4.8' }, /'sparkVersion' must be 3.0.0 or later \(the driver and executors are built from pod templates\), got '2.4.8'/],
    ['fractional driver cores', { driver: { cores: 1.5 } }, /'driver.cores' must be a whole number/],
    ['a CPU limit below the cores', { executor: { cores: 4, cpuLimit: 2 } }, /'executor.cpuLimit' must be at least the cores \(4\), got '2'/],
    ['a heap under 512Mi', { executor: { memory: '256Mi' } }, /'executor.memory' must be at least 512Mi.*got '256Mi'/],
    ['two GPUs per executor', { executor: { accelerator: Accelerator.nvidiaGpu(2) } }, /'executor.accelerator' must be Accelerator.nvidiaGpu\(1\).*got '2 NVIDIA GPUs'/],
    ['a MIG slice', { executor: { accelerator: Accelerator.mig('1g.10gb') } }, /'executor.accelerator' must be Accelerator.nvidiaGpu\(1\): Spark schedules whole GPUs by vendor/],
    ['RAPIDS without a GPU', { executor: { rapids: true } }, /'executor.rapids' needs GPU executors/],
    ['instances with dynamic allocation', { executor: { instances: 3 }, dynamicAllocation: { maxExecutors: 5 } }, /'executor.instances' cannot be combined with dynamicAllocation/],
    ['max below min executors', { dynamicAllocation: { minExecutors: 4, maxExecutors: 2 } }, /'dynamicAllocation.maxExecutors' must be at least minExecutors \(4\), got 2/],
    ['dynamic allocation on a Kueue queue', { scheduling: { queue: Queue.kueue('q') }, dynamicAllocation: { maxExecutors: 5 } }, /'dynamicAllocation' cannot be used with the Kueue queue 'q'/],
    ['a queue on the executors alone', { executor: { scheduling: { queue: Queue.kueue('q') } } }, /'executor.scheduling.queue' must not be set: the queue admits the whole application/],
    ['a file:// dependency', { dependencies: { jars: ['file:///home/me/udf.jar'] } }, /'dependencies.jars\[0\]' must start with local:\/\/, https:\/\/.*file:\/\/ would name a file of the operator's pod/],
    ['an http:// dependency', { dependencies: { files: ['http://example.com/lookup.csv'] } }, /'dependencies.files\[0\]' must start with local:\/\//],
    ['a password in a dependency URI', { dependencies: { jars: ['https://user:pw@repo.example.com/a.jar'] } }, /'dependencies.jars\[0\]' must not carry a password inside a URI/],
    ['a package that is no Maven coordinate', { dependencies: { packages: ['delta-spark'] } }, /'dependencies.packages\[0\]' must be a Maven coordinate such as/],
    ['py files for a JVM program', { program: SparkProgram.scala('local:///a.jar', 'a.B'), dependencies: { pyFiles: ['local:///x.py'] } }, /'dependencies.pyFiles' needs a Python program/],
    ['a conf key the construct sets', { sparkConf: { 'spark.executor.instances': '9' } }, /'sparkConf.spark.executor.instances' is set by SparkJob \(use executor.instances\)/],
    ['a port the NetworkPolicies depend on', { sparkConf: { 'spark.driver.port': '40000' } }, /'sparkConf.spark.driver.port' is set by SparkJob \(the construct fixes the ports its NetworkPolicies open\)/],
    ['the image through conf', { sparkConf: { 'spark.kubernetes.container.image': 'x:1' } }, /is set by SparkJob \(use image\)/],
    ['a credential in conf', { sparkConf: { 'spark.hadoop.fs.s3a.secret.key': 'abc' } }, /'sparkConf.spark.hadoop.fs.s3a.secret.key' looks like a credential and must not be in the manifest/],
    ['a conf key outside spark.', { sparkConf: { 'fs.s3a.endpoint': 'x' } }, /'sparkConf' must have keys that start with 'spark.'/],
    ['a credential in env', { env: { AWS_SECRET_ACCESS_KEY: 'abc' } }, /'env.AWS_SECRET_ACCESS_KEY' looks like a credential/],
    ['a bad egress CIDR', { egress: [{ cidr: '10.0.0.0', ports: [443] }] }, /'egress\[0\].cidr'/],
    ['egress without ports', { egress: [{ cidr: '10.0.0.0/8', ports: [] }] }, /'egress\[0\].ports' must be a non-empty list of ports/],
    ['a retry interval without retries', { retryInterval: Duration.seconds(5) }, /'retryInterval' needs retries above 0/],
    ['time to live with a schedule', { schedule: Schedule.cron('@daily'), timeToLive: Duration.hours(1) }, /'timeToLive' cannot be used with a schedule/],
    ['a starting deadline', { schedule: Schedule.cron('@daily'), scheduleOptions: { startingDeadline: Duration.minutes(5) } }, /'scheduleOptions.startingDeadline' is not supported by the Spark operator/],
    ['schedule options without a schedule', { scheduleOptions: { timeZone: 'UTC' } }, /'scheduleOptions' needs a schedule/],
    ['an unknown prop', { executors: 3 } as any, /'executors'/],
  ];

  test.each(cases)('%s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
    expect(() => synth(props)).toThrow(/^SparkJob 'etl': /);
  });

  test('no namespace: the driver\'s RoleBinding could not name its ServiceAccount', () => {
    expect(() => synth({}, 'etl', null)).toThrow(/SparkJob 'etl': 'namespace' must be set \(here, by the team or on the chart\)/);
    expect(() => synth({ serviceAccountName: 'spark' }, 'etl', null)).not.toThrow();
  });

  test('SparkProgram factories refuse bad files and classes', () => {
    expect(() => SparkProgram.python('local:///app/etl.jar')).toThrow(/SparkProgram.python: 'mainFile' must name a .py file, got 'local:\/\/\/app\/etl.jar'/);
    expect(() => SparkProgram.python('/opt/etl.py')).toThrow(/SparkProgram.python: 'mainFile' must start with local:\/\//);
    expect(() => SparkProgram.scala('local:///app.jar', 'not a class')).toThrow(/SparkProgram.scala: 'mainClass' must be a fully qualified JVM class name/);
    expect(() => SparkProgram.java('local:///app.py', 'a.B')).toThrow(/SparkProgram.java: 'jar' must name a .jar file/);
  });
});

describe('pod templates are validated as pod templates', () => {
  test('an unknown field in a SparkApplication pod template is reported', () => {
    const { objects } = synth();
    const broken = JSON.parse(JSON.stringify(objects));
    find(broken, 'SparkApplication').spec.executor.template.spec.containers[0].securityContxt = {};
    expect(validateObjects(broken)).toEqual([
      'SparkApplication/data/etl: spec.executor.template: spec.containers[0].securityContxt: unknown field',
    ]);
  });
});
