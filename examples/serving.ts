// Model serving: the seeds' TF Serving, Triton, recommendation API, A/B test, KServe and an LLM on vLLM, done right.
import { App, Chart, Duration } from 'cdk8s';
import {
  AccessMode, Accelerator, AlertSeverity, HttpMethod, KServeDeploymentMode, ModelFormat, ModelServer, ModelSource, ScalingMetric,
  SecretValue, ServingBackend, ServingRuntime, VolumeClaim,
} from '../lib';

export function build(app: App): void {
  const chart = new Chart(app, 'serving-models', { namespace: 'ml-serving' });
  const models = VolumeClaim.fromClaimName('model-storage-pvc', { accessModes: [AccessMode.READ_ONLY_MANY], namespace: 'ml-serving' });

  // The seed's TF Serving: 3 replicas of resnet from a claim, on one GPU each, read-only, with probes and a PDB.
  new ModelServer(chart, 'tensorflow-serving', {
    runtime: ServingRuntime.tfServing({ modelName: 'resnet' }),
    model: ModelSource.claim(models, 'resnet'),
    replicas: 3,
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 2,
    memory: '4Gi',
    access: { namespaces: ['ml-apps'] },
  });

  // The seed's Triton: 2 replicas with HTTP, gRPC and metrics ports, scraped by Prometheus with alerts.
  new ModelServer(chart, 'triton-inference', {
    runtime: ServingRuntime.triton(),
    model: ModelSource.claim(VolumeClaim.fromClaimName('triton-models-pvc', { accessModes: [AccessMode.READ_ONLY_MANY] })),
    replicas: 2,
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 4,
    memory: '8Gi',
    monitoring: { alerts: { latencyAbove: Duration.millis(500), errorRateAbove: 0.05, severity: AlertSeverity.WARNING } },
  });

  // The seed's recommendation API: HPA 5-50 on CPU and requests per second, probes, an Ingress with TLS.
  new ModelServer(chart, 'recommendation-api', {
    runtime: ServingRuntime.custom({
      image: 'company/recommendation-api:1.8.0',
      ports: [{ name: 'http', port: 8000 }],
      probes: { readiness: { port: 'http', path: '/health' }, liveness: { port: 'http', path: '/health' } },
    }),
    cpu: 1,
    cpuLimit: 2,
    memory: '2Gi',
    memoryLimit: '4Gi',
    startupTimeout: Duration.minutes(2),
    autoscaling: {
      minReplicas: 5,
      maxReplicas: 50,
      cpuUtilization: 70,
      metrics: [ScalingMetric.requestsPerSecond(1000, 'http_requests_per_second')],
    },
    ingress: { host: 'ml-api.example.com', path: '/v1/predict', className: 'nginx', tlsSecretName: 'ml-api-tls' },
  });

  // The seed's A/B test: 80% of the traffic to v1, 20% to v2, over Istio mTLS, callable only by the frontend.
  new ModelServer(chart, 'model-service', {
    runtime: ServingRuntime.tfServing({ modelName: 'ranker' }),
    variants: [
      { name: 'v1', weight: 80, model: ModelSource.s3('s3://ml-models/ranker/v1', { accessKeyId: SecretValue.fromSecret('model-store', 'access-key-id'), secretAccessKey: SecretValue.fromSecret('model-store', 'secret-access-key') }) },
      { name: 'v2', weight: 20, model: ModelSource.s3('s3://ml-models/ranker/v2', { accessKeyId: SecretValue.fromSecret('model-store', 'access-key-id'), secretAccessKey: SecretValue.fromSecret('model-store', 'secret-access-key') }) },
    ],
    replicas: 2,
    istio: {
      mtls: true,
      allowedCallers: { serviceAccounts: [{ name: 'frontend-client', namespace: 'ml-apps' }], methods: [HttpMethod.POST], paths: ['/v1/models/*'] },
    },
  });

  // An LLM on one GPU with vLLM: a large /dev/shm, a 30-minute startup budget, the token from a Secret.
  new ModelServer(chart, 'llm', {
    runtime: ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct', huggingFaceToken: SecretValue.fromSecret('hf-token', 'token') }),
    accelerator: Accelerator.nvidiaGpu(1),
    replicas: 1,
    memory: '48Gi',
  });

  const kserve = new Chart(app, 'serving-kserve', { namespace: 'ml-serving' });
  // The seed's sklearn iris as a KServe InferenceService.
  new ModelServer(kserve, 'sklearn-iris', {
    backend: ServingBackend.kserve({ modelFormat: ModelFormat.SKLEARN }),
    model: ModelSource.gcs('gs://kserve-examples/models/sklearn/iris'),
    cpu: '100m',
    cpuLimit: 1,
    memory: '512Mi',
    memoryLimit: '1Gi',
    replicas: 1,
  });
  // The seed's GPU BERT, serverless, with a 10% canary of the latest revision, scaled by Knative on requests per second.
  new ModelServer(kserve, 'bert-transformer', {
    backend: ServingBackend.kserve({ modelFormat: ModelFormat.TENSORFLOW, mode: KServeDeploymentMode.SERVERLESS, canaryTrafficPercent: 10 }),
    model: ModelSource.gcs('gs://kserve-examples/models/tensorflow/bert'),
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 1,
    cpuLimit: 2,
    memory: '2Gi',
    memoryLimit: '4Gi',
    autoscaling: { minReplicas: 1, maxReplicas: 4, metrics: [ScalingMetric.requestsPerSecond(20)] },
  });
}
