// The seeds' serving scenarios that serving.ts does not already cover: the autoscaled and monitored "model-server",
// the "ai-api" Deployment behind a LoadBalancer, and the NLP service with its model config file.
import { App, Chart, Duration } from 'cdk8s';
import {
  AccessMode, Accelerator, AlertSeverity, ModelServer, ModelSource, ScalingMetric, ServiceType, ServingRuntime, VolumeClaim,
} from '../lib';

export function build(app: App): void {
  modelServer(app);
  aiApi(app);
  nlpService(app);
}

/**
 * "Serving with Auto-scaling" and "Model Monitoring": the HPA (CPU 70%, 100 inference requests per second per pod,
 * the seed's scale-up/scale-down behaviour, which is the library's default) and the ServiceMonitor/PrometheusRule
 * of one Triton server. The seed's ServiceMonitor sat in `monitoring` with no namespaceSelector, so it selected no
 * Service of the server's namespace; here it lives next to the Service it selects. Its alerts use Triton's real
 * metrics (the seed's `model_accuracy_drop_count` exists in no server).
 */
function modelServer(app: App): void {
  const chart = new Chart(app, 'seeds-model-server', { namespace: 'ml-serving' });
  new ModelServer(chart, 'model-server', {
    runtime: ServingRuntime.triton(),
    model: ModelSource.claim(VolumeClaim.fromClaimName('model-repository', { accessModes: [AccessMode.READ_ONLY_MANY] })),
    accelerator: Accelerator.nvidiaGpu(1),
    cpu: 2,
    memory: '8Gi',
    autoscaling: {
      minReplicas: 2,
      maxReplicas: 10,
      cpuUtilization: 70,
      metrics: [ScalingMetric.requestsPerSecond(100)],
    },
    monitoring: {
      interval: Duration.seconds(15),
      alerts: { latencyAbove: Duration.millis(500), errorRateAbove: 0.05, for: Duration.minutes(10), severity: AlertSeverity.WARNING },
    },
  });
}

/**
 * "Deployment" and "Service" for an AI API: three replicas behind a cloud load balancer. The seed's manifests did
 * not parse (`images:`, a mis-indented port), ran `ai-app:latest` and had no probes (traffic before the server
 * listens); its load balancer admitted the whole internet. Here the load balancer and the NetworkPolicy admit one
 * address range, and the Service keeps client addresses so the policy can check them.
 */
function aiApi(app: App): void {
  const chart = new Chart(app, 'seeds-ai-api', { namespace: 'ai-apps' });
  new ModelServer(chart, 'ai-api', {
    runtime: ServingRuntime.custom({
      image: 'registry.example.com/ai-app:1.0.0',
      ports: [{ name: 'http', port: 8000 }],
      probes: { readiness: { port: 'http' }, liveness: { port: 'http' } },
    }),
    replicas: 3,
    cpu: 1,
    memory: '2Gi',
    serviceType: ServiceType.LOAD_BALANCER,
    serviceName: 'ai-service',                               // the seed's Service name (the Deployment is ai-api)
    servicePort: 80,                                         // the seed's load balancer port, forwarded to 8000
    // Only the corporate network: the seed's load balancer was open to the internet.
    access: { cidrs: ['10.0.0.0/8'] },
  });
}

/**
 * "Natural Language Processing Service": the model config file from a ConfigMap, the models from a claim. The seed
 * pinned `CUDA_VISIBLE_DEVICES=0`, which fights the device plugin's own GPU assignment; the library leaves GPU
 * visibility to the plugin. The service exports its own quality metrics, so it carries the seed's "Model Monitoring"
 * accuracy alert, scoped to its own series (the seed's rule matched the metric in every namespace).
 */
function nlpService(app: App): void {
  const chart = new Chart(app, 'seeds-nlp-service', { namespace: 'nlp' });
  new ModelServer(chart, 'nlp-service', {
    runtime: ServingRuntime.custom({
      image: 'company/nlp-service:3.2.0',
      ports: [{ name: 'http', port: 8000 }],
      probes: { readiness: { port: 'http' }, liveness: { port: 'http' } },
      metrics: { port: 'http', path: '/metrics' },
      modelPath: '/app/models',
      configFiles: [{
        path: '/app/config/model-config.json',
        content: JSON.stringify({ transformer_model: 'bert-base-uncased', max_sequence_length: 128, batch_size: 32, use_gpu: true }, null, 2),
      }],
    }),
    model: ModelSource.claim(VolumeClaim.fromClaimName('nlp-models-pvc', { accessModes: [AccessMode.READ_ONLY_MANY] })),
    accelerator: Accelerator.nvidiaGpu(1),
    replicas: 3,
    cpu: 4,
    memory: '8Gi',
    env: { MODEL_CONFIG_PATH: '/app/config/model-config.json', TF_FORCE_GPU_ALLOW_GROWTH: 'true' },
    servicePort: 80,                                         // clients call nlp-service:80, as in the seed
    monitoring: {
      alerts: {
        custom: [{
          name: 'ModelAccuracyDrop',
          expr: 'increase(model_accuracy_drop_count{$selector}[1h]) > 10',
          for: Duration.minutes(15),
          summary: 'Model accuracy has dropped',
          description: 'The model accuracy has dropped significantly in the last hour',
        }],
      },
    },
  });
}
