// Traffic through the Gateway API instead of Ingress or Istio: an LLM behind an InferencePool (the Inference
// Extension's endpoint picker chooses the replica by queue depth and KV cache), an A/B test split by the HTTPRoute's
// weights, and MLflow exposed on the same Gateway.
import { App, Chart, Duration } from 'cdk8s';
import {
  Accelerator, ArtifactCredentials, ArtifactStore, BackendStore, Exposure, GatewayReference, MlflowPlatform, ModelServer, ModelSource, SecretValue,
  ServingRuntime, VariantSplit,
} from '../lib';

export function build(app: App): void {
  const chart = new Chart(app, 'serving-gateway', { namespace: 'ml-serving' });
  // The platform's shared Gateway: its HTTPS listener admits routes from the team namespaces; its proxies run in
  // its namespace.
  const gateway: GatewayReference = { name: 'inference-gateway', namespace: 'gateway-system', sectionName: 'https' };

  // vLLM behind an InferencePool whose selector and target port (8000) are the server's: no replica is left out.
  // The endpoint picker (`chat-epp`, installed with the Inference Extension's chart) reads the pods' metrics.
  new ModelServer(chart, 'chat', {
    runtime: ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct', huggingFaceToken: SecretValue.fromSecret('hf-token', 'token') }),
    accelerator: Accelerator.nvidiaGpu(1),
    memory: '48Gi',
    replicas: 3,
    gateway: { gateway, hostnames: ['chat.example.com'], pathPrefix: '/v1', requestTimeout: Duration.minutes(5), inferencePool: {} },
  });

  // A 90/10 canary of a new ranker model, split by the HTTPRoute (a Service per variant), with no service mesh.
  new ModelServer(chart, 'ranker', {
    runtime: ServingRuntime.triton(),
    variants: [
      { name: 'stable', weight: 90, model: ModelSource.gcs('gs://ml-models-prod/ranker/v3') },
      { name: 'canary', weight: 10, model: ModelSource.gcs('gs://ml-models-prod/ranker/v4') },
    ],
    variantSplit: VariantSplit.GATEWAY,
    replicas: 2,
    gateway: { gateway, hostnames: ['ranker.example.com'] },
  });

  // MLflow on the same Gateway: the route's host is the name MLflow accepts in the Host header.
  new MlflowPlatform(chart, 'mlflow', {
    backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('mlflow-postgres', 'password'), storage: '20Gi' }),
    artifactStore: ArtifactStore.gcs({ bucket: 'ml-artifacts-prod', credentials: ArtifactCredentials.gkeWorkloadIdentity('mlflow@ml-prod.iam.gserviceaccount.com') }),
    exposure: Exposure.gateway({ gateway, hostnames: ['mlflow.example.com'] }),
  });
}
