import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AccessMode, AlertSeverity, HttpMethod, KServeDeploymentMode, ModelFormat, ModelServer, ModelServerProps, ModelSource,
  ScalingMetric, SecretValue, ServiceType, ServingBackend, ServingRuntime, VariantSplit, VolumeClaim,
} from '../../lib';
import * as a from './arbitraries';
import { fakeTeam } from './arbitraries';
import { Breakage, breaks, expectRefused, expectRefusedOrValid, expectSynthRefused, hostileProps, params, ValidChecker } from './harness';

interface Case {
  readonly id: string;
  readonly chartNamespace?: string;
  readonly props: ModelServerProps;
}

/** A DNS-1035 label (Service names start with a letter). */
const serverName = fc.stringMatching(/^[a-z]([-a-z0-9]{0,16}[a-z0-9])?$/);

const tag = fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}(-[a-z]{1,4})?$/);

/** A runtime of each kind; `hasModel` says the server has a model source (vLLM needs one or a model id). */
const runtime = (hasModel: boolean) => fc.oneof(
  fc.record({ image: fc.option(tag.map((t) => `nvcr.io/nvidia/tritonserver:${t}`), { nil: undefined }), extraArgs: fc.option(fc.constant(['--log-verbose=1']).map((x) => [...x]), { nil: undefined }) }, { noNullPrototype: true })
    .map((o) => ServingRuntime.triton(o)),
  fc.record({ modelName: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,10}$/).filter((n) => !n.includes('..')), image: fc.option(tag.map((t) => `tensorflow/serving:${t}-gpu`), { nil: undefined }) }, { noNullPrototype: true })
    .map((o) => ServingRuntime.tfServing(o)),
  fc.constant(null).map(() => ServingRuntime.torchServe()),
  fc.record({
    model: hasModel ? fc.option(fc.constantFrom('meta-llama/Llama-3.1-8B-Instruct', 'mistralai/Mistral-7B-v0.3'), { nil: undefined }) : fc.constantFrom('meta-llama/Llama-3.1-8B-Instruct', 'Qwen/Qwen2.5-7B'),
    servedModelName: fc.option(fc.constantFrom('llm', 'chat'), { nil: undefined }),
    huggingFaceToken: fc.option(a.secretValue, { nil: undefined }),
  }, { noNullPrototype: true }).map((o) => ServingRuntime.vllm(o)),
  fc.record({
    image: a.image,
    metrics: fc.boolean(),
    servingPort: fc.constantFrom('http', 'grpc'),
    path: fc.option(fc.constantFrom('/healthz', '/ready'), { nil: undefined }),
    writablePaths: fc.option(fc.uniqueArray(a.mountPath.filter((p) => !p.startsWith('/tmp') && !p.startsWith('/models')), { maxLength: 2 }), { nil: undefined }),
  }).map((o) => ServingRuntime.custom({
    image: o.image,
    ports: [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9000 }, ...(o.metrics ? [{ name: 'metrics', port: 9090 }] : [])],
    servingPort: o.servingPort,
    probes: { readiness: { port: 'http', path: o.path }, liveness: { port: 'http' } },
    metrics: o.metrics ? { port: 'metrics' } : undefined,
    writablePaths: o.writablePaths,
  })),
);

/** A model source of each kind, made for the server's namespace (claims shared across nodes when `shared`). */
const modelSourceOf = (shared: boolean): fc.Arbitrary<(namespace?: string) => ModelSource> => fc.oneof(
  fc.tuple(a.dnsSubdomain, fc.option(fc.constantFrom('resnet', 'models/v2', '/bert/'), { nil: undefined }), fc.boolean())
    .map(([name, path, known]) => (namespace?: string) => ModelSource.claim(VolumeClaim.fromClaimName(name, {
      accessModes: shared ? [AccessMode.READ_ONLY_MANY] : [AccessMode.READ_WRITE_ONCE], namespace: known ? namespace : undefined,
    }), path)),
  fc.record({
    path: fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,10}\/[a-z0-9]{1,8}$/),
    endpoint: fc.option(fc.constantFrom('https://minio.example.com', 'http://minio.minio.svc:9000'), { nil: undefined }),
    region: fc.option(fc.constantFrom('us-east-1', 'eu-west-1'), { nil: undefined }),
    keys: fc.option(fc.tuple(a.secretValue, a.secretValue), { nil: undefined }),
    sizeLimit: fc.option(a.storageSize, { nil: undefined }),
  }).map((o) => () => ModelSource.s3(`s3://${o.path}`, { endpoint: o.endpoint, region: o.region, accessKeyId: o.keys?.[0], secretAccessKey: o.keys?.[1], sizeLimit: o.sizeLimit })),
  fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,10}\/[a-z0-9]{1,8}$/), fc.option(a.secretValue, { nil: undefined }))
    .map(([path, key]) => () => ModelSource.gcs(`gs://${path}`, { serviceAccountKey: key })),
  fc.stringMatching(/^[a-z0-9]{1,8}\.example\.com\/[a-z0-9]{1,8}$/).map((p) => () => ModelSource.https(`https://${p}`)),
);
// Arbitraries are built once: building them (regexes) inside chain() for every run is slow.
const modelSources = { shared: modelSourceOf(true), single: modelSourceOf(false) };
const runtimes = { withModel: runtime(true), withoutModel: runtime(false) };

const autoscaling = fc.record({
  min: fc.integer({ min: 1, max: 10 }),
  extra: fc.integer({ min: 0, max: 20 }),
  cpuUtilization: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  metrics: fc.option(fc.array(fc.oneof(
    fc.integer({ min: 1, max: 1000 }).map((n) => ScalingMetric.requestsPerSecond(n)),
    fc.integer({ min: 1, max: 5000 }).map((ms) => ScalingMetric.queueTime(Duration.millis(ms))),
    fc.double({ min: 0.1, max: 100, noNaN: true }).map((n) => ScalingMetric.pods('inflight_requests', n)),
  ), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  scaleUp: fc.option(fc.record({ stabilizationWindow: a.duration(0, 3600), maxPods: fc.integer({ min: 1, max: 10 }), period: a.duration(1, 1800) }, { requiredKeys: [], noNullPrototype: true }), { nil: undefined }),
  scaleDown: fc.option(fc.record({ stabilizationWindow: a.duration(0, 3600), maxPods: fc.integer({ min: 1, max: 10 }), period: a.duration(1, 1800) }, { requiredKeys: [], noNullPrototype: true }), { nil: undefined }),
  prometheus: fc.boolean(),
  // Scale to zero with KEDA, with the default cooldown or one longer than any startup budget drawn here.
  zero: fc.option(fc.boolean(), { nil: undefined }),
}).map((o) => ({
  minReplicas: o.prometheus && o.zero !== undefined ? 0 : o.min,
  maxReplicas: o.min + o.extra,
  cooldown: o.prometheus && o.zero === true ? Duration.hours(3) : undefined,
  cpuUtilization: o.cpuUtilization,
  ...(o.prometheus
    ? { prometheus: { serverAddress: 'http://prometheus.monitoring.svc:9090', query: 'sum(rate(requests_total[1m]))', threshold: 50 } }
    : { metrics: o.metrics }),
  scaleUp: o.scaleUp,
  scaleDown: o.scaleDown,
}));

const validDeployment: fc.Arbitrary<Case> = fc.record({
  id: serverName,
  name: fc.option(serverName, { nil: undefined }),
  nsMode: fc.constantFrom('chart', 'prop', 'team', 'none'),
  namespace: a.dnsLabel(20),
  hasModel: fc.boolean(),
  scaling: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 20 }), autoscaling),
  accelerator: fc.option(a.accelerator, { nil: undefined }),
  cpu: fc.option(fc.tuple(fc.integer({ min: 1, max: 16 }), fc.option(fc.integer({ min: 0, max: 16 }), { nil: undefined })), { nil: undefined }),
  memory: fc.option(fc.tuple(fc.integer({ min: 2, max: 128 }), fc.option(fc.integer({ min: 0, max: 64 }), { nil: undefined })), { nil: undefined }),
  sharedMemory: fc.option(fc.constantFrom('256Mi', '1Gi'), { nil: undefined }),
  env: a.env,
  secretEnv: a.secretEnv,
  probePeriod: fc.option(a.duration(1, 300), { nil: undefined }),
  startupMinutes: fc.option(fc.integer({ min: 5, max: 120 }), { nil: undefined }),
  maxSurge: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  requireSpreadAcrossNodes: fc.option(fc.boolean(), { nil: undefined }),
  serviceType: fc.option(fc.constantFrom(ServiceType.CLUSTER_IP, ServiceType.NODE_PORT, ServiceType.LOAD_BALANCER), { nil: undefined }),
  ingress: fc.option(fc.record({
    host: fc.tuple(fc.boolean(), a.dnsSubdomain).map(([wild, h]) => `${wild ? '*.' : ''}${h}.example.com`),
    path: fc.constantFrom('/', '/v1', '/api/models'),
    className: fc.constantFrom('nginx', 'traefik'),
    tlsSecretName: a.dnsSubdomain,
    controllerNamespace: a.dnsLabel(20),
    annotations: fc.constant({ 'nginx.ingress.kubernetes.io/proxy-body-size': '64m' }),
  }, { requiredKeys: ['host'], noNullPrototype: true })
    // Plain HTTP only with its acknowledgement.
    .map((i) => (i.tlsSecretName === undefined ? { ...i, allowPlainHttp: true } : i)), { nil: undefined }),
  access: fc.option(fc.record({
    namespaces: fc.uniqueArray(a.dnsLabel(15), { maxLength: 2 }),
    peers: fc.array(fc.record({ podSelector: fc.dictionary(a.labelKey, a.labelValue, { maxKeys: 2, noNullPrototype: true }), namespace: fc.option(a.dnsLabel(15), { nil: undefined }) }), { maxLength: 2 }),
    cidrs: fc.array(fc.constantFrom('10.0.0.0/8', '192.168.0.0/16', '203.0.113.7/32'), { maxLength: 2 }),
  }, { requiredKeys: [], noNullPrototype: true }), { nil: undefined }),
  monitoring: fc.option(fc.record({
    scraperNamespace: a.dnsLabel(15),
    serviceMonitor: fc.boolean(),
    interval: a.duration(1, 3600),
    latency: fc.option(a.duration(1, 60), { nil: undefined }),
    errorRate: fc.option(fc.double({ min: 0.001, max: 0.999, noNaN: true }), { nil: undefined }),
    for: fc.option(a.duration(0, 3600), { nil: undefined }),
    severity: fc.option(fc.constantFrom(AlertSeverity.WARNING, AlertSeverity.CRITICAL), { nil: undefined }),
  }), { nil: undefined }),
  istio: fc.option(fc.record({
    mtls: fc.boolean(),
    allowedCallers: fc.option(fc.record({
      serviceAccounts: fc.array(fc.record({ name: a.dnsLabel(15), namespace: a.dnsLabel(15) }), { minLength: 1, maxLength: 2 }),
      methods: fc.option(fc.subarray([HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE], { minLength: 1 }), { nil: undefined }),
      paths: fc.option(fc.array(fc.constantFrom('/v1/models/*', '/v2/*', '*', '/v1/models/{*}/infer', '/v2/models/{**}'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    }, { noNullPrototype: true }), { nil: undefined }),
  }, { requiredKeys: [], noNullPrototype: true }), { nil: undefined }),
  gateway: fc.option(fc.record({
    namespace: fc.option(a.dnsLabel(15), { nil: undefined }),
    sectionName: fc.option(fc.constantFrom('https', 'web'), { nil: undefined }),
    hostnames: fc.option(fc.array(fc.tuple(fc.boolean(), a.dnsSubdomain).map(([wild, h]) => `${wild ? '*.' : ''}${h}.example.com`), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    pathPrefix: fc.option(fc.constantFrom('/', '/v1', '/api/models/'), { nil: undefined }),
    requestTimeout: fc.option(a.duration(1, 3600), { nil: undefined }),
    pool: fc.boolean(),
    split: fc.boolean(),
  }, { noNullPrototype: true }), { nil: undefined }),
  variants: fc.option(fc.tuple(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { minLength: 2, maxLength: 3 }), fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 3, maxLength: 3 })), { nil: undefined }),
  scheduling: a.scheduling(true),
  serviceAccountName: fc.option(a.dnsSubdomain, { nil: undefined }),
  security: fc.option(fc.record({ user: fc.integer({ min: 1, max: 65535 }), group: fc.integer({ min: 0, max: 65535 }) }, { requiredKeys: [], noNullPrototype: true }), { nil: undefined }),
  labels: a.labels,
}).chain((c) => {
  const namespace = c.nsMode === 'none' ? undefined : c.namespace;
  const maxReplicas = typeof c.scaling === 'number' ? c.scaling : c.scaling?.maxReplicas ?? 2;
  const sources = maxReplicas > 1 ? modelSources.shared : modelSources.single;
  return fc.tuple(c.hasModel ? runtimes.withModel : runtimes.withoutModel, c.hasModel ? sources : fc.constant(undefined), fc.option(sources, { nil: undefined }))
    .map(([rt, modelOf, variantModelOf]): Case => {
      const model = modelOf?.(namespace);
      const variantModel = variantModelOf?.(namespace);
      const metrics = rt.metrics !== undefined;
      const m = c.monitoring;
      const alerts = m && rt.kind !== 'custom' && (m.latency !== undefined || (m.errorRate !== undefined && rt.kind !== 'torchserve'))
        ? { latencyAbove: m.latency, errorRateAbove: rt.kind === 'torchserve' ? undefined : m.errorRate, for: m.for, severity: m.severity }
        : undefined;
      const period = c.probePeriod?.toSeconds() ?? 10;
      const props: ModelServerProps = {
        name: c.name,
        namespace: c.nsMode === 'prop' ? c.namespace : undefined,
        team: c.nsMode === 'team' ? fakeTeam(c.namespace) : undefined,
        runtime: rt,
        model,
        replicas: typeof c.scaling === 'number' ? c.scaling : undefined,
        // Variants cannot scale to zero (the split keeps sending each its share).
        autoscaling: typeof c.scaling !== 'object' ? undefined : c.variants !== undefined && c.scaling.minReplicas === 0 ? { ...c.scaling, minReplicas: 1, cooldown: undefined } : c.scaling,
        accelerator: c.accelerator,
        cpu: c.cpu?.[0],
        cpuLimit: c.cpu?.[1] === undefined ? undefined : c.cpu[0] + c.cpu[1],
        memory: c.memory ? `${c.memory[0]}Gi` : undefined,
        memoryLimit: c.memory?.[1] === undefined ? undefined : `${c.memory[0] + c.memory[1]}Gi`,
        sharedMemory: c.sharedMemory,
        env: c.env,
        secretEnv: c.secretEnv,
        probePeriod: c.probePeriod,
        startupTimeout: c.startupMinutes === undefined ? undefined : Duration.seconds(Math.max(period, c.startupMinutes * 60)),
        maxSurge: c.maxSurge,
        requireSpreadAcrossNodes: c.requireSpreadAcrossNodes,
        serviceType: c.serviceType,
        // An Ingress would bypass the variants' split: refused with variants (see platform-checks.test).
        ingress: c.variants === undefined ? c.ingress : undefined,
        // A NodePort or LoadBalancer Service must name the client ranges it admits.
        access: c.serviceType === ServiceType.NODE_PORT || c.serviceType === ServiceType.LOAD_BALANCER
          ? { ...c.access, cidrs: c.access?.cidrs?.length ? c.access.cidrs : ['10.0.0.0/8'] }
          : c.access,
        monitoring: m && metrics ? { scraperNamespace: m.scraperNamespace, serviceMonitor: m.serviceMonitor, interval: m.interval, alerts } : undefined,
        istio: c.istio,
        gateway: c.gateway === undefined ? undefined : {
          gateway: { name: 'inference-gateway', namespace: c.gateway.namespace, sectionName: c.gateway.sectionName },
          hostnames: c.gateway.hostnames, pathPrefix: c.gateway.pathPrefix, requestTimeout: c.gateway.requestTimeout,
          // An InferencePool balances by load: refused with variants.
          inferencePool: c.gateway.pool && c.variants === undefined ? {} : undefined,
        },
        variantSplit: c.gateway?.split && c.variants !== undefined ? VariantSplit.GATEWAY : undefined,
        variants: c.variants === undefined ? undefined : c.variants[0].map((name, i, names) => ({
          name,
          // Weights that sum to 100.
          weight: i < names.length - 1 ? Math.floor(c.variants![1][i] / names.length) : 100 - names.slice(0, -1).reduce((s, _, j) => s + Math.floor(c.variants![1][j] / names.length), 0),
          model: i === 1 ? variantModel : undefined,
        })),
        scheduling: c.scheduling,
        serviceAccountName: c.serviceAccountName,
        security: c.security,
        labels: c.labels,
      };
      return { id: c.id, chartNamespace: c.nsMode === 'chart' ? c.namespace : undefined, props };
    });
});

const validKServe: fc.Arbitrary<Case> = fc.record({
  id: serverName,
  nsMode: fc.constantFrom('chart', 'prop', 'none'),
  namespace: a.dnsLabel(20),
  mode: fc.constantFrom(KServeDeploymentMode.RAW_DEPLOYMENT, KServeDeploymentMode.SERVERLESS),
  format: fc.option(fc.constantFrom(...Object.values(ModelFormat)), { nil: undefined }),
  formatVersion: fc.option(fc.constantFrom('1', '2.3'), { nil: undefined }),
  runtimeName: fc.option(a.dnsLabel(20), { nil: undefined }),
  canary: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  preset: fc.constantFrom('triton', 'torchserve', 'none'),
  uri: fc.constantFrom('s3://models/resnet', 'gs://bucket/bert', 'https://models.example.com/m.onnx'),
  scaling: fc.oneof(
    fc.constant(undefined), fc.integer({ min: 1, max: 10 }), fc.record({ min: fc.integer({ min: 1, max: 5 }), extra: fc.integer({ min: 0, max: 10 }), cpu: fc.integer({ min: 1, max: 100 }) }),
    // Scale to zero (Serverless only), with a cooldown of the default or longer than the 10-minute budget.
    fc.record({ max: fc.integer({ min: 1, max: 5 }), cooldownMinutes: fc.option(fc.integer({ min: 10, max: 600 }), { nil: undefined }) }),
  ),
  accelerator: fc.option(a.accelerator, { nil: undefined }),
  env: a.env,
  serviceAccountName: fc.option(a.dnsSubdomain, { nil: undefined }),
  labels: a.labels,
  scheduling: a.scheduling(true),
}).map((c): Case => {
  const serverless = c.mode === KServeDeploymentMode.SERVERLESS;
  const props: ModelServerProps = {
    namespace: c.nsMode === 'prop' ? c.namespace : undefined,
    backend: ServingBackend.kserve({
      mode: c.mode,
      modelFormat: c.preset === 'none' ? c.format ?? ModelFormat.SKLEARN : c.format,
      modelFormatVersion: c.formatVersion,
      runtimeName: c.runtimeName,
      canaryTrafficPercent: serverless ? c.canary : undefined,
    }),
    runtime: c.preset === 'triton' ? ServingRuntime.triton() : c.preset === 'torchserve' ? ServingRuntime.torchServe() : undefined,
    model: ModelSource.fromUri(c.uri),
    replicas: typeof c.scaling === 'number' ? c.scaling : undefined,
    autoscaling: typeof c.scaling !== 'object' ? undefined
      : 'cpu' in c.scaling ? { minReplicas: c.scaling.min, maxReplicas: c.scaling.min + c.scaling.extra, cpuUtilization: c.scaling.cpu }
        : { minReplicas: serverless ? 0 : 1, maxReplicas: c.scaling.max, cooldown: serverless && c.scaling.cooldownMinutes !== undefined ? Duration.minutes(c.scaling.cooldownMinutes) : undefined },
    accelerator: c.accelerator,
    env: c.env,
    serviceAccountName: c.serviceAccountName,
    labels: c.labels,
    scheduling: c.scheduling,
  };
  return { id: c.id, chartNamespace: c.nsMode === 'chart' ? c.namespace : undefined, props };
});

type P = ModelServerProps;
const set = <K extends keyof P>(key: K) => (p: P, value: unknown): P => ({ ...p, [key]: value });
const deploymentOnly = (p: P): P => ({
  ...p, backend: undefined, runtime: p.runtime ?? ServingRuntime.triton(),
  // KServe Serverless scales to zero without KEDA; a Deployment's HorizontalPodAutoscaler cannot.
  autoscaling: p.autoscaling?.minReplicas === 0 && p.autoscaling.prometheus === undefined ? undefined : p.autoscaling,
});
/** The props with the KServe backend (and without the Deployment-only props). */
const kserveOnly = (p: P, backend = ServingBackend.kserve()): P => ({
  ...p, backend, runtime: ServingRuntime.triton(), model: ModelSource.fromUri('s3://b/m'), variants: undefined, ingress: undefined, startupTimeout: undefined,
  monitoring: undefined, requireSpreadAcrossNodes: undefined, maxSurge: undefined, serviceType: undefined, autoscaling: undefined, probePeriod: undefined, replicas: undefined,
  gateway: undefined, variantSplit: undefined,
});
const KSERVE_ONLY_BREAKS: Record<string, unknown> = {
  ingress: { host: 'x.example.com' }, variants: [{ name: 'a', weight: 50 }, { name: 'b', weight: 50 }], monitoring: {}, maxSurge: 2, requireSpreadAcrossNodes: true, startupTimeout: Duration.minutes(5),
};

const breakages: fc.Arbitrary<Breakage<P>> = fc.oneof<fc.Arbitrary<Breakage<P>>[]>(
  breaks<P, any>(fc.oneof(a.badDnsName, fc.constantFrom('1abc', '9-x')), 'name', set('name')),
  breaks<P, any>(a.badDnsName, 'namespace', (p, namespace) => ({ ...p, namespace, team: undefined })),
  breaks<P, any>(fc.constantFrom<unknown>('triton', { kind: 'triton' }), 'runtime', set('runtime')),
  breaks<P, any>(fc.constant(undefined), 'runtime', (p) => ({ ...p, backend: undefined, runtime: undefined })),
  breaks<P, any>(fc.constantFrom<unknown>('s3://bucket/model', { uri: 's3://x' }), 'model', set('model')),
  breaks<P, any>(fc.constantFrom<unknown>('kserve', {}), 'backend', set('backend')),
  breaks<P, any>(fc.oneof(a.badCount(1), fc.constant(1001)), 'replicas', (p, replicas) => ({ ...p, replicas, autoscaling: undefined })),
  breaks<P, any>(fc.integer({ min: 1, max: 5 }), 'replicas', (p, replicas) => ({ ...p, replicas, autoscaling: { maxReplicas: 5 } })),
  breaks<P, any>(fc.oneof(a.badCount(1), fc.constant(1001)), 'autoscaling.maxReplicas', (p, maxReplicas) => ({ ...deploymentOnly(p), replicas: undefined, autoscaling: { minReplicas: 1, maxReplicas } })),
  breaks<P, any>(fc.integer({ min: 3, max: 10 }), 'autoscaling.minReplicas', (p, minReplicas) => ({ ...deploymentOnly(p), replicas: undefined, autoscaling: { minReplicas, maxReplicas: 2 } })),
  breaks<P, any>(fc.constantFrom(0, 101, 50.5), 'autoscaling.cpuUtilization', (p, cpuUtilization) => ({ ...deploymentOnly(p), replicas: undefined, autoscaling: { maxReplicas: 4, cpuUtilization } })),
  breaks<P, any>(fc.constantFrom<unknown>(['rps'], [{ metricName: 'x' }], 'rps'), 'autoscaling.metrics', (p, metrics) => ({ ...deploymentOnly(p), replicas: undefined, autoscaling: { maxReplicas: 4, metrics } })),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.hours(2))), 'autoscaling.scaleUp.stabilizationWindow', (p, stabilizationWindow) => ({ ...deploymentOnly(p), replicas: undefined, autoscaling: { maxReplicas: 4, scaleUp: { stabilizationWindow } } })),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.hours(1))), 'autoscaling.scaleDown.period', (p, period) => ({ ...deploymentOnly(p), replicas: undefined, autoscaling: { maxReplicas: 4, scaleDown: { period } } })),
  breaks<P, any>(fc.constantFrom('prometheus:9090', 'http://user:pw@prom:9090', ''), 'autoscaling.prometheus.serverAddress', (p, serverAddress) => ({ ...deploymentOnly(p), replicas: undefined, autoscaling: { maxReplicas: 4, prometheus: { serverAddress, query: 'up', threshold: 1 } } })),
  breaks<P, any>(fc.constantFrom(0, -1, NaN), 'autoscaling.prometheus.threshold', (p, threshold) => ({ ...deploymentOnly(p), replicas: undefined, autoscaling: { maxReplicas: 4, prometheus: { serverAddress: 'http://prom:9090', query: 'up', threshold } } })),
  breaks<P, any>(a.multiHostTpu, 'accelerator', (p, accelerator) => ({ ...deploymentOnly(p), accelerator })),
  breaks<P, any>(fc.constantFrom<unknown>({ count: 1 }, 'gpu'), 'accelerator', set('accelerator')),
  breaks<P, any>(a.badQuantity, 'cpu', set('cpu')),
  breaks<P, any>(a.badQuantity, 'memory', (p, memory) => ({ ...p, memory, sharedMemory: undefined, runtime: p.runtime?.kind === 'vllm' ? ServingRuntime.triton() : p.runtime })),
  breaks<P, any>(fc.constantFrom(1, '500m'), 'cpuLimit', (p, cpuLimit) => ({ ...p, cpu: 2, cpuLimit })),
  breaks<P, any>(fc.constantFrom('1Gi', '4G'), 'memoryLimit', (p, memoryLimit) => ({ ...p, memory: '8Gi', memoryLimit, sharedMemory: undefined })),
  breaks<P, any>(a.badEnv, (e) => e.prop, (p, e) => ({ ...p, env: e.value })),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.minutes(10))), 'probePeriod', (p, probePeriod) => ({ ...deploymentOnly(p), probePeriod, startupTimeout: undefined })),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.seconds(5))), 'startupTimeout', (p, startupTimeout) => ({ ...deploymentOnly(p), probePeriod: Duration.seconds(10), startupTimeout })),
  breaks<P, any>(fc.constantFrom(0, 101, 1.5), 'maxSurge', (p, maxSurge) => ({ ...deploymentOnly(p), maxSurge })),
  breaks<P, any>(fc.constantFrom<unknown>('Ingress', 'clusterip'), 'serviceType', (p, serviceType) => ({ ...deploymentOnly(p), serviceType })),
  breaks<P, any>(fc.constantFrom(ServiceType.LOAD_BALANCER, ServiceType.NODE_PORT), 'serviceType', (p, serviceType) => ({ ...deploymentOnly(p), serviceType, access: { ...p.access, cidrs: [] } })),
  breaks<P, any>(fc.constantFrom<unknown>('10.0.0.0', '10.0.0.0/33', 'any', 7), 'access.cidrs[0]', (p, cidr) => ({ ...p, access: { ...p.access, cidrs: [cidr] } })),
  breaks<P, any>(fc.constantFrom('Example.com', 'a b.com', '', 'http://x.com'), 'ingress.host', (p, host) => ({ ...deploymentOnly(p), ingress: { host } })),
  breaks<P, any>(fc.constantFrom('v1', ''), 'ingress.path', (p, path) => ({ ...deploymentOnly(p), ingress: { host: 'ml.example.com', path } })),
  breaks<P, any>(a.badSubdomain, 'ingress.tlsSecretName', (p, tlsSecretName) => ({ ...deploymentOnly(p), ingress: { host: 'ml.example.com', tlsSecretName } })),
  breaks<P, any>(a.badDnsName, 'access.namespaces[0]', (p, ns) => ({ ...p, access: { ...p.access, namespaces: [ns] } })),
  breaks<P, any>(fc.constantFrom<unknown>(null, 'app=x', { podSelector: 'app=x' }), 'access.peers[0]', (p, peer) => ({ ...p, access: { ...p.access, peers: [peer] } })),
  breaks<P, any>(a.badLabels, 'access.peers[0]', (p, podSelector) => ({ ...p, access: { ...p.access, peers: [{ podSelector }] } })),
  breaks<P, any>(a.badDnsName, 'monitoring.scraperNamespace', (p, scraperNamespace) => ({ ...deploymentOnly(p), monitoring: { scraperNamespace } })),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.hours(2))), 'monitoring.interval', (p, interval) => ({ ...deploymentOnly(p), runtime: ServingRuntime.triton(), monitoring: { interval } })),
  breaks<P, any>(a.badDuration, 'monitoring.alerts.for', (p, f) => ({ ...deploymentOnly(p), runtime: ServingRuntime.triton(), monitoring: { alerts: { errorRateAbove: 0.1, for: f } } })),
  breaks<P, any>(fc.constantFrom<unknown>(0, 1, 5, -0.1, '5%'), 'monitoring.alerts.errorRateAbove', (p, errorRateAbove) => ({ ...deploymentOnly(p), runtime: ServingRuntime.triton(), monitoring: { alerts: { errorRateAbove } } })),
  breaks<P, any>(fc.constantFrom<unknown>(Duration.seconds(0), 5, '1s'), 'monitoring.alerts.latencyAbove', (p, latencyAbove) => ({ ...deploymentOnly(p), runtime: ServingRuntime.triton(), monitoring: { alerts: { latencyAbove } } })),
  breaks<P, any>(fc.constant({}), 'monitoring.alerts', (p, alerts) => ({ ...deploymentOnly(p), runtime: ServingRuntime.triton(), monitoring: { alerts } })),
  breaks<P, any>(fc.constant({}), 'monitoring', (p, monitoring) => ({ ...deploymentOnly(p), runtime: ServingRuntime.custom({ image: 'acme/server:1.0', ports: [{ name: 'http', port: 8080 }], probes: { readiness: { port: 'http' }, liveness: { port: 'http' } } }), monitoring })),
  breaks<P, any>(fc.constantFrom<unknown>([], undefined), 'istio.allowedCallers.serviceAccounts', (p, serviceAccounts) => ({ ...deploymentOnly(p), istio: { allowedCallers: { serviceAccounts } } })),
  breaks<P, any>(a.badDnsName, 'istio.allowedCallers.serviceAccounts[0].name', (p, name) => ({ ...deploymentOnly(p), istio: { allowedCallers: { serviceAccounts: [{ name, namespace: 'ml' }] } } })),
  breaks<P, any>(fc.integer({ min: 0, max: 599 }), 'autoscaling.cooldown', (p, seconds) => ({
    ...deploymentOnly(p), replicas: undefined, variants: undefined, variantSplit: undefined, ingress: p.ingress, probePeriod: Duration.seconds(10), startupTimeout: Duration.minutes(10),
    autoscaling: { minReplicas: 0, maxReplicas: 1, cooldown: Duration.seconds(seconds), prometheus: { serverAddress: 'http://prom:9090', query: 'up', threshold: 1 } },
  })),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.hours(1))), 'autoscaling.cooldown', (p, cooldown) => ({ ...deploymentOnly(p), replicas: undefined, autoscaling: { minReplicas: 1, maxReplicas: 2, cooldown, prometheus: { serverAddress: 'http://prom:9090', query: 'up', threshold: 1 } } })),
  breaks<P, any>(fc.constant(0), 'autoscaling.minReplicas', (p, minReplicas) => ({ ...deploymentOnly(p), replicas: undefined, variants: undefined, variantSplit: undefined, autoscaling: { minReplicas, maxReplicas: 1 } })),
  breaks<P, any>(fc.constant(0), 'autoscaling.minReplicas', (p, minReplicas) => ({ ...kserveOnly(p), autoscaling: { minReplicas, maxReplicas: 3 } })),
  breaks<P, any>(fc.constantFrom('10.0.0.1', 'ML.example.com', 'a b.com', ''), 'gateway.hostnames[0]', (p, host) => ({ ...deploymentOnly(p), gateway: { gateway: { name: 'gw' }, hostnames: [host] } })),
  breaks<P, any>(fc.constantFrom('v1', '/v1//x', '/a/../b', '/x#y', '/%2fa'), 'gateway.pathPrefix', (p, pathPrefix) => ({ ...deploymentOnly(p), gateway: { gateway: { name: 'gw' }, pathPrefix } })),
  breaks<P, any>(a.badSubdomain, 'gateway.gateway.name', (p, name) => ({ ...deploymentOnly(p), gateway: { gateway: { name } } })),
  breaks<P, any>(fc.constantFrom<unknown>('gateway', 'istio'), 'variantSplit', (p, variantSplit) => ({ ...deploymentOnly(p), variants: undefined, gateway: undefined, variantSplit })),
  breaks<P, any>(fc.constantFrom('v1/models', '', '/v1/models/*/infer', '/{**}/x/{*}', '/v1/{model}/infer', '/v1/{*}.json', '*/{*}'), 'istio.allowedCallers.paths[0]', (p, path) => ({ ...deploymentOnly(p), istio: { allowedCallers: { serviceAccounts: [{ name: 'a', namespace: 'b' }], paths: [path] } } })),
  breaks<P, any>(fc.constantFrom<unknown>([], [{ name: 'a', weight: 100 }], 'a/b'), 'variants', (p, variants) => ({ ...deploymentOnly(p), variants })),
  breaks<P, any>(fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 })).filter(([x, y]) => x + y !== 100), 'variants', (p, [x, y]) => ({ ...deploymentOnly(p), variants: [{ name: 'a', weight: x }, { name: 'b', weight: y }] })),
  breaks<P, any>(fc.constantFrom(-1, 101, 50.5), 'variants[0].weight', (p, w) => ({ ...deploymentOnly(p), variants: [{ name: 'a', weight: w }, { name: 'b', weight: 100 - w }] })),
  breaks<P, any>(a.badDnsName, 'variants[0].name', (p, name) => ({ ...deploymentOnly(p), variants: [{ name, weight: 50 }, { name: 'b', weight: 50 }] })),
  breaks<P, any>(fc.constant('a'), 'variants[1].name', (p, name) => ({ ...deploymentOnly(p), variants: [{ name, weight: 50 }, { name, weight: 50 }] })),
  breaks<P, any>(fc.constant(null), 'variants[1].runtime', (p) => ({ ...deploymentOnly(p), runtime: ServingRuntime.triton(), variants: [{ name: 'a', weight: 50 }, { name: 'b', weight: 50, runtime: ServingRuntime.vllm({ model: 'x/y' }) }] })),
  breaks<P, any>(fc.constantFrom<unknown>(null, 'v1'), 'variants[0]', (p, v) => ({ ...deploymentOnly(p), variants: [v, { name: 'b', weight: 100 }] })),
  breaks<P, any>(a.badScheduling, (s) => s.prop, (p, s) => ({ ...p, scheduling: s.value })),
  breaks<P, any>(a.badSubdomain, 'serviceAccountName', set('serviceAccountName')),
  breaks<P, any>(fc.constantFrom(0, -1), 'security.user', (p, user) => ({ ...deploymentOnly(p), security: { user } })),
  breaks<P, any>(a.badLabels, 'labels', set('labels')),
  breaks<P, any>(fc.constantFrom<unknown>('x/y', 'serverless'), 'backend.mode', (p, mode) => kserveOnly(p, ServingBackend.kserve({ mode: mode as KServeDeploymentMode }))),
  breaks<P, any>(fc.constantFrom(-1, 101, 5.5), 'backend.canaryTrafficPercent', (p, canaryTrafficPercent) => kserveOnly(p, ServingBackend.kserve({ mode: KServeDeploymentMode.SERVERLESS, canaryTrafficPercent }))),
  breaks<P, any>(fc.constant(10), 'backend.canaryTrafficPercent', (p, canaryTrafficPercent) => kserveOnly(p, ServingBackend.kserve({ mode: KServeDeploymentMode.RAW_DEPLOYMENT, canaryTrafficPercent }))),
  breaks<P, any>(fc.constant(undefined), 'model', (p) => ({ ...kserveOnly(p), model: undefined })),
  breaks<P, any>(fc.constantFrom(ModelSource.s3('s3://b/m', { accessKeyId: SecretValue.fromSecret('s', 'id'), secretAccessKey: SecretValue.fromSecret('s', 'key') }), ModelSource.gcs('gs://b/m', { serviceAccountKey: SecretValue.fromSecret('s', 'key') })), 'model', (p, model) => ({ ...kserveOnly(p), model })),
  breaks<P, any>(fc.constantFrom<unknown>('onnx2', 'ONNX'), 'backend.modelFormat', (p, modelFormat) => ({ ...kserveOnly(p, ServingBackend.kserve({ modelFormat: modelFormat as ModelFormat })), runtime: undefined })),
  breaks<P, any>(fc.constant(undefined), 'backend.modelFormat', (p) => ({ ...kserveOnly(p), runtime: undefined })),
  breaks<P, any>(fc.constant(undefined), 'runtime', (p) => ({ ...kserveOnly(p), runtime: ServingRuntime.custom({ image: 'a/b:1', ports: [{ name: 'http', port: 80 }], probes: { readiness: { port: 'http' }, liveness: { port: 'http' } } }) })),
  breaks<P, any>(fc.constantFrom(...Object.keys(KSERVE_ONLY_BREAKS)), (k) => k, (p, k) => ({ ...kserveOnly(p), [k]: KSERVE_ONLY_BREAKS[k] })),
  breaks<P, any>(fc.constant(ServiceType.LOAD_BALANCER), 'serviceType', (p, serviceType) => ({ ...kserveOnly(p), serviceType })),
  breaks<P, any>(fc.constant(undefined), 'autoscaling.prometheus', (p) => ({ ...kserveOnly(p), autoscaling: { maxReplicas: 3, prometheus: { serverAddress: 'http://p:9090', query: 'up', threshold: 1 } } })),
  breaks<P, any>(fc.constant(undefined), 'autoscaling.scaleUp', (p) => ({ ...kserveOnly(p), autoscaling: { maxReplicas: 3, scaleUp: { maxPods: 2 } } })),
  breaks<P, any>(fc.constant(AccessMode.READ_WRITE_ONCE), 'model.claim', (p, mode) => ({ ...deploymentOnly(p), namespace: undefined, team: undefined, variants: undefined, variantSplit: undefined, replicas: 3, autoscaling: undefined, model: ModelSource.claim(VolumeClaim.fromClaimName('models', { accessModes: [mode] })) })),
);

const badServingCall: fc.Arbitrary<{ call: () => unknown; subject: string; prop: string }> = fc.oneof(
  fc.constantFrom('', 'a b', '/x', 'a..b', undefined).map((modelName) => ({ call: () => ServingRuntime.tfServing({ modelName: modelName as string }), subject: 'ServingRuntime.tfServing', prop: 'modelName' })),
  fc.constantFrom('', 'a b', '-x').map((model) => ({ call: () => ServingRuntime.vllm({ model }), subject: 'ServingRuntime.vllm', prop: 'model' })),
  fc.constantFrom<unknown>('hf_abc', { secretName: 'x' }).map((t) => ({ call: () => ServingRuntime.vllm({ model: 'x/y', huggingFaceToken: t as any }), subject: 'ServingRuntime.vllm', prop: 'huggingFaceToken' })),
  a.badImage.map((image) => ({ call: () => ServingRuntime.custom({ image: image as string, ports: [{ name: 'http', port: 80 }], probes: { readiness: { port: 'http' }, liveness: { port: 'http' } } }), subject: 'ServingRuntime.custom', prop: 'image' })),
  fc.constantFrom<unknown>([], undefined, 'http').map((ports) => ({ call: () => ServingRuntime.custom({ image: 'a/b:1', ports: ports as any, probes: { readiness: { port: 'http' }, liveness: { port: 'http' } } }), subject: 'ServingRuntime.custom', prop: 'ports' })),
  fc.constantFrom(0, 70000, 1.5).map((port) => ({ call: () => ServingRuntime.custom({ image: 'a/b:1', ports: [{ name: 'http', port }], probes: { readiness: { port: 'http' }, liveness: { port: 'http' } } }), subject: 'ServingRuntime.custom', prop: 'ports[0].port' })),
  fc.constantFrom('HTTP', 'a_b', 'x'.repeat(16), '123').map((name) => ({ call: () => ServingRuntime.custom({ image: 'a/b:1', ports: [{ name, port: 80 }], probes: { readiness: { port: name }, liveness: { port: name } } }), subject: 'ServingRuntime.custom', prop: 'ports[0].name' })),
  fc.constantFrom('grpc', '').map((port) => ({ call: () => ServingRuntime.custom({ image: 'a/b:1', ports: [{ name: 'http', port: 80 }], probes: { readiness: { port }, liveness: { port: 'http' } } }), subject: 'ServingRuntime.custom', prop: 'probes.readiness.port' })),
  fc.constantFrom<unknown>(undefined, {}, { readiness: { port: 'http' } }).map((probes) => ({ call: () => ServingRuntime.custom({ image: 'a/b:1', ports: [{ name: 'http', port: 80 }], probes: probes as any }), subject: 'ServingRuntime.custom', prop: 'probes' })),
  fc.constantFrom('models', '/a/../b').map((modelPath) => ({ call: () => ServingRuntime.custom({ image: 'a/b:1', ports: [{ name: 'http', port: 80 }], probes: { readiness: { port: 'http' }, liveness: { port: 'http' } }, modelPath }), subject: 'ServingRuntime.custom', prop: 'modelPath' })),
  fc.constantFrom('bucket/x', 's3:/x', 's3://', 's3://user:pw@bucket/x').map((uri) => ({ call: () => ModelSource.s3(uri), subject: 'ModelSource.s3', prop: 'uri' })),
  fc.constantFrom('minio:9000', 'https://user:pw@minio', 'ftp://x').map((endpoint) => ({ call: () => ModelSource.s3('s3://b/m', { endpoint }), subject: 'ModelSource.s3', prop: 'endpoint' })),
  fc.constant(null).map(() => ({ call: () => ModelSource.s3('s3://b/m', { accessKeyId: SecretValue.fromSecret('s3', 'id') }), subject: 'ModelSource.s3', prop: 'secretAccessKey' })),
  a.badQuantity.map((sizeLimit) => ({ call: () => ModelSource.https('https://x.example.com/m', { sizeLimit: sizeLimit as string }), subject: 'ModelSource.https', prop: 'sizeLimit' })),
  fc.constantFrom('bucket/x', 'gs:/x').map((uri) => ({ call: () => ModelSource.gcs(uri), subject: 'ModelSource.gcs', prop: 'uri' })),
  fc.constantFrom('ftp://x/y', 'models', '').map((uri) => ({ call: () => ModelSource.fromUri(uri), subject: 'ModelSource.fromUri', prop: 'uri' })),
  fc.constantFrom('../x', 'a/../../b', 'with space').map((path) => ({ call: () => ModelSource.claim(VolumeClaim.fromClaimName('m'), path), subject: 'ModelSource.claim', prop: 'path' })),
  fc.constantFrom(0, -5, NaN).map((n) => ({ call: () => ScalingMetric.requestsPerSecond(n), subject: 'ScalingMetric.requestsPerSecond', prop: 'target' })),
  fc.constantFrom('bad name', '1x', '').map((n) => ({ call: () => ScalingMetric.pods(n, 1), subject: 'ScalingMetric.pods', prop: 'metricName' })),
  fc.constantFrom<unknown>(Duration.seconds(0), 5).map((t) => ({ call: () => ScalingMetric.queueTime(t as Duration), subject: 'ScalingMetric.queueTime', prop: 'target' })),
);

function synthCase(c: Case) {
  return (chart: Chart) => new ModelServer(chart, c.id, c.props);
}

/** Every prop a user writes a value into; `.*` is a map whose keys and values are hostile too. */
const hostile = hostileProps<P>([
  'name', 'namespace', 'runtime', 'model', 'backend', 'replicas', 'autoscaling', 'autoscaling.minReplicas',
  'autoscaling.maxReplicas', 'accelerator', 'cpu', 'cpuLimit', 'memory', 'memoryLimit', 'sharedMemory', 'env.*',
  'secretEnv.*', 'startupTimeout', 'probePeriod', 'maxSurge', 'requireSpreadAcrossNodes', 'serviceType', 'ingress',
  'ingress.host', 'ingress.path', 'access', 'monitoring', 'istio', 'variants', 'scheduling', 'serviceAccountName',
  'security', 'labels.*',
], a.hostileValue, a.hostileKey);

describe('ModelServer properties', () => {
  const checker = new ValidChecker();

  test('valid Deployment-backed servers synthesize into valid, restricted, covered manifests', () => {
    fc.assert(fc.property(validDeployment, (c) => {
      const objects = checker.check(synthCase(c), c.chartNamespace);
      expect(objects.filter((o) => o.kind === 'Deployment')).toHaveLength(c.props.variants?.length ?? 1);
    }), params(160));
  });

  test('valid KServe servers synthesize into valid, restricted, covered manifests', () => {
    fc.assert(fc.property(validKServe, (c) => {
      const objects = checker.check(synthCase(c), c.chartNamespace);
      expect(objects.filter((o) => o.kind === 'InferenceService')).toHaveLength(1);
    }), params(100));
  });

  test('a prop set with one broken field is refused, naming ModelServer and the prop', () => {
    fc.assert(fc.property(fc.oneof(validDeployment, validKServe), breakages, (c, b) => {
      expectSynthRefused(c.chartNamespace, synthCase({ ...c, props: b.apply(c.props) }), `ModelServer '${c.id}'`, b.prop);
    }), params(1000));
  });

  test('a hostile value in any prop is refused naming it, or synthesizes valid manifests', () => {
    fc.assert(fc.property(fc.oneof(validDeployment, validKServe), hostile, (c, h) => {
      expectRefusedOrValid(checker, c.chartNamespace, synthCase({ ...c, props: h.apply(c.props) }), `ModelServer '${c.id}'`, h.prop);
    }), params(250));
  });

  test('broken runtime, model source and metric arguments are refused by the factory, naming the argument', () => {
    fc.assert(fc.property(badServingCall, (b) => expectRefused(b.call, b.subject, b.prop)), params(200));
  });
});
