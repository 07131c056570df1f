import { Chart, Duration, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  AccessMode, FeastProvider, FeatureRepository, FeatureStore, FeatureStoreProps, GpuTrainingJob, ModelServer, OfflineStore,
  OnlineStore, RedisMode, Registry, Schedule, SecretValue, ServingRuntime, VolumeClaim,
} from '../lib';
import { checkLibraryDefaults, checkRestricted, expectValidManifests, uncoveredPods, validateObjects } from './support/validate';

const REDIS_PASSWORD = SecretValue.fromSecret('feast-redis', 'password');
const rwx = (name: string) => VolumeClaim.fromClaimName(name, { accessModes: [AccessMode.READ_WRITE_MANY] });

function props(overrides: Partial<FeatureStoreProps> = {}): FeatureStoreProps {
  return {
    registry: Registry.file(rwx('feast-registry')),
    onlineStore: OnlineStore.redis({ password: REDIS_PASSWORD }),
    ...overrides,
  };
}

function synth(overrides: Partial<FeatureStoreProps> = {}, id = 'feast') {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  const store = new FeatureStore(chart, id, props(overrides));
  return { chart, store, objects: Testing.synth(chart) };
}

function find(objects: any[], kind: string, name?: string) {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

function featureStoreYaml(objects: any[]) {
  return find(objects, 'ConfigMap').data['feature_store.yaml'];
}

function podSpecs(objects: any[]): any[] {
  return objects.flatMap((o) => {
    if (['Deployment', 'StatefulSet', 'Job'].includes(o.kind)) return [o.spec.template.spec];
    if (o.kind === 'CronJob') return [o.spec.jobTemplate.spec.template.spec];
    return [];
  });
}

describe('FeatureStore manifests validate for every online store, registry, offline store and provider', () => {
  const s3Keys = { accessKeyId: SecretValue.fromSecret('s3', 'id'), secretAccessKey: SecretValue.fromSecret('s3', 'key') };
  const configurations: Array<[string, Partial<FeatureStoreProps>]> = [
    ['in-cluster Redis, file registry, file offline store, local provider, apply + materialization', {
      provider: FeastProvider.LOCAL, replicas: 2,
      featureRepository: FeatureRepository.fromImage('registry.example.com/ml/feature-repo:1.4.0', '/app/repo'),
      materialization: { schedule: Schedule.cron('0 * * * *') },
    }],
    ['in-cluster Redis with key TTL and a StorageClass, SQL registry, Snowflake, autoscaled', {
      onlineStore: OnlineStore.redis({ password: REDIS_PASSWORD, keyTtl: Duration.days(7), storageClassName: 'fast-ssd', storage: '50Gi', memory: '4Gi' }),
      registry: Registry.sql(SecretValue.fromSecret('feast-db', 'url')),
      offlineStore: OfflineStore.snowflake({ account: 'xy12345', user: 'feast', password: SecretValue.fromSecret('sf', 'password'), role: 'R', warehouse: 'W', database: 'D' }),
      autoscaling: { minReplicas: 2, maxReplicas: 6 },
      materialization: { schedule: Schedule.daily(2), featureViews: ['driver_hourly'] },
    }],
    ['external standalone Redis with TLS, S3 registry on MinIO, Postgres, AWS provider', {
      provider: FeastProvider.AWS,
      onlineStore: OnlineStore.externalRedis({ endpoints: ['redis.example.com:6380'], password: REDIS_PASSWORD, tls: true, cidr: '10.0.0.0/8' }),
      registry: Registry.s3('s3://feast/registry.db', { ...s3Keys, endpoint: 'http://minio.storage:9000', region: 'eu-west-1' }),
      offlineStore: OfflineStore.postgres({ host: 'warehouse.example.com', database: 'events', user: 'feast', password: SecretValue.fromSecret('pg', 'password') }),
      materialization: { schedule: Schedule.cron('*/30 * * * *') },
    }],
    ['external Redis Cluster, GCS registry, BigQuery, GCP provider, repository on a claim', {
      provider: FeastProvider.GCP,
      onlineStore: OnlineStore.externalRedis({ endpoints: ['10.0.0.1:6379', '10.0.0.2:6379'], mode: RedisMode.CLUSTER }),
      registry: Registry.gcs('gs://feast/registry.db'),
      offlineStore: OfflineStore.bigquery({ projectId: 'ml-prod', dataset: 'features', location: 'EU' }),
      featureRepository: FeatureRepository.fromClaim(VolumeClaim.fromClaimName('feature-repo', { accessModes: [AccessMode.READ_ONLY_MANY] }), 'repo'),
      materialization: { schedule: Schedule.daily() },
    }],
  ];
  test.each(configurations)('%s', (_name, overrides) => {
    const { objects } = synth(overrides);
    expect(validateObjects(objects)).toEqual([]);
    expect(checkRestricted(objects)).toEqual([]);
    expect(checkLibraryDefaults(objects)).toEqual([]);
    expect(uncoveredPods(objects)).toEqual([]);
  });
});

describe('FeatureStore', () => {
  test('online serving with in-cluster Redis, apply and materialization (snapshot)', () => {
    const { objects } = synth({
      replicas: 2,
      featureRepository: FeatureRepository.fromImage('registry.example.com/ml/feature-repo:1.4.0', '/app/repo'),
      materialization: { schedule: Schedule.cron('0 * * * *') },
    });
    expect(objects).toMatchSnapshot();
  });

  test('feature_store.yaml parses and holds the typed values', () => {
    const { objects, store } = synth({
      project: 'driver_stats',
      provider: FeastProvider.LOCAL,
      registryTtl: Duration.minutes(5),
      onlineStore: OnlineStore.externalRedis({
        endpoints: ['redis-1.example.com:6380', 'redis-2.example.com:6380'],
        mode: RedisMode.CLUSTER,
        password: REDIS_PASSWORD,
        tls: true,
        keyTtl: Duration.days(2),
      }),
      offlineStore: OfflineStore.postgres({
        host: 'warehouse.example.com', database: 'events', user: 'feast', password: SecretValue.fromSecret('warehouse', 'password'),
      }),
      entityKeySerializationVersion: 2,
    });
    const config = parse(featureStoreYaml(objects));
    expect(config).toEqual({
      project: 'driver_stats',
      provider: 'local',
      registry: { registry_type: 'file', path: '/var/lib/feast/registry/registry.db', cache_ttl_seconds: 300 },
      online_store: {
        type: 'redis',
        redis_type: 'redis_cluster',
        connection_string: 'redis-1.example.com:6380,redis-2.example.com:6380,ssl=true,password=${FEAST_REDIS_PASSWORD}',
        key_ttl_seconds: 172800,
      },
      offline_store: {
        type: 'postgres', host: 'warehouse.example.com', port: 5432, database: 'events', db_schema: 'public',
        user: 'feast', password: '${FEAST_OFFLINE_STORE_PASSWORD}', sslmode: 'require',
      },
      entity_key_serialization_version: 2,
    });
    expect(store.featureStoreYaml).toBe(featureStoreYaml(objects));
    expect(store.requiredSecrets).toEqual([
      { name: 'feast-redis', namespace: 'ml', keys: ['password'], purpose: 'the Redis password of the Feast online store' },
      { name: 'warehouse', namespace: 'ml', keys: ['password'], purpose: 'the Feast offline store' },
    ]);
    // External Redis: no StatefulSet, egress to the Redis port.
    expect(objects.filter((o) => o.kind === 'StatefulSet')).toHaveLength(0);
    const egress = find(objects, 'NetworkPolicy', 'feast').spec.egress;
    expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 6380, protocol: 'TCP' }] });
  });

  test('the SQL registry URL comes from a Secret through ${...} expansion', () => {
    const { objects, store } = synth({ registry: Registry.sql(SecretValue.fromSecret('feast-db', 'url'), { port: 3306 }) });
    const config = parse(featureStoreYaml(objects));
    expect(config.registry).toEqual({ registry_type: 'sql', path: '${FEAST_REGISTRY_URL}', cache_ttl_seconds: 60 });
    const env = find(objects, 'Deployment').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'FEAST_REGISTRY_URL', valueFrom: { secretKeyRef: { name: 'feast-db', key: 'url' } } });
    expect(store.requiredSecrets.map((s) => s.name)).toEqual(['feast-redis', 'feast-db']);
  });

  test('no secret value in the ConfigMap or in env values: only secretKeyRefs', () => {
    const { objects } = synth({
      materialization: { schedule: Schedule.daily(3) },
      featureRepository: FeatureRepository.fromImage('registry.example.com/ml/feature-repo:1.4.0', '/app/repo'),
      offlineStore: OfflineStore.snowflake({
        account: 'xy12345', user: 'feast', password: SecretValue.fromSecret('snowflake', 'password'), role: 'FEAST', warehouse: 'WH', database: 'DB',
      }),
    });
    const text = featureStoreYaml(objects);
    expect(text).not.toMatch(/password=(?!\$\{)/);
    expect(parse(text).offline_store.password).toBe('${FEAST_OFFLINE_STORE_PASSWORD}');
    for (const spec of podSpecs(objects)) {
      for (const container of spec.containers) {
        for (const e of container.env ?? []) {
          if (/PASSWORD|AUTH|SECRET|URL$/.test(e.name) && e.name !== 'FEAST_FEATURE_SERVER_URL') {
            expect(e.value).toBeUndefined();
            expect(e.valueFrom.secretKeyRef).toBeDefined();
          }
        }
        // Redis gets its password on stdin, never in its arguments.
        expect(JSON.stringify([container.command, container.args])).not.toMatch(/--requirepass|\$\(REDIS_PASSWORD\)/);
      }
    }
    const redis = find(objects, 'StatefulSet').spec.template.spec;
    expect(redis.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
    expect(redis.containers[0].env).toContainEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'feast-redis', key: 'password' } } });
  });

  test('the materialization CronJob runs materialize-incremental through a shell, on its schedule', () => {
    const { objects } = synth({
      materialization: { schedule: Schedule.cron('*/15 * * * *'), featureViews: ['driver_hourly'], memory: '4Gi' },
    });
    const cron = find(objects, 'CronJob');
    expect(cron.metadata.name).toBe('feast-materialize');
    expect(cron.spec).toMatchObject({
      schedule: '*/15 * * * *', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3, startingDeadlineSeconds: 3600,
    });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0].command).toEqual([
      'python', '-c', expect.stringContaining('os.execvp'), '/etc/feast/feature_store.yaml', '/var/run/feast/feature_store.yaml',
      '/bin/sh', '-c',
      'exec feast --feature-store-yaml /var/run/feast/feature_store.yaml materialize-incremental --views driver_hourly "$(date -u +%Y-%m-%dT%H:%M:%S)"',
    ]);
    expect(pod.containers[0].resources.limits.memory).toBe('4Gi');
    expect(pod.serviceAccountName).toBe('feast-materialize');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.restartPolicy).toBe('Never');
    const sa = find(objects, 'ServiceAccount', 'feast-materialize');
    expect(sa.automountServiceAccountToken).toBe(false);
    // No RBAC at all: the job never calls the API, so certainly no pods/exec.
    expect(objects.filter((o) => ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind))).toHaveLength(0);
  });

  test('feature server: pinned image, feast serve on 6566, /health probes, restricted pod', () => {
    const { objects } = synth({ workers: 4 });
    const deployment = find(objects, 'Deployment');
    expect(deployment.spec.replicas).toBe(1);
    const spec = deployment.spec.template.spec;
    const c = spec.containers[0];
    expect(c.image).toBe('quay.io/feastdev/feature-server:0.62.0');
    // feature_store.yaml is rendered from the ConfigMap's template into memory, then feast serve reads it.
    expect(c.command).toEqual([
      'python', '-c', expect.stringContaining('os.execvp'), '/etc/feast/feature_store.yaml', '/var/run/feast/feature_store.yaml',
      'feast', '--feature-store-yaml', '/var/run/feast/feature_store.yaml', 'serve', '--host', '0.0.0.0', '--port', '6566', '--workers', '4', '--registry_ttl_sec', '60',
    ]);
    expect(c.volumeMounts).toContainEqual({ name: 'feast-config-rendered', mountPath: '/var/run/feast' });
    expect(spec.volumes).toContainEqual({ name: 'feast-config-rendered', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(c.securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.volumeMounts).toContainEqual({ name: 'feast-config', mountPath: '/etc/feast', readOnly: true });
    expect(spec.volumes).toContainEqual({ name: 'feast-config', configMap: { name: 'feast-config' } });
    expect(find(objects, 'Service', 'feast').spec.ports).toEqual([{ name: 'http', port: 6566, targetPort: 'http', protocol: 'TCP' }]);
    // One replica: neither an autoscaler nor a disruption budget.
    expect(objects.filter((o) => ['HorizontalPodAutoscaler', 'PodDisruptionBudget'].includes(o.kind))).toHaveLength(0);
  });

  test('autoscaling adds an HPA and a PDB and leaves replicas to the HPA', () => {
    const { objects } = synth({ autoscaling: { minReplicas: 2, maxReplicas: 8, targetCpuUtilization: 60 } });
    expect(find(objects, 'Deployment').spec.replicas).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler').spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'feast' },
      minReplicas: 2,
      maxReplicas: 8,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
    });
    expect(find(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  test('only the feature server and the jobs reach Redis; only connected workloads reach the feature server', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const store = new FeatureStore(chart, 'feast', props({ materialization: { schedule: Schedule.daily() } }));
    const job = new GpuTrainingJob(chart, 'train', { image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime' });
    store.connect(job);
    const objects = Testing.synth(chart);

    const redisPolicy = find(objects, 'NetworkPolicy', 'feast-redis').spec;
    expect(redisPolicy.ingress.map((r: any) => r.from[0].podSelector.matchLabels['app.kubernetes.io/component']).sort())
      .toEqual(['feature-server', 'materialize']);
    expect(redisPolicy.ingress.every((r: any) => r.ports[0].port === 6379)).toBe(true);

    const serverPolicy = find(objects, 'NetworkPolicy', 'feast').spec;
    expect(serverPolicy.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: job.podSelector } }],
      ports: [{ port: 6566, protocol: 'TCP' }],
    }]);
    const jobPolicy = find(objects, 'NetworkPolicy', 'train').spec;
    expect(jobPolicy.egress).toContainEqual({ to: [{ podSelector: { matchLabels: store.podSelector } }], ports: [{ port: 6566, protocol: 'TCP' }] });
    const env = find(objects, 'Job', 'train').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'FEAST_FEATURE_SERVER_URL', value: 'http://feast.ml.svc:6566' });
  });

  test('connect wires a ModelServer: feature server URL in its env, path opened on both sides', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const store = new FeatureStore(chart, 'feast', props());
    const ranker = new ModelServer(chart, 'ranker', { runtime: ServingRuntime.triton(), replicas: 2 });
    store.connect(ranker);
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    const env = find(objects, 'Deployment', 'ranker').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'FEAST_FEATURE_SERVER_URL', value: 'http://feast.ml.svc:6566' });
    expect(find(objects, 'NetworkPolicy', 'feast').spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: ranker.podSelector } }], ports: [{ port: 6566, protocol: 'TCP' }] }]);
    expect(find(objects, 'NetworkPolicy', 'ranker').spec.egress).toContainEqual({ to: [{ podSelector: { matchLabels: store.podSelector } }], ports: [{ port: 6566, protocol: 'TCP' }] });
    // The model server does not reach Redis: only the feature server and the Feast jobs do.
    const redisFrom = find(objects, 'NetworkPolicy', 'feast-redis').spec.ingress.map((r: any) => r.from[0].podSelector.matchLabels['app.kubernetes.io/instance']);
    expect(redisFrom).toEqual(['feast']);
  });

  test('the in-cluster Redis: StatefulSet with a persistent volume, headless Service, password on stdin, maxmemory under the limit', () => {
    const { objects, store } = synth({ onlineStore: OnlineStore.redis({ password: REDIS_PASSWORD, storage: '20Gi', storageClassName: 'fast-ssd', memory: '1Gi' }) });
    const sts = find(objects, 'StatefulSet', 'feast-redis');
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '20Gi' } } });
    const c = sts.spec.template.spec.containers[0];
    expect(c.image).toBe('redis:7.4.2');
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(c.command[2]).toContain(`--maxmemory ${Math.floor(1024 ** 3 * 0.8)} --maxmemory-policy allkeys-lru`);
    expect(c.command[2]).toContain('requirepass "$password"'); // byte-escaped: test/secrets.test.ts
    expect(find(objects, 'Service', 'feast-redis').spec.clusterIP).toBe('None');
    expect(store.redisHost).toBe('feast-redis.ml.svc');
    expect(parse(featureStoreYaml(objects)).online_store.connection_string).toBe('feast-redis.ml.svc:6379,password=${FEAST_REDIS_PASSWORD}');
  });

  test('a file registry on a ReadWriteOnce claim is refused', () => {
    const rwo = VolumeClaim.fromClaimName('registry', { accessModes: [AccessMode.READ_WRITE_ONCE] });
    expect(() => synth({ registry: Registry.file(rwo) })).toThrow(
      /FeatureStore 'feast': 'registry.claim' must be a claim with access mode ReadOnlyMany or ReadWriteMany because the feature server runs while the Feast jobs write the registry, on any node, got 'registry \(ReadWriteOnce\)'/,
    );
  });

  describe('bad input', () => {
    test('project name not valid for Feast', () => {
      expect(() => synth({ project: 'driver-stats' })).toThrow(
        /FeatureStore 'feast': 'project' must be a Feast project name \(letters, digits and underscores, not starting with an underscore\), got 'driver-stats'/,
      );
    });

    test('project name starting with an underscore', () => {
      expect(() => synth({ project: '_stats' })).toThrow(/FeatureStore 'feast': 'project' must be a Feast project name .*got '_stats'/);
    });

    test('unknown online store type', () => {
      expect(() => synth({ onlineStore: { type: 'cassandra', hosts: ['c1'] } as any })).toThrow(
        /FeatureStore 'feast': 'onlineStore' must be made with OnlineStore.redis\(...\) or OnlineStore.externalRedis\(...\) \(the supported online store type is redis\), got \{"type":"cassandra","hosts":\["c1"\]\}/,
      );
    });

    test('schedule not a cron', () => {
      expect(() => synth({ materialization: { schedule: Schedule.cron('every hour') } })).toThrow(
        /Schedule.cron: 'expression' must be a cron expression with five fields .*got 'every hour'/,
      );
    });

    test('schedule given as a string', () => {
      expect(() => synth({ materialization: { schedule: '0 * * * *' as any } })).toThrow(
        /FeatureStore 'feast': 'materialization.schedule' must be made with Schedule.cron\(...\) or Schedule.daily\(...\), got '0 \* \* \* \*'/,
      );
    });

    test('key TTL negative (cdk8s Durations cannot be negative, so it can only come as a bare number)', () => {
      expect(() => OnlineStore.redis({ password: REDIS_PASSWORD, keyTtl: -60 as any })).toThrow(
        /OnlineStore.redis: 'keyTtl' must be a cdk8s Duration such as Duration.hours\(12\), got -60/,
      );
    });

    test('key TTL zero', () => {
      expect(() => OnlineStore.externalRedis({ endpoints: ['redis:6379'], keyTtl: Duration.seconds(0) })).toThrow(
        /OnlineStore.externalRedis: 'keyTtl' must be a whole number from 1 to 2147483647, got 0/,
      );
    });

    test('Redis password given as a literal', () => {
      expect(() => OnlineStore.redis({ password: 'hunter2' as any })).toThrow(
        /OnlineStore.redis: 'password' must be made with SecretValue.fromSecret\(name, key\), got 'hunter2'/,
      );
    });

    test('several endpoints for a standalone external Redis', () => {
      expect(() => OnlineStore.externalRedis({ endpoints: ['a:6379', 'b:6379'] })).toThrow(
        /OnlineStore.externalRedis: 'endpoints' must hold one address for a standalone Redis .*got \["a:6379","b:6379"\]/,
      );
    });

    test('external Redis endpoint without a port', () => {
      expect(() => OnlineStore.externalRedis({ endpoints: ['redis.example.com'] })).toThrow(
        /OnlineStore.externalRedis: 'endpoints\[0\]' must be 'host:port', got 'redis.example.com'/,
      );
    });

    test('entity key serialization version out of range', () => {
      expect(() => synth({ entityKeySerializationVersion: 4 })).toThrow(
        /FeatureStore 'feast': 'entityKeySerializationVersion' must be a whole number from 1 to 3, got 4/,
      );
    });

    test('name too long for the materialization CronJob', () => {
      expect(() => synth({ name: 'a'.repeat(41) })).toThrow(/FeatureStore 'feast': 'name' must be a DNS-1035 label.*at most 40 characters\), got 'a{41}'/);
    });

    test('S3 registry URI that is not s3://', () => {
      expect(() => Registry.s3('https://bucket/registry.db')).toThrow(/Registry.s3: 'uri' must be an S3 object URI .*got 'https:\/\/bucket\/registry.db'/);
    });

    test('S3 registry in a bucket whose name is an IP address or holds \'..\' (the S3 bucket rule of core)', () => {
      expect(() => Registry.s3('s3://192.168.1.10/registry.db')).toThrow(/Registry.s3: 'uri' must be an S3 object URI .*got 's3:\/\/192.168.1.10\/registry.db'/);
      expect(() => Registry.s3('s3://feast..registry/registry.db')).toThrow(/Registry.s3: 'uri' must be an S3 object URI .*got 's3:\/\/feast..registry\/registry.db'/);
    });

    test('S3 registry endpoint with credentials, or with a port out of range (the endpoint rule of core)', () => {
      expect(() => Registry.s3('s3://feast/registry.db', { endpoint: 'http://key:secret@minio.storage:9000' })).toThrow(
        "Registry.s3: 'endpoint' must be an http(s) URL with a host and optional port, without credentials or path (e.g. 'https://s3.example.com'), got 'http://key:secret@minio.storage:9000'",
      );
      expect(() => Registry.s3('s3://feast/registry.db', { endpoint: 'http://minio.storage:99999' })).toThrow(
        "Registry.s3: 'endpoint' must be a whole number from 1 to 65535, got 99999",
      );
    });

    test('in-cluster Redis memory too small to start, or so small that maxmemory would be 0 (no limit)', () => {
      const redis = (memory: string) => OnlineStore.redis({ password: SecretValue.fromSecret('r', 'password'), memory });
      expect(() => synth({ onlineStore: redis('32Mi') })).toThrow(
        "FeatureStore 'feast': 'onlineStore.memory' must be at least 64Mi: Redis keeps 80% of it as maxmemory and needs a few MiB for itself and an append-only-file rewrite, got '32Mi'",
      );
      expect(() => synth({ onlineStore: redis('1') })).toThrow(/'onlineStore.memory' must be at least 64Mi.*got '1'$/);
      const { objects } = synth({ onlineStore: redis('64Mi') });
      expect(find(objects, 'StatefulSet').spec.template.spec.containers[0].command[2]).toContain('--maxmemory 53687091 ');
    });

    test('external Redis CIDR with octets over 255 and a prefix over 32', () => {
      expect(() => OnlineStore.externalRedis({ endpoints: ['redis:6379'], cidr: '999.0.0.0/99' })).toThrow(
        "OnlineStore.externalRedis: 'cidr' must be an IPv4 CIDR such as '10.0.0.0/8', got '999.0.0.0/99'",
      );
    });

    test('feature view name with a space', () => {
      expect(() => synth({ materialization: { schedule: Schedule.daily(), featureViews: ['bad view'] } })).toThrow(
        /FeatureStore 'feast': 'materialization.featureViews\[0\]' must be a feature view name .*got 'bad view'/,
      );
    });

    test('replicas together with autoscaling (the HPA would own the count)', () => {
      expect(() => synth({ replicas: 3, autoscaling: { minReplicas: 2, maxReplicas: 6 } })).toThrow(
        "FeatureStore 'feast': 'replicas' cannot be combined with autoscaling (use autoscaling.minReplicas), got 3",
      );
    });

    test('autoscaling max below min', () => {
      expect(() => synth({ autoscaling: { minReplicas: 4, maxReplicas: 2 } })).toThrow(
        /FeatureStore 'feast': 'autoscaling.maxReplicas' must be a whole number from 4 to 1000, got 2/,
      );
    });
  });
});
