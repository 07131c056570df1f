import { execFileSync } from 'child_process';
import { mkdtempSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import {
  AccessMode, Accelerator, ArtifactStore, BackendStore, FeatureStore, ITeam, KafkaSaslMechanism, MlflowPlatform, ModelServer,
  OnlineStore, QueueLocation, QueueWorker, QueueWorkerProps, Registry, SecretValue, ServingRuntime, TpuVersion, VolumeClaim,
  WorkerHealthCheck, WorkerQueue, WorkloadRole,
} from '../lib';
import { checkRestricted, expectValidManifests, KUBE_DNS_EGRESS, uncoveredPods } from './support/validate';

const IMAGE = 'registry.example.com/vision/object-detector:1.4.2';
const REDIS = QueueLocation.inCluster({ 'app.kubernetes.io/name': 'redis' }, 'data');
const redisList = () => WorkerQueue.redisList({
  address: 'redis.data.svc:6379', listName: 'frames', location: REDIS, password: SecretValue.fromSecret('redis', 'password'),
});
const rox = (name: string) => VolumeClaim.fromClaimName(name, { accessModes: [AccessMode.READ_ONLY_MANY] });

function synth(props: Partial<QueueWorkerProps> = {}, id = 'detector', namespace = 'vision') {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  const worker = new QueueWorker(chart, id, { image: IMAGE, ...props });
  return { chart, worker, objects: Testing.synth(chart) };
}

function find(objects: any[], kind: string, name?: string) {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

const podSpecOf = (objects: any[]) => find(objects, 'Deployment').spec.template.spec;

/** Runs `command` (an exec probe's) and says whether it succeeded. */
function probeSucceeds(command: string[]): boolean {
  try {
    execFileSync(command[0], command.slice(1), { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('QueueWorker', () => {
  test('a GPU worker scaled on a Redis list (snapshot)', () => {
    const { objects } = synth({
      accelerator: Accelerator.nvidiaGpu(1),
      cpu: 4,
      memory: '8Gi',
      mounts: [{ claim: rox('models'), path: '/models' }],
      queue: redisList(),
      secretEnv: { REDIS_PASSWORD: SecretValue.fromSecret('redis', 'password') },
      autoscaling: { maxReplicas: 5 },
      preStop: ['/app/drain'],
    });
    expect(objects).toMatchSnapshot();
    expectValidManifests(objects);
    expect(objects.map((o) => o.kind)).toEqual(['NetworkPolicy', 'Deployment', 'PodDisruptionBudget', 'TriggerAuthentication', 'ScaledObject']);
  });

  test('no Service, no port; restricted security with the accelerator requested', () => {
    const { objects } = synth({ accelerator: Accelerator.nvidiaGpu(1) });
    expect(objects.filter((o) => o.kind === 'Service')).toEqual([]);
    const spec = podSpecOf(objects);
    const container = spec.containers[0];
    expect(container.ports).toBeUndefined();
    expect(container.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(spec.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(container.securityContext).toEqual({
      runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(checkRestricted(objects)).toEqual([]);
  });

  test('rollout never below the desired count, spread over nodes and zones, one pod at a time in drains', () => {
    const { objects } = synth({ replicas: 3 });
    const deployment = find(objects, 'Deployment');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(deployment.spec.template.spec.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    expect(find(objects, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  });

  describe('health checks', () => {
    test('the default heartbeat file: exec probes, the file in a writable emptyDir, its path in HEARTBEAT_FILE', () => {
      const spec = podSpecOf(synth().objects);
      const container = spec.containers[0];
      const command = ['sh', '-c', 'm=$(stat -c %Y /var/run/worker/heartbeat) && test $(( $(date +%s) - m )) -lt 120'];
      expect(container.livenessProbe).toEqual({ exec: { command }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
      expect(container.readinessProbe).toEqual(container.livenessProbe);
      expect(container.startupProbe).toEqual({ exec: { command }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 });
      expect(container.env).toContainEqual({ name: 'HEARTBEAT_FILE', value: '/var/run/worker/heartbeat' });
      expect(spec.volumes).toContainEqual({ name: 'heartbeat', emptyDir: { sizeLimit: '1Mi' } });
      expect(container.volumeMounts).toContainEqual({ name: 'heartbeat', mountPath: '/var/run/worker' });
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    });

    test('the probe command fails when the worker stalls (an old heartbeat) or never beat, and passes on a fresh one', () => {
      const dir = mkdtempSync(join(tmpdir(), 'heartbeat-'));
      const check = (file: string) => WorkerHealthCheck.heartbeatFile({ path: join(dir, file), maxAge: Duration.seconds(60) }).command;
      writeFileSync(join(dir, 'fresh'), '');
      writeFileSync(join(dir, 'stale'), '');
      const tenMinutesAgo = Date.now() / 1000 - 600;
      utimesSync(join(dir, 'stale'), tenMinutesAgo, tenMinutesAgo);
      expect(probeSucceeds(check('fresh'))).toBe(true);
      expect(probeSucceeds(check('stale'))).toBe(false);
      expect(probeSucceeds(check('missing'))).toBe(false);
    });

    test('a heartbeat under /tmp uses the pod\'s /tmp; a custom command is run as given', () => {
      const heartbeat = podSpecOf(synth({ healthCheck: WorkerHealthCheck.heartbeatFile({ path: '/tmp/alive', maxAge: Duration.minutes(10) }) }).objects);
      expect(heartbeat.volumes.map((v: any) => v.name)).toEqual(['tmp']);
      expect(heartbeat.containers[0].livenessProbe.exec.command[2]).toBe('m=$(stat -c %Y /tmp/alive) && test $(( $(date +%s) - m )) -lt 600');
      const custom = podSpecOf(synth({ healthCheck: WorkerHealthCheck.command(['/app/healthcheck', '--queue']), probePeriod: Duration.seconds(30) }).objects);
      expect(custom.containers[0].livenessProbe).toEqual({ exec: { command: ['/app/healthcheck', '--queue'] }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 });
      expect(custom.containers[0].env.map((e: any) => e.name)).not.toContain('HEARTBEAT_FILE');
    });
  });

  test('graceful shutdown: the grace period for in-flight work and a preStop command', () => {
    const defaults = podSpecOf(synth().objects);
    expect(defaults.terminationGracePeriodSeconds).toBe(60);
    expect(defaults.containers[0].lifecycle).toBeUndefined();
    const spec = podSpecOf(synth({ terminationGracePeriod: Duration.minutes(10), preStop: ['/app/stop-taking-work'] }).objects);
    expect(spec.terminationGracePeriodSeconds).toBe(600);
    expect(spec.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['/app/stop-taking-work'] } } });
  });

  describe('KEDA scaling on the queue', () => {
    test('a ScaledObject that scales to zero after the cooldown, and a TriggerAuthentication of Secret references', () => {
      const { objects } = synth({ queue: redisList(), autoscaling: { maxReplicas: 5, messagesPerReplica: 10, cooldown: Duration.minutes(15) } });
      expect(find(objects, 'Deployment').spec.replicas).toBeUndefined();
      expect(find(objects, 'ScaledObject').spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'detector' },
        minReplicaCount: 0,
        maxReplicaCount: 5,
        cooldownPeriod: 900,
        pollingInterval: 30,
        triggers: [{ type: 'redis', metadata: { address: 'redis.data.svc:6379', listName: 'frames', listLength: '10' }, authenticationRef: { name: 'detector-queue' } }],
      });
      expect(find(objects, 'TriggerAuthentication')).toMatchObject({
        apiVersion: 'keda.sh/v1alpha1',
        metadata: { name: 'detector-queue', namespace: 'vision' },
        spec: { secretTargetRef: [{ parameter: 'password', name: 'redis', key: 'password' }] },
      });
    });

    test('every trigger type renders its KEDA metadata and credentials; none has a plain credential', () => {
      const cidr = QueueLocation.cidr('10.20.0.0/16');
      const cases: Array<[WorkerQueue, string, Record<string, string>, string[]]> = [
        [WorkerQueue.redisStream({ address: 'redis.data.svc:6380', stream: 'frames', consumerGroup: 'detectors', location: REDIS, tls: true, databaseIndex: 2 }), 'redis-streams',
          { address: 'redis.data.svc:6380', databaseIndex: '2', enableTLS: 'true', stream: 'frames', consumerGroup: 'detectors', pendingEntriesCount: '5' }, []],
        [WorkerQueue.kafka({
          bootstrapServers: ['kafka-0.kafka.data.svc:9092', 'kafka-1.kafka.data.svc:9092'], topic: 'frames', consumerGroup: 'detectors', location: cidr, tls: true,
          sasl: { mechanism: KafkaSaslMechanism.SCRAM_SHA_512, username: SecretValue.fromSecret('kafka', 'user'), password: SecretValue.fromSecret('kafka', 'password') },
        }), 'kafka', {
          bootstrapServers: 'kafka-0.kafka.data.svc:9092,kafka-1.kafka.data.svc:9092', topic: 'frames', consumerGroup: 'detectors', sasl: 'scram_sha512', tls: 'enable', lagThreshold: '5',
        }, ['username', 'password']],
        [WorkerQueue.sqs({
          queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/frames', region: 'eu-west-1', location: QueueLocation.cidr('0.0.0.0/0'),
          credentials: { accessKeyId: SecretValue.fromSecret('aws', 'id'), secretAccessKey: SecretValue.fromSecret('aws', 'secret') },
        }), 'aws-sqs-queue', { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/frames', awsRegion: 'eu-west-1', queueLength: '5' }, ['awsAccessKeyID', 'awsSecretAccessKey']],
        [WorkerQueue.rabbitmq({
          host: 'amqp://rabbitmq.data.svc:5672/vision', queueName: 'frames', location: REDIS,
          credentials: { username: SecretValue.fromSecret('rabbitmq', 'user'), password: SecretValue.fromSecret('rabbitmq', 'password') },
        }), 'rabbitmq', { host: 'amqp://rabbitmq.data.svc:5672/vision', queueName: 'frames', mode: 'QueueLength', protocol: 'amqp', value: '5' }, ['username', 'password']],
      ];
      for (const [queue, type, metadata, parameters] of cases) {
        const { objects } = synth({ queue, autoscaling: { minReplicas: 1, maxReplicas: 4 } });
        expectValidManifests(objects);
        const trigger = find(objects, 'ScaledObject').spec.triggers[0];
        expect(trigger.type).toBe(type);
        expect(trigger.metadata).toEqual(metadata);
        const auth = objects.filter((o) => o.kind === 'TriggerAuthentication');
        expect(auth.flatMap((a) => a.spec.secretTargetRef ?? []).map((r: any) => r.parameter)).toEqual(parameters);
        expect(trigger.authenticationRef).toEqual(parameters.length > 0 ? { name: 'detector-queue' } : undefined);
      }
    });

    test('SQS without access keys: KEDA\'s own AWS identity', () => {
      const queue = WorkerQueue.sqs({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/frames', region: 'eu-west-1', location: QueueLocation.cidr('0.0.0.0/0') });
      const { objects } = synth({ queue, autoscaling: { maxReplicas: 2 } });
      expect(find(objects, 'TriggerAuthentication').spec).toEqual({ podIdentity: { provider: 'aws' } });
      expectValidManifests(objects);
    });
  });

  describe('NetworkPolicy', () => {
    test('DNS and the queue\'s brokers only, in the cluster or by address range; nothing may connect in', () => {
      const policy = find(synth({ queue: redisList() }).objects, 'NetworkPolicy').spec;
      expect(policy.ingress).toBeUndefined();
      expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.egress).toEqual([
        KUBE_DNS_EGRESS,
        {
          to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } } }],
          ports: [{ port: 6379, protocol: 'TCP' }],
        },
      ]);
      const kafka = WorkerQueue.kafka({ bootstrapServers: ['10.20.0.5:9093', '10.20.0.6:9093'], topic: 't', consumerGroup: 'g', location: QueueLocation.cidr('10.20.0.0/24') });
      expect(find(synth({ queue: kafka }).objects, 'NetworkPolicy').spec.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '10.20.0.0/24' } }], ports: [{ port: 9093, protocol: 'TCP' }] });
      expect(uncoveredPods(synth({ queue: kafka }).objects, 'vision')).toEqual([]);
    });
  });

  test('connect(): MLflow, the feature store and a model server wire a worker like every workload', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'vision' });
    const worker = new QueueWorker(chart, 'extractor', { image: IMAGE });
    const mlflow = new MlflowPlatform(chart, 'mlflow', {
      backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') }),
      artifactStore: ArtifactStore.minio({ bucket: 'mlflow', rootUser: SecretValue.fromSecret('minio', 'user'), rootPassword: SecretValue.fromSecret('minio', 'password') }),
    });
    const store = new FeatureStore(chart, 'feast', {
      registry: Registry.file(VolumeClaim.fromClaimName('feast-registry', { accessModes: [AccessMode.READ_WRITE_MANY] })),
      onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password') }),
    });
    const server = new ModelServer(chart, 'ranker', { runtime: ServingRuntime.triton(), replicas: 2 });
    mlflow.connect(worker);
    store.connect(worker);
    server.connect(worker);
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    const env = find(objects, 'Deployment', 'extractor').spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(env).toEqual(expect.arrayContaining(['MLFLOW_TRACKING_URI', 'FEAST_FEATURE_SERVER_URL', 'MODEL_SERVER_URL']));
    const egress = find(objects, 'NetworkPolicy', 'extractor').spec.egress.slice(1).flatMap((r: any) => (r.to ?? []).map((t: any) => t.podSelector.matchLabels['app.kubernetes.io/instance']));
    expect(egress).toEqual(['mlflow', 'feast', 'ranker']);
  });

  test('a team gives its namespace and pipeline service account, not its batch queue', () => {
    const team: ITeam = { teamName: 'vision', namespace: 'team-vision', serviceAccountFor: (role) => `vision-${role}` };
    const spec = podSpecOf(synth({ team }, 'detector', undefined as any).objects);
    expect(spec.serviceAccountName).toBe(`vision-${WorkloadRole.PIPELINE}`);
    const { objects } = synth({ team }, 'detector', undefined as any);
    expect(find(objects, 'Deployment').metadata.namespace).toBe('team-vision');
    expect(find(objects, 'Deployment').spec.template.metadata.labels['kueue.x-k8s.io/queue-name']).toBeUndefined();
  });

  test('claims are read-only and must be shareable across nodes when there may be several replicas', () => {
    const spec = podSpecOf(synth({ mounts: [{ claim: rox('videos'), path: '/data' }], replicas: 3 }).objects);
    expect(spec.volumes).toContainEqual({ name: 'videos', persistentVolumeClaim: { claimName: 'videos', readOnly: true } });
    const rwo = VolumeClaim.fromClaimName('scratch', { accessModes: [AccessMode.READ_WRITE_ONCE] });
    expect(() => synth({ mounts: [{ claim: rwo, path: '/data' }], replicas: 3 }))
      .toThrow("QueueWorker 'detector': 'mounts[0].claim' must be a claim with access mode ReadOnlyMany or ReadWriteMany because the 3 replicas may run on different nodes, got 'scratch (ReadWriteOnce)'");
  });

  describe('bad input', () => {
    const cases: Array<[string, () => unknown, string]> = [
      ['no image', () => synth({ image: undefined as any }), "QueueWorker 'detector': 'image' must be"],
      ['a bad name', () => synth({ name: 'Detector' }), "QueueWorker 'detector': 'name' must be"],
      ['replicas and autoscaling', () => synth({ queue: redisList(), replicas: 2, autoscaling: { maxReplicas: 4 } }),
        "QueueWorker 'detector': 'replicas' cannot be combined with autoscaling (use autoscaling.minReplicas), got 2"],
      ['autoscaling without a queue', () => synth({ autoscaling: { maxReplicas: 4 } }), "QueueWorker 'detector': 'autoscaling' needs a queue to scale on (set queue)"],
      ['maxReplicas below minReplicas', () => synth({ queue: redisList(), autoscaling: { minReplicas: 3, maxReplicas: 2 } }),
        "QueueWorker 'detector': 'autoscaling.maxReplicas' must be"],
      ['a negative minReplicas', () => synth({ queue: redisList(), autoscaling: { minReplicas: -1, maxReplicas: 2 } }), "QueueWorker 'detector': 'autoscaling.minReplicas' must be"],
      ['a fractional cooldown', () => synth({ queue: redisList(), autoscaling: { maxReplicas: 2, cooldown: Duration.millis(1500) } }),
        "QueueWorker 'detector': 'autoscaling.cooldown' must be a whole number of seconds, got '1.5s'"],
      ['zero messagesPerReplica', () => synth({ queue: redisList(), autoscaling: { maxReplicas: 2, messagesPerReplica: 0 } }), "QueueWorker 'detector': 'autoscaling.messagesPerReplica' must be"],
      ['a grace period of zero', () => synth({ terminationGracePeriod: Duration.seconds(0) }), "QueueWorker 'detector': 'terminationGracePeriod' must be"],
      ['an empty preStop', () => synth({ preStop: [] }), "QueueWorker 'detector': 'preStop' must be a non-empty list of non-empty strings (the command and its arguments), got []"],
      ['a startup timeout below the probe period', () => synth({ startupTimeout: Duration.seconds(5) }),
        "QueueWorker 'detector': 'startupTimeout' must be at least one probe period (10s): the startup probe needs one check to succeed, got '5s'"],
      ['a health check not from the factories', () => synth({ healthCheck: { command: ['true'] } as any }),
        "QueueWorker 'detector': 'healthCheck' must be made with WorkerHealthCheck.heartbeatFile() or WorkerHealthCheck.command([...])"],
      ['a queue not from the factories', () => synth({ queue: { trigger: {} } as any }), "QueueWorker 'detector': 'queue' must be made with a WorkerQueue factory"],
      ['a multi-host TPU slice', () => synth({ accelerator: Accelerator.tpu({ version: TpuVersion.V5E, topology: '4x4' }) }), "QueueWorker 'detector': 'accelerator' must fit on one node"],
      ['a heartbeat path with shell characters', () => WorkerHealthCheck.heartbeatFile({ path: '/var/run/$(reboot)/hb' }), "WorkerHealthCheck.heartbeatFile: 'path' must be a file in a directory"],
      ['a heartbeat in a system directory', () => WorkerHealthCheck.heartbeatFile({ path: '/etc/heartbeat' }), "WorkerHealthCheck.heartbeatFile: 'path' must not be in a system directory"],
      ['a heartbeat maxAge under 5 seconds', () => WorkerHealthCheck.heartbeatFile({ maxAge: Duration.seconds(2) }), "WorkerHealthCheck.heartbeatFile: 'maxAge' must be"],
      ['an empty health command', () => WorkerHealthCheck.command([]), "WorkerHealthCheck.command: 'command' must be a non-empty list of non-empty strings, got []"],
      ['a Redis password in the address', () => WorkerQueue.redisList({ address: 'redis://:hunter2@redis:6379', listName: 'q', location: REDIS }),
        "WorkerQueue.redisList: 'address' must be host:port (no scheme, no credentials), such as 'redis.data.svc:6379', got 'redis://***@redis:6379'"],
      ['a Redis address without a port', () => WorkerQueue.redisList({ address: 'redis.data.svc', listName: 'q', location: REDIS }),
        "WorkerQueue.redisList: 'address' must be host:port (no scheme, no credentials), such as 'redis.data.svc:6379', got 'redis.data.svc'"],
      ['a Redis password that is a string', () => WorkerQueue.redisList({ address: 'redis:6379', listName: 'q', location: REDIS, password: 'hunter2' as any }),
        "WorkerQueue.redisList: 'password' must be made with SecretValue.fromSecret(name, key), got 'hunter2'"],
      ['an empty list name', () => WorkerQueue.redisList({ address: 'redis:6379', listName: '', location: REDIS }), "WorkerQueue.redisList: 'listName' must be a name"],
      ['a queue without a location', () => WorkerQueue.redisList({ address: 'redis:6379', listName: 'q', location: undefined as any }),
        "WorkerQueue.redisList: 'location' must be made with QueueLocation.inCluster(...) or QueueLocation.cidr(...)"],
      ['no Kafka brokers', () => WorkerQueue.kafka({ bootstrapServers: [], topic: 't', consumerGroup: 'g', location: REDIS }), "WorkerQueue.kafka: 'bootstrapServers' must list at least one broker as host:port, got []"],
      ['a Kafka port out of range', () => WorkerQueue.kafka({ bootstrapServers: ['kafka:99999'], topic: 't', consumerGroup: 'g', location: REDIS }), "WorkerQueue.kafka: 'bootstrapServers[0]' must have a port from 1 to 65535"],
      ['a bad SQS URL', () => WorkerQueue.sqs({ queueUrl: 'sqs://frames', region: 'eu-west-1', location: REDIS }), "WorkerQueue.sqs: 'queueUrl' must be an SQS queue URL"],
      ['a bad AWS region', () => WorkerQueue.sqs({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', region: 'Ireland', location: REDIS }), "WorkerQueue.sqs: 'region' must be an AWS region such as 'eu-west-1', got 'Ireland'"],
      ['RabbitMQ credentials in the host', () => WorkerQueue.rabbitmq({ host: 'amqp://guest:guest@rabbitmq:5672/', queueName: 'q', location: REDIS }), "WorkerQueue.rabbitmq: 'host' must"],
      ['an empty broker selector', () => QueueLocation.inCluster({}), "QueueLocation.inCluster: 'podSelector' must be a non-empty set of labels of the broker's pods, got {}"],
      ['a bad CIDR', () => QueueLocation.cidr('10.0.0.0'), "QueueLocation.cidr: 'cidr' must be an IPv4 CIDR such as '10.0.0.0/8', got '10.0.0.0'"],
    ];
    test.each(cases)('%s', (_name, make, message) => {
      expect(make).toThrow(message);
    });
  });
});
