import { Chart, Duration, Testing } from 'cdk8s';
import {
  ArtifactCredentials, ArtifactStore, BackendStore, Exposure, GatewayReference, KServeDeploymentMode, MlflowPlatform, ModelFormat, ModelServer,
  ModelServerProps, ModelSource, SecretValue, ServingBackend, ServingRuntime, VariantSplit, VARIANT_LABEL,
} from '../lib';
import { expectValidManifests } from './support/validate';

const gateway: GatewayReference = { name: 'inference-gateway', namespace: 'gateway-system', sectionName: 'https' };
const llm = () => ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct' });

function synth(props: Partial<ModelServerProps>, id = 'srv') {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  const server = new ModelServer(chart, id, { runtime: ServingRuntime.triton(), ...props });
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return { server, objects };
}
const ofKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: any[], kind: string, name?: string) => {
  const found = ofKind(objects, kind).filter((o) => name === undefined || o.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};
const policyIngress = (objects: any[], name = 'srv') => one(objects, 'NetworkPolicy', name).spec.ingress;
const variants = [{ name: 'stable', weight: 90, model: ModelSource.gcs('gs://m/v3') }, { name: 'canary', weight: 10, model: ModelSource.gcs('gs://m/v4') }];

describe('ModelServer behind a Gateway API Gateway', () => {
  test('an HTTPRoute to the Service port; the Gateway\'s proxies reach the container port', () => {
    const { server, objects } = synth({ runtime: llm(), servicePort: 80, gateway: { gateway, hostnames: ['chat.example.com'], pathPrefix: '/v1', requestTimeout: Duration.minutes(5) } });
    const route = one(objects, 'HTTPRoute');
    expect(route.metadata).toMatchObject({ name: 'srv', namespace: 'ml' });
    expect(route.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'inference-gateway', namespace: 'gateway-system', sectionName: 'https' }],
      hostnames: ['chat.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/v1' } }], backendRefs: [{ name: 'srv', port: 80 }], timeouts: { request: '300s' } }],
    });
    expect(policyIngress(objects)).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway-system' } }, podSelector: { matchLabels: {} } }],
      ports: [{ port: 8000, protocol: 'TCP' }],
    });
    expect(server.httpRoute?.kind).toBe('HTTPRoute');
    expect(server.inferencePool).toBeUndefined();
  });

  test('the proxies can be named (Envoy Gateway runs them in its own namespace); the Gateway defaults to the route\'s namespace', () => {
    const { objects } = synth({ gateway: { gateway: { name: 'gw', proxies: { podSelector: { 'gateway.envoyproxy.io/owning-gateway-name': 'gw' }, namespace: 'envoy-gateway-system' } } } });
    expect(one(objects, 'HTTPRoute').spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }]);
    expect(policyIngress(objects)).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } }, podSelector: { matchLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'gw' } } }],
      ports: [{ port: 8000, protocol: 'TCP' }],
    });
  });

  test('an InferencePool whose selector is the server\'s and whose target port is the container port (not the Service port)', () => {
    const { server, objects } = synth({ runtime: llm(), servicePort: 80, gateway: { gateway, inferencePool: {} } });
    const pool = one(objects, 'InferencePool');
    expect(pool.spec).toEqual({
      selector: { matchLabels: one(objects, 'Deployment').spec.selector.matchLabels },
      targetPorts: [{ number: 8000 }],
      endpointPickerRef: { name: 'srv-epp', port: { number: 9002 } },
    });
    expect(one(objects, 'HTTPRoute').spec.rules[0].backendRefs).toEqual([{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'srv' }]);
    // The endpoint picker reads the pods' metrics on their serving port.
    expect(policyIngress(objects)).toContainEqual({ from: [{ podSelector: { matchLabels: { inferencepool: 'srv-epp' } } }], ports: [{ port: 8000, protocol: 'TCP' }] });
    expect(server.inferencePool?.kind).toBe('InferencePool');
  });

  test('an endpoint picker of one\'s own, failing open; a separate metrics port is opened to it too', () => {
    const { objects } = synth({
      gateway: { gateway, inferencePool: { endpointPickerService: 'llm-router', endpointPickerPort: 9010, failOpen: true, endpointPickerPods: { podSelector: { app: 'llm-router' }, namespace: 'routing' } } },
    });
    expect(one(objects, 'InferencePool').spec.endpointPickerRef).toEqual({ name: 'llm-router', port: { number: 9010 }, failureMode: 'FailOpen' });
    expect(one(objects, 'InferencePool').spec.targetPorts).toEqual([{ number: 8000 }]);
    expect(policyIngress(objects)).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'routing' } }, podSelector: { matchLabels: { app: 'llm-router' } } }],
      ports: [{ port: 8000, protocol: 'TCP' }, { port: 8002, protocol: 'TCP' }],
    });
  });

  test('variants split by the HTTPRoute: a Service per variant, weighted backends, no Istio objects', () => {
    const { objects } = synth({ variants, variantSplit: VariantSplit.GATEWAY, gateway: { gateway } });
    expect(one(objects, 'HTTPRoute').spec.rules[0].backendRefs).toEqual([
      { name: 'srv-stable', port: 8000, weight: 90 },
      { name: 'srv-canary', port: 8000, weight: 10 },
    ]);
    expect(one(objects, 'Service', 'srv-canary').spec.selector).toMatchObject({ [VARIANT_LABEL]: 'canary' });
    expect(ofKind(objects, 'VirtualService')).toHaveLength(0);
    expect(ofKind(objects, 'DestinationRule')).toHaveLength(0);
    for (const d of ofKind(objects, 'Deployment')) expect(d.spec.template.metadata.labels['sidecar.istio.io/inject']).toBeUndefined();
  });

  test('variants split by Istio by default: the route splits the Gateway\'s traffic alike', () => {
    const { objects } = synth({ variants, gateway: { gateway } });
    expect(one(objects, 'HTTPRoute').spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight])).toEqual([['srv-stable', 90], ['srv-canary', 10]]);
    expect(one(objects, 'VirtualService').spec.http[0].route.map((r: any) => r.weight)).toEqual([90, 10]);
  });

  test('without gateway, variants keep one Service (as before)', () => {
    const { objects } = synth({ variants });
    expect(ofKind(objects, 'Service').map((s) => s.metadata.name)).toEqual(['srv']);
  });

  test.each<[string, Partial<ModelServerProps>, string]>([
    ['variantSplit GATEWAY needs gateway', { variants, variantSplit: VariantSplit.GATEWAY }, "'variantSplit' VariantSplit.GATEWAY needs gateway, the HTTPRoute that splits the traffic, got 'gateway'"],
    ['variantSplit needs variants', { variantSplit: VariantSplit.ISTIO }, "'variantSplit' applies only with variants, got 'istio'"],
    ['variantSplit is a VariantSplit', { variants, variantSplit: 'mesh' as VariantSplit }, "'variantSplit' must be one of"],
    ['an InferencePool ignores weights', { variants, gateway: { gateway, inferencePool: {} } }, "'gateway.inferencePool' cannot be combined with variants: the endpoint picker balances over every variant's pods by load, ignoring the 90/10 split"],
    ['the Gateway has a name', { gateway: { gateway: { name: 'Bad_Name' } } }, "'gateway.gateway.name' must be"],
    ['host names are DNS names', { gateway: { gateway, hostnames: ['10.0.0.1:443'] } }, "'gateway.hostnames[0]' must be a lower-case DNS name such as 'ml.example.com' (optionally '*.' first; no IP address), got '10.0.0.1:443'"],
    ['paths are normalised', { gateway: { gateway, pathPrefix: '/v1//models' } }, "'gateway.pathPrefix' must be an absolute path such as '/v1' without '//', '.' or '..' segments, '#' or encoded slashes, got '/v1//models'"],
    ['a request timeout of at least a second', { gateway: { gateway, requestTimeout: Duration.millis(500) } }, "'gateway.requestTimeout'"],
    ['the endpoint picker port', { gateway: { gateway, inferencePool: { endpointPickerPort: 70000 } } }, "'gateway.inferencePool.endpointPickerPort'"],
  ])('%s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(`ModelServer 'srv': ${message}`);
  });

  test('KServe routes to its InferenceService itself', () => {
    expect(() => synth({
      runtime: undefined, backend: ServingBackend.kserve({ modelFormat: ModelFormat.SKLEARN, mode: KServeDeploymentMode.SERVERLESS }), model: ModelSource.gcs('gs://b/iris'), gateway: { gateway },
    })).toThrow("ModelServer 'srv': 'gateway' is not supported with the KServe backend: KServe routes to the InferenceService itself (its ingress configuration, Gateway API included), got 'inference-gateway'");
  });
});

describe('MlflowPlatform behind a Gateway API Gateway', () => {
  const mlflow = (exposure: () => Exposure) => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const platform = new MlflowPlatform(chart, 'mlflow', {
      backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') }),
      artifactStore: ArtifactStore.gcs({ bucket: 'ml-artifacts', credentials: ArtifactCredentials.gkeWorkloadIdentity('mlflow@p.iam.gserviceaccount.com') }),
      exposure: exposure(),
    });
    const objects = Testing.synth(chart);
    expectValidManifests(objects);
    return { platform, objects };
  };

  test('an HTTPRoute to the tracking server\'s Service; its host is an allowed Host header; the proxies reach port 5000', () => {
    const { platform, objects } = mlflow(() => Exposure.gateway({ gateway, hostnames: ['mlflow.example.com'] }));
    const route = one(objects, 'HTTPRoute');
    expect(route.spec.hostnames).toEqual(['mlflow.example.com']);
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'mlflow', port: 5000 }]);
    const server = one(objects, 'Deployment', 'mlflow').spec.template.spec.containers[0];
    expect(server.args[server.args.indexOf('--allowed-hosts') + 1]).toMatch(/,mlflow\.example\.com$/);
    expect(policyIngress(objects, 'mlflow')).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway-system' } }, podSelector: { matchLabels: {} } }],
      ports: [{ port: 5000, protocol: 'TCP' }],
    });
    expect(one(objects, 'Service', 'mlflow').spec.type).toBe('ClusterIP');
    expect(platform.httpRoute?.kind).toBe('HTTPRoute');
  });

  test.each<[string, () => Exposure, string]>([
    ['host names are required', () => Exposure.gateway({ gateway } as any), "Exposure.gateway: 'hostnames' must list the host names clients use (MLflow rejects requests for other Host headers), got nothing"],
    ['no wildcard host', () => Exposure.gateway({ gateway, hostnames: ['*.example.com'] }), "Exposure.gateway: 'hostnames[0]' must be an exact host name: MLflow checks the Host header against the names it is given, got '*.example.com'"],
    ['served from the root', () => Exposure.gateway({ gateway, hostnames: ['mlflow.example.com'], pathPrefix: '/mlflow' }), "Exposure.gateway: 'pathPrefix' must be '/': the tracking server and its UI are served from the root, got '/mlflow'"],
    ['a Gateway is required', () => Exposure.gateway({ hostnames: ['mlflow.example.com'] } as any), "Exposure.gateway: 'gateway' must reference a Gateway: { name, namespace?, sectionName? }, got nothing"],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
