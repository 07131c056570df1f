// Servers that scale to zero while idle and release their GPUs: an LLM on vLLM scaled by KEDA on the ingress
// controller's request rate, and a KServe Serverless model scaled by Knative. Each keeps its last replica at least as
// long as a cold start lasts (a shorter cooldown is refused at synth).
import { App, Chart, Duration } from 'cdk8s';
import { Accelerator, KServeDeploymentMode, ModelFormat, ModelServer, ModelSource, SecretValue, ServingBackend, ServingRuntime } from '../lib';

export function build(app: App): void {
  const chart = new Chart(app, 'serving-scale-to-zero', { namespace: 'ml-serving' });

  // The query counts requests at the ingress controller, which exist while no replica runs (the server's own vLLM
  // metrics vanish at zero, and a query on them would never wake it). Idle for 20 minutes, the last replica stops.
  new ModelServer(chart, 'chat', {
    runtime: ServingRuntime.vllm({ model: 'Qwen/Qwen2.5-7B-Instruct', huggingFaceToken: SecretValue.fromSecret('hf-token', 'token') }),
    accelerator: Accelerator.nvidiaGpu(1),
    memory: '48Gi',
    startupTimeout: Duration.minutes(15),
    autoscaling: {
      minReplicas: 0,
      maxReplicas: 3,
      cooldown: Duration.minutes(20),
      prometheus: {
        serverAddress: 'http://prometheus-operated.monitoring.svc:9090',
        query: 'sum(rate(nginx_ingress_controller_requests{namespace="ml-serving",ingress="chat"}[2m]))',
        threshold: 2,
      },
    },
    ingress: { host: 'chat.example.com', className: 'nginx', tlsSecretName: 'chat-tls' },
  });

  // KServe Serverless: Knative's activator holds the first request while a replica starts; the last replica stays
  // for 5 minutes of idleness (the model loads in under 2).
  new ModelServer(chart, 'fraud-detector', {
    backend: ServingBackend.kserve({ modelFormat: ModelFormat.SKLEARN, mode: KServeDeploymentMode.SERVERLESS }),
    model: ModelSource.gcs('gs://ml-models-prod/fraud-detector/v7'),
    cpu: '500m',
    memory: '1Gi',
    startupTimeout: Duration.minutes(2),
    autoscaling: { minReplicas: 0, maxReplicas: 5, cooldown: Duration.minutes(5) },
  });
}
