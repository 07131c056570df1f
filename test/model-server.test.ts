import { Chart, Duration, Size, Testing } from 'cdk8s';
import {
  AccessMode, Accelerator, AlertSeverity, GpuTrainingJob, HttpMethod, KServeDeploymentMode, ModelFormat, ModelServer, ModelServerProps, ModelSource,
  ScalingMetric, SecretValue, ServiceType, ServingBackend, ServingRuntime, VolumeClaim,
} from '../lib';
import { checkLibraryDefaults, checkRestricted, expectValidManifests, uncoveredPods, validateObjects } from './support/validate';


const rox = (name: string) => VolumeClaim.fromClaimName(name, { accessModes: [AccessMode.READ_ONLY_MANY] });

function synth(props: Partial<ModelServerProps>, id = 'srv') {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  const server = new ModelServer(chart, id, { runtime: ServingRuntime.triton(), ...props });
  return { server, objects: Testing.synth(chart) };
}

const ofKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: any[], kind: string) => {
  const found = ofKind(objects, kind);
  expect(found).toHaveLength(1);
  return found[0];
};
const server = (objects: any[]) => one(objects, 'Deployment').spec.template.spec.containers[0];

describe('ModelServer runtimes (snapshots)', () => {
  const runtimes: Array<[string, Partial<ModelServerProps>]> = [
    ['triton', { runtime: ServingRuntime.triton(), model: ModelSource.claim(rox('models')), accelerator: Accelerator.nvidiaGpu(1) }],
    ['tf-serving', { runtime: ServingRuntime.tfServing({ modelName: 'resnet' }), model: ModelSource.claim(rox('models'), 'resnet'), replicas: 3 }],
    ['torchserve', { runtime: ServingRuntime.torchServe(), model: ModelSource.s3('s3://models/mar') }],
    ['vllm', { runtime: ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct' }), accelerator: Accelerator.nvidiaGpu(1), replicas: 1 }],
    ['custom', {
      runtime: ServingRuntime.custom({
        image: 'company/api:1.0.0', ports: [{ name: 'web', port: 9000 }],
        probes: { readiness: { port: 'web', path: '/ready' }, liveness: { port: 'web' } },
      }),
    }],
  ];
  test.each(runtimes)('%s', (_name, props) => {
    const { objects } = synth(props);
    expectValidManifests(objects);
    expect(objects).toMatchSnapshot();
  });

  test('KServe backend', () => {
    const { objects } = synth({
      runtime: undefined,
      backend: ServingBackend.kserve({ modelFormat: ModelFormat.SKLEARN }),
      model: ModelSource.gcs('gs://kserve-examples/models/sklearn/iris'),
      replicas: 1,
    });
    expectValidManifests(objects);
    expect(objects).toMatchSnapshot();
  });
});

describe('ModelServer manifests validate in every configuration', () => {
  const s3Key = { accessKeyId: SecretValue.fromSecret('s3', 'id'), secretAccessKey: SecretValue.fromSecret('s3', 'key') };
  const alerts = { latencyAbove: Duration.millis(500), errorRateAbove: 0.05, severity: AlertSeverity.CRITICAL };
  const configurations: Array<[string, Partial<ModelServerProps>]> = [
    ['triton, GPU, claim, monitoring + alerts', { runtime: ServingRuntime.triton(), model: ModelSource.claim(rox('models')), accelerator: Accelerator.nvidiaGpu(1), monitoring: { alerts } }],
    ['TF Serving, S3 with keys, monitoring + alerts', { runtime: ServingRuntime.tfServing({ modelName: 'resnet' }), model: ModelSource.s3('s3://m/resnet', { ...s3Key, endpoint: 'http://minio.storage:9000' }), monitoring: { alerts } }],
    ['TorchServe on GPU, GCS with a key file, latency alert', {
      runtime: ServingRuntime.torchServe(), model: ModelSource.gcs('gs://m/mar', { serviceAccountKey: SecretValue.fromSecret('gcs', 'key.json') }),
      accelerator: Accelerator.nvidiaGpu(1), monitoring: { alerts: { latencyAbove: Duration.seconds(1) } },
    }],
    ['vLLM, HTTPS archive, tensor parallel, token, alerts', {
      runtime: ServingRuntime.vllm({ huggingFaceToken: SecretValue.fromSecret('hf', 'token') }), model: ModelSource.https('https://models.example.com/llm.tar.gz', { sizeLimit: '40Gi' }),
      accelerator: Accelerator.nvidiaGpu(2), replicas: 1, monitoring: { alerts },
    }],
    ['custom with metrics, NodePort', {
      runtime: ServingRuntime.custom({
        image: 'company/api:1.0.0', ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }],
        probes: { startup: { port: 'http', path: '/ready' }, readiness: { port: 'http', path: '/ready' }, liveness: { port: 'http' } },
        metrics: { port: 'metrics' }, writablePaths: ['/var/cache/api'],
      }),
      serviceType: ServiceType.NODE_PORT, access: { cidrs: ['192.168.0.0/16'] }, monitoring: {},
    }],
    ['HPA on CPU, rps and queue time, Ingress with TLS', {
      autoscaling: { minReplicas: 3, maxReplicas: 30, cpuUtilization: 60, metrics: [ScalingMetric.requestsPerSecond(50), ScalingMetric.queueTime(Duration.millis(20))], scaleDown: { maxPods: 2 } },
      ingress: { host: 'ml.example.com', tlsSecretName: 'ml-tls', className: 'nginx' },
    }],
    ['KEDA on a Prometheus query plus CPU', { autoscaling: { maxReplicas: 20, cpuUtilization: 80, prometheus: { serverAddress: 'http://prometheus.monitoring.svc:9090', query: 'sum(rate(nv_inference_count[1m]))', threshold: 100 } } }],
    ['A/B 50/50 with Istio mTLS and allowed callers', {
      model: ModelSource.claim(rox('models')), variants: [{ name: 'a', weight: 50 }, { name: 'b', weight: 50, model: ModelSource.claim(rox('models-b')) }],
      istio: { mtls: true, allowedCallers: { serviceAccounts: [{ name: 'web', namespace: 'apps' }], methods: [HttpMethod.POST], paths: ['/v2/models/*'] } },
    }],
    ['canary 90/10 on a new image, autoscaled', {
      model: ModelSource.claim(rox('models')), autoscaling: { minReplicas: 2, maxReplicas: 8 },
      variants: [{ name: 'stable', weight: 90 }, { name: 'canary', weight: 10, runtime: ServingRuntime.triton({ image: 'nvcr.io/nvidia/tritonserver:24.09-py3' }) }],
    }],
    ['KServe RawDeployment, CPU autoscaling', { runtime: ServingRuntime.triton(), backend: ServingBackend.kserve(), model: ModelSource.s3('s3://m/triton'), autoscaling: { minReplicas: 1, maxReplicas: 3 } }],
    ['KServe Serverless, GPU, rps, canary, Istio mTLS', {
      runtime: undefined, backend: ServingBackend.kserve({ modelFormat: ModelFormat.HUGGINGFACE, mode: KServeDeploymentMode.SERVERLESS, canaryTrafficPercent: 20 }),
      model: ModelSource.gcs('gs://m/bert'), accelerator: Accelerator.nvidiaGpu(1), autoscaling: { minReplicas: 1, maxReplicas: 4, metrics: [ScalingMetric.requestsPerSecond(10)] },
      istio: { mtls: true },
    }],
    ['KServe Serverless, CPU through Knative HPA', { runtime: undefined, backend: ServingBackend.kserve({ modelFormat: ModelFormat.XGBOOST, mode: KServeDeploymentMode.SERVERLESS }), model: ModelSource.gcs('gs://m/xgb'), autoscaling: { maxReplicas: 5, cpuUtilization: 75 } }],
  ];
  test.each(configurations)('%s', (_name, props) => {
    const { objects } = synth(props);
    expect(validateObjects(objects)).toEqual([]);
    expect(checkRestricted(objects)).toEqual([]);
    expect(checkLibraryDefaults(objects)).toEqual([]);
    expect(uncoveredPods(objects)).toEqual([]);
  });
});

describe('ModelServer', () => {
  test('runtime ports, probe paths and the startup budget', () => {
    const { objects } = synth({ startupTimeout: Duration.minutes(15) });
    const c = server(objects);
    expect(c.ports.map((p: any) => [p.name, p.containerPort])).toEqual([['http', 8000], ['grpc', 8001], ['metrics', 8002]]);
    expect(c.readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(c.livenessProbe.httpGet.path).toBe('/v2/health/live');
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBe(900);
    const svc = one(objects, 'Service');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports.map((p: any) => p.port)).toEqual([8000, 8001, 8002]);
  });

  test('TF Serving gets its model path, metrics config and readiness on the model', () => {
    const { objects } = synth({ runtime: ServingRuntime.tfServing({ modelName: 'resnet' }), model: ModelSource.claim(rox('models'), 'resnet') });
    const c = server(objects);
    expect(c.args).toEqual(expect.arrayContaining(['--model_name=resnet', '--model_base_path=/models/resnet']));
    expect(c.readinessProbe.httpGet.path).toBe('/v1/models/resnet');
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'models', mountPath: '/models/resnet', readOnly: true, subPath: 'resnet' }]));
    expect(one(objects, 'ConfigMap').data['file-0-monitoring.config']).toContain('prometheus_config');
  });

  test('TorchServe gets a generated config: APIs on all interfaces, Prometheus metrics mode', () => {
    const { objects } = synth({ runtime: ServingRuntime.torchServe(), model: ModelSource.claim(rox('models')) });
    const c = server(objects);
    expect(c.args.slice(0, 4)).toEqual(['--start', '--foreground', '--ts-config', '/etc/torchserve/config.properties']);
    expect(c.volumeMounts).toContainEqual({ name: 'runtime-config', mountPath: '/etc/torchserve', readOnly: true });
    expect(c.volumeMounts.some((m: any) => m.subPath !== undefined)).toBe(false);
    const config = one(objects, 'ConfigMap').data['file-0-config.properties'];
    expect(config).toContain('metrics_mode=prometheus');
    expect(config).toContain('inference_address=http://0.0.0.0:8080');
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ping', port: 'http' });
    expect(c.ports.map((p: any) => p.containerPort)).toEqual([8080, 8081, 8082]);
  });

  test('vLLM gets a large memory-backed /dev/shm and a long startup budget', () => {
    const { objects } = synth({ runtime: ServingRuntime.vllm({ model: 'org/model' }), accelerator: Accelerator.nvidiaGpu(2), replicas: 1 });
    const pod = one(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '8192Mi' } });
    expect(pod.containers[0].args).toEqual(['--model', 'org/model', '--served-model-name', 'org/model', '--port', '8000', '--tensor-parallel-size', '2']);
    expect(pod.containers[0].startupProbe.failureThreshold).toBe(180);
  });

  test('object storage is downloaded by an init container with credentials from a Secret', () => {
    const { objects } = synth({
      model: ModelSource.s3('s3://bucket/triton', { accessKeyId: SecretValue.fromSecret('s3', 'id'), secretAccessKey: SecretValue.fromSecret('s3', 'key') }),
    });
    const pod = one(objects, 'Deployment').spec.template.spec;
    const init = pod.initContainers[0];
    expect(init.args).toEqual(['s3://bucket/triton', '/models']);
    expect(init.env).toContainEqual({ name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3', key: 'key' } } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'model', mountPath: '/models', readOnly: true });
  });

  test('a GCS service account key is mounted from its Secret for the download only', () => {
    const { objects } = synth({ model: ModelSource.gcs('gs://bucket/triton', { serviceAccountKey: SecretValue.fromSecret('gcs-key', 'key.json') }) });
    const pod = one(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'model-credentials', secret: { secretName: 'gcs-key', items: [{ key: 'key.json', path: 'key.json' }] } });
    const init = pod.initContainers[0];
    expect(init.env).toContainEqual({ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/var/run/secrets/model-storage/key.json' });
    expect(init.volumeMounts).toContainEqual({ name: 'model-credentials', mountPath: '/var/run/secrets/model-storage', readOnly: true });
    expect(pod.containers[0].volumeMounts.map((m: any) => m.name)).not.toContain('model-credentials');
  });

  test('rolling update keeps capacity; PDB and topology spread', () => {
    const { objects } = synth({ maxSurge: 2 });
    const deployment = one(objects, 'Deployment');
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 2 });
    expect(deployment.spec.replicas).toBe(2);
    expect(one(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(deployment.spec.template.spec.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
  });

  test('HPA with CPU and custom per-pod metrics', () => {
    const { objects } = synth({
      autoscaling: { minReplicas: 5, maxReplicas: 50, cpuUtilization: 70, metrics: [ScalingMetric.requestsPerSecond(100), ScalingMetric.queueTime(Duration.millis(50))] },
    });
    expectValidManifests(objects);
    const hpa = one(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({ minReplicas: 5, maxReplicas: 50 });
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Pods', pods: { metric: { name: 'inference_requests_per_second' }, target: { type: 'AverageValue', averageValue: '100' } } },
      { type: 'Pods', pods: { metric: { name: 'inference_queue_time_seconds' }, target: { type: 'AverageValue', averageValue: '50m' } } },
    ]);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(one(objects, 'Deployment').spec.replicas).toBeUndefined();
  });

  test('KEDA ScaledObject on a Prometheus query', () => {
    const { objects } = synth({ autoscaling: { maxReplicas: 10, prometheus: { serverAddress: 'http://prometheus.monitoring.svc:9090', query: 'sum(rate(nv_inference_count[1m]))', threshold: 50 } } });
    expectValidManifests(objects);
    expect(ofKind(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(one(objects, 'ScaledObject').spec.triggers[0]).toMatchObject({ type: 'prometheus', metadata: { threshold: '50' } });
  });

  test('Ingress, access, monitoring and alerts', () => {
    const { objects } = synth({
      serviceType: ServiceType.LOAD_BALANCER,
      ingress: { host: 'ml.example.com', tlsSecretName: 'ml-tls', className: 'nginx' },
      access: { namespaces: ['apps'], cidrs: ['10.0.0.0/8'] },
      monitoring: { alerts: { latencyAbove: Duration.millis(500), errorRateAbove: 0.05 } },
    });
    expectValidManifests(objects);
    expect(one(objects, 'Service').spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerSourceRanges: ['10.0.0.0/8'] });
    expect(one(objects, 'Ingress').spec.tls).toEqual([{ hosts: ['ml.example.com'], secretName: 'ml-tls' }]);
    expect(one(objects, 'ServiceMonitor').spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s' }]);
    const rules = one(objects, 'PrometheusRule').spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual(['ModelServerLatencyHigh', 'ModelServerErrorRateHigh']);
    expect(rules[0].expr).toMatch(/> 0.5$/);
    const ingress = one(objects, 'NetworkPolicy').spec.ingress;
    const namespaces = ingress.filter((r: any) => r.from[0].namespaceSelector).map((r: any) => r.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
    expect(namespaces).toEqual(['apps', 'ingress-nginx', 'monitoring']);
    expect(ingress).toContainEqual({ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 8000, protocol: 'TCP' }, { port: 8001, protocol: 'TCP' }] });
  });

  test('custom alerts on the model\'s own metrics: scoped to the server\'s series, with the alerts\' defaults', () => {
    const { objects } = synth({
      monitoring: {
        alerts: {
          latencyAbove: Duration.millis(500),
          severity: AlertSeverity.CRITICAL,
          for: Duration.minutes(5),
          custom: [
            { name: 'ModelAccuracyDrop', expr: 'increase(model_accuracy_drop_count{$selector}[1h]) > 10', summary: 'Model accuracy has dropped', for: Duration.minutes(15) },
            { name: 'PredictionDrift', expr: 'avg(prediction_drift{$selector}) > 0.2 or max(feature_lag_seconds{$selector}) > 600', summary: 'Drift', severity: AlertSeverity.WARNING },
          ],
        },
      },
    });
    expectValidManifests(objects);
    const rules = one(objects, 'PrometheusRule').spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual(['ModelServerLatencyHigh', 'ModelAccuracyDrop', 'PredictionDrift']);
    expect(rules[1]).toEqual({
      alert: 'ModelAccuracyDrop',
      expr: 'increase(model_accuracy_drop_count{job="srv",namespace="ml"}[1h]) > 10',
      for: '900s',
      labels: { severity: 'critical', model_server: 'srv' },
      annotations: { summary: 'Model accuracy has dropped' },
    });
    expect(rules[2].expr).toBe('avg(prediction_drift{job="srv",namespace="ml"}) > 0.2 or max(feature_lag_seconds{job="srv",namespace="ml"}) > 600');
    expect(rules[2].for).toBe('300s');
    expect(rules[2].labels.severity).toBe('warning');
  });

  test('80/20 variants become an Istio VirtualService with DestinationRule subsets', () => {
    const { objects } = synth({
      variants: [{ name: 'v1', weight: 80 }, { name: 'v2', weight: 20 }],
      model: ModelSource.claim(rox('models')),
      istio: { mtls: true, allowedCallers: { serviceAccounts: [{ name: 'frontend', namespace: 'web' }] } },
    });
    expectValidManifests(objects);
    expect(ofKind(objects, 'Deployment').map((d) => d.metadata.name)).toEqual(['srv-v1', 'srv-v2']);
    const route = one(objects, 'VirtualService').spec.http[0].route;
    expect(route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['v1', 80], ['v2', 20]]);
    const dr = one(objects, 'DestinationRule');
    expect(dr.spec.trafficPolicy.tls.mode).toBe('ISTIO_MUTUAL');
    expect(dr.spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
    expect(one(objects, 'AuthorizationPolicy').spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/web/sa/frontend']);
  });

  test('a server in the mesh and the workloads connected to it get the Istio sidecar; others do not', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const ab = new ModelServer(chart, 'ab', { runtime: ServingRuntime.triton(), variants: [{ name: 'v1', weight: 80 }, { name: 'v2', weight: 20 }] });
    const plain = new ModelServer(chart, 'plain', { runtime: ServingRuntime.triton() });
    const caller = new ModelServer(chart, 'caller', { runtime: ServingRuntime.triton() });
    const job = new GpuTrainingJob(chart, 'eval', { image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', command: ['python', 'eval.py'] });
    ab.connect(caller);
    ab.connect(job);
    plain.connect(job);
    const objects = Testing.synth(chart);
    const injected = (kind: string, name: string) => {
      const obj = objects.find((o) => o.kind === kind && o.metadata.name === name);
      return obj.spec.template.metadata.labels['sidecar.istio.io/inject'];
    };
    expect([injected('Deployment', 'ab-v1'), injected('Deployment', 'ab-v2'), injected('Deployment', 'caller'), injected('Job', 'eval')])
      .toEqual(['true', 'true', 'true', 'true']);
    expect(injected('Deployment', 'plain')).toBeUndefined();
    // The label is on the pods only: a Deployment's selector cannot change.
    expect(one(objects.filter((o) => o.metadata.name === 'caller'), 'Deployment').spec.selector.matchLabels['sidecar.istio.io/inject']).toBeUndefined();
    expectValidManifests(objects);
  });

  test('Istio allowed callers are admitted by the NetworkPolicy from their namespaces, on the serving ports only', () => {
    const { objects } = synth({
      istio: { mtls: true, allowedCallers: { serviceAccounts: [{ name: 'frontend', namespace: 'web' }, { name: 'batch', namespace: 'web' }] } },
    });
    expectValidManifests(objects);
    const ingress = one(objects, 'NetworkPolicy').spec.ingress;
    expect(ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } } }],
      ports: [{ port: 8000, protocol: 'TCP' }, { port: 8001, protocol: 'TCP' }],
    });
    // One rule for the namespace, however many of its service accounts are allowed.
    expect(ingress.filter((r: any) => r.from[0].namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === 'web')).toHaveLength(1);
  });

  test('KServe fields: format, storageUri, resources, replicas, scale metric, canary', () => {
    const { objects } = synth({
      runtime: undefined,
      backend: ServingBackend.kserve({ modelFormat: ModelFormat.TENSORFLOW, mode: KServeDeploymentMode.SERVERLESS, canaryTrafficPercent: 10 }),
      model: ModelSource.gcs('gs://kserve-examples/models/tensorflow/bert'),
      accelerator: Accelerator.nvidiaGpu(1),
      autoscaling: { minReplicas: 1, maxReplicas: 4, metrics: [ScalingMetric.requestsPerSecond(20)] },
    });
    expectValidManifests(objects);
    const isvc = one(objects, 'InferenceService');
    expect(isvc.metadata.annotations['serving.kserve.io/deploymentMode']).toBe('Serverless');
    const p = isvc.spec.predictor;
    expect(p).toMatchObject({ minReplicas: 1, maxReplicas: 4, scaleMetric: 'rps', scaleTarget: 20, canaryTrafficPercent: 10 });
    expect(p.model.modelFormat).toEqual({ name: 'tensorflow' });
    expect(p.model.storageUri).toBe('gs://kserve-examples/models/tensorflow/bert');
    expect(p.model.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(p.model.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(p.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  });

  test('KServe Serverless: CPU scaling selects Knative\'s HPA class; no signal leaves KPA on concurrency', () => {
    const serverless = (autoscaling: ModelServerProps['autoscaling']) => one(synth({
      runtime: undefined,
      backend: ServingBackend.kserve({ modelFormat: ModelFormat.SKLEARN, mode: KServeDeploymentMode.SERVERLESS }),
      model: ModelSource.gcs('gs://b/iris'),
      autoscaling,
    }).objects, 'InferenceService');
    const cpu = serverless({ minReplicas: 1, maxReplicas: 3, cpuUtilization: 60 });
    expect(cpu.metadata.annotations).toEqual({ 'serving.kserve.io/deploymentMode': 'Serverless', 'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev' });
    expect(cpu.spec.predictor).toMatchObject({ scaleMetric: 'cpu', scaleTarget: 60 });
    const kpa = serverless({ minReplicas: 1, maxReplicas: 3 });
    expect(kpa.metadata.annotations['autoscaling.knative.dev/class']).toBeUndefined();
    expect(kpa.spec.predictor.scaleMetric).toBeUndefined();
    expect(kpa.spec.predictor.scaleTarget).toBeUndefined();
    expect(kpa.spec.predictor).toMatchObject({ minReplicas: 1, maxReplicas: 3 });
  });

  test('KServe predictor gets a memory-backed /dev/shm from a cdk8s Size', () => {
    const { objects } = synth({
      runtime: undefined, backend: ServingBackend.kserve({ modelFormat: ModelFormat.PYTORCH }), model: ModelSource.gcs('gs://b/m'),
      memory: '16Gi', sharedMemory: Size.gibibytes(2),
    });
    expectValidManifests(objects);
    const predictor = one(objects, 'InferenceService').spec.predictor;
    expect(predictor.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } });
    expect(predictor.model.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
  });

  test('KServe RawDeployment scales on CPU by default, with the HPA KServe creates', () => {
    const { objects } = synth({
      runtime: undefined, backend: ServingBackend.kserve({ modelFormat: ModelFormat.SKLEARN }), model: ModelSource.gcs('gs://b/iris'),
      autoscaling: { minReplicas: 2, maxReplicas: 6 },
    });
    const isvc = one(objects, 'InferenceService');
    expect(isvc.metadata.annotations).toEqual({ 'serving.kserve.io/deploymentMode': 'RawDeployment' });
    expect(isvc.spec.predictor).toMatchObject({ minReplicas: 2, maxReplicas: 6, scaleMetric: 'cpu', scaleTarget: 70 });
  });

  test('KServe Serverless NetworkPolicy admits the activator, the gateway and the autoscaler\'s scrape', () => {
    const { server, objects } = synth({
      runtime: undefined,
      backend: ServingBackend.kserve({ modelFormat: ModelFormat.SKLEARN, mode: KServeDeploymentMode.SERVERLESS }),
      model: ModelSource.gcs('gs://b/iris'),
    });
    const ingress = one(objects, 'NetworkPolicy').spec.ingress;
    expect(ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'knative-serving' } } }], ports: [8012, 8022, 9090].map((port) => ({ port, protocol: 'TCP' })) },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }], ports: [{ port: 8012, protocol: 'TCP' }] },
    ]);
    expect(server.serviceName).toBe('srv');
    expect(server.url).toBe('http://srv.ml.svc');
  });

  test('connect to a KServe Serverless server opens the caller\'s path to Knative\'s local gateway', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const isvc = new ModelServer(chart, 'bert', { backend: ServingBackend.kserve({ modelFormat: ModelFormat.TENSORFLOW, mode: KServeDeploymentMode.SERVERLESS }), model: ModelSource.gcs('gs://b/bert') });
    const api = new ModelServer(chart, 'api', { runtime: ServingRuntime.custom({ image: 'company/api:1.0.0', ports: [{ name: 'http', port: 8080 }], probes: { readiness: { port: 'http', path: '/' }, liveness: { port: 'http' } } }) });
    isvc.connect(api);
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    const egress = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'api').spec.egress;
    expect(egress).toContainEqual({
      to: [{ podSelector: { matchLabels: {} }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }],
      ports: [{ port: 8081, protocol: 'TCP' }],
    });
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api').spec.template.spec.containers[0].env)
      .toContainEqual({ name: 'MODEL_SERVER_URL', value: 'http://bert.ml.svc' });
  });

  test('connect gives a workload the URL and opens the path', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const a = new ModelServer(chart, 'ranker', { runtime: ServingRuntime.triton() });
    const b = new ModelServer(chart, 'api', { runtime: ServingRuntime.custom({ image: 'company/api:1.0.0', ports: [{ name: 'http', port: 8080 }], probes: { readiness: { port: 'http', path: '/' }, liveness: { port: 'http' } } }) });
    a.connect(b, { envName: 'RANKER_URL' });
    expect(a.url).toBe('http://ranker.ml.svc:8000');
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    const api = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api');
    expect(api.spec.template.spec.containers[0].env).toContainEqual({ name: 'RANKER_URL', value: 'http://ranker.ml.svc:8000' });
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'ranker');
    expect(policy.spec.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: b.podSelector } }],
      ports: [{ port: 8000, protocol: 'TCP' }, { port: 8001, protocol: 'TCP' }],
    });
  });
});

describe('ModelServer bad input', () => {
  test('a service type that is not a ServiceType', () => {
    expect(() => synth({ serviceType: 'Headless' as ServiceType }))
      .toThrow("ModelServer 'srv': 'serviceType' must be one of ServiceType.CLUSTER_IP, ServiceType.NODE_PORT, ServiceType.LOAD_BALANCER, got 'Headless'");
  });

  test('min replicas above max replicas', () => {
    expect(() => synth({ autoscaling: { minReplicas: 10, maxReplicas: 3 } }))
      .toThrow("ModelServer 'srv': 'autoscaling.minReplicas' must be at most autoscaling.maxReplicas (3), got 10");
  });

  test('custom alerts: a bad name, a name taken by another alert, an empty expression, no summary, a bad severity', () => {
    const alert = { name: 'ModelAccuracyDrop', expr: 'model_accuracy < 0.8', summary: 'Accuracy' };
    const withCustom = (custom: any, extra = {}) => () => synth({ monitoring: { alerts: { custom, ...extra } } });
    expect(withCustom([{ ...alert, name: 'model-accuracy' }]))
      .toThrow("ModelServer 'srv': 'monitoring.alerts.custom[0].name' must be a Prometheus alert name (letters, digits and '_', not starting with a digit), got 'model-accuracy'");
    expect(withCustom([{ ...alert, name: 'ModelServerLatencyHigh' }], { latencyAbove: Duration.seconds(1) }))
      .toThrow("ModelServer 'srv': 'monitoring.alerts.custom[0].name' must differ from the names of the other alerts, got 'ModelServerLatencyHigh'");
    expect(withCustom([alert, alert])).toThrow("ModelServer 'srv': 'monitoring.alerts.custom[1].name' must differ from the names of the other alerts, got 'ModelAccuracyDrop'");
    expect(withCustom([{ ...alert, expr: ' ' }])).toThrow("ModelServer 'srv': 'monitoring.alerts.custom[0].expr' must be a PromQL expression, got ' '");
    expect(withCustom([{ ...alert, summary: undefined }])).toThrow("ModelServer 'srv': 'monitoring.alerts.custom[0].summary' must be a one-line summary, got nothing");
    expect(withCustom([{ ...alert, severity: 'page' }])).toThrow("ModelServer 'srv': 'monitoring.alerts.custom[0].severity' must be one of AlertSeverity.WARNING, AlertSeverity.CRITICAL, got 'page'");
    expect(withCustom('ModelAccuracyDrop')).toThrow("ModelServer 'srv': 'monitoring.alerts.custom' must be a list of alerts, got 'ModelAccuracyDrop'");
    expect(withCustom([])).toThrow("ModelServer 'srv': 'monitoring.alerts' must set latencyAbove, errorRateAbove or custom, got {");
  });

  test('variant weights not summing to 100', () => {
    expect(() => synth({ variants: [{ name: 'v1', weight: 80 }, { name: 'v2', weight: 30 }] }))
      .toThrow("ModelServer 'srv': 'variants' must have weights that sum to 100 (v1: 80, v2: 30), got 110");
  });

  test('unknown runtime port name', () => {
    expect(() => ServingRuntime.custom({ image: 'company/api:1.0.0', ports: [{ name: 'http', port: 8080 }], probes: { readiness: { port: 'web', path: '/' }, liveness: { port: 'http' } } }))
      .toThrow("ServingRuntime.custom: 'probes.readiness.port' must name one of the ports (http), got 'web'");
  });

  test('startup budget shorter than a probe period', () => {
    expect(() => synth({ startupTimeout: Duration.seconds(5) }))
      .toThrow("ModelServer 'srv': 'startupTimeout' must be at least one probe period (10s): the startup probe needs one check to succeed, got '5s'");
  });

  test('GPU server with a ReadWriteOnce claim and several replicas', () => {
    const rwo = VolumeClaim.fromClaimName('models', { accessModes: [AccessMode.READ_WRITE_ONCE] });
    expect(() => synth({ model: ModelSource.claim(rwo), accelerator: Accelerator.nvidiaGpu(1), replicas: 3 }))
      .toThrow("ModelServer 'srv': 'model.claim' must be a claim with access mode ReadOnlyMany or ReadWriteMany because the 3 replicas may run on different nodes, got 'models (ReadWriteOnce)'");
  });

  test('unsupported storage URI scheme', () => {
    expect(() => ModelSource.fromUri('ftp://models.example.com/resnet'))
      .toThrow("ModelSource.fromUri: 'uri' must start with s3://, gs://, https:// or pvc://, got 'ftp://models.example.com/resnet'");
  });

  test('canary percent in KServe raw deployment mode', () => {
    expect(() => synth({ runtime: undefined, backend: ServingBackend.kserve({ modelFormat: ModelFormat.SKLEARN, canaryTrafficPercent: 10 }), model: ModelSource.gcs('gs://b/iris') }))
      .toThrow(/ModelServer 'srv': 'backend.canaryTrafficPercent' is ignored by KServe in RawDeployment mode/);
  });

  test('probe period with the KServe backend (KServe would ignore it)', () => {
    expect(() => synth({ runtime: undefined, backend: ServingBackend.kserve({ modelFormat: ModelFormat.SKLEARN }), model: ModelSource.gcs('gs://b/iris'), probePeriod: Duration.seconds(5) }))
      .toThrow("ModelServer 'srv': 'probePeriod' is not supported with the KServe backend: the ServingRuntime defines the probes of the model container, got '5 seconds'");
  });

  test('shared memory that is not a quantity, with the KServe backend', () => {
    expect(() => synth({ runtime: undefined, backend: ServingBackend.kserve({ modelFormat: ModelFormat.PYTORCH }), model: ModelSource.gcs('gs://b/m'), sharedMemory: 'lots' }))
      .toThrow("ModelServer 'srv': 'sharedMemory' must be a Kubernetes quantity such as '500m', '2', '16Gi' or '1Ti', got 'lots'");
  });

  test('storage credentials inline in the URI', () => {
    expect(() => ModelSource.https('https://user:hunter2@models.example.com/m.tar.gz'))
      .toThrow("ModelSource.https: 'uri' must not carry a password inside a URI; pass the password from a Secret, got 'https://user:***@models.example.com/m.tar.gz'");
  });

  test('an S3 endpoint that is not an http(s) URL, or whose port is out of range (the object-store rule of core)', () => {
    expect(() => ModelSource.s3('s3://m/resnet', { endpoint: 'minio.storage:9000' }))
      .toThrow("ModelSource.s3: 'endpoint' must be an http(s) URL with a host and optional port, without credentials or path (e.g. 'https://s3.example.com'), got 'minio.storage:9000'");
    expect(() => ModelSource.s3('s3://m/resnet', { endpoint: 'http://minio.storage:0' }))
      .toThrow("ModelSource.s3: 'endpoint' must be a whole number from 1 to 65535, got 0");
  });

  test('vLLM without a model', () => {
    expect(() => synth({ runtime: ServingRuntime.vllm(), replicas: 1 }))
      .toThrow(/ModelServer 'srv': 'model' must be set for a vLLM server/);
  });

  test('replicas together with autoscaling', () => {
    expect(() => synth({ replicas: 3, autoscaling: { maxReplicas: 5 } }))
      .toThrow("ModelServer 'srv': 'replicas' cannot be combined with autoscaling (use autoscaling.minReplicas), got 3");
  });
});
