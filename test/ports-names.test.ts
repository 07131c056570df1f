import { Chart, Testing } from 'cdk8s';
import {
  ArtifactStore, BackendStore, Exposure, GpuTrainingJob, MlflowPlatform, ModelServer, ModelSource, SecretValue, ServiceType,
  ServingBackend, ServingRuntime,
} from '../lib';
import { expectValidManifests } from './support/validate';

const chartOf = () => new Chart(Testing.app(), 'test', { namespace: 'ml' });
const find = (objects: any[], kind: string, name?: string) => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
};
const custom = () => ServingRuntime.custom({
  image: 'registry.example.com/ai-app:1.0.0',
  ports: [{ name: 'http', port: 8000 }, { name: 'metrics', port: 9090 }],
  probes: { readiness: { port: 'http' }, liveness: { port: 'http' } },
});

describe('ModelServer servicePort and serviceName', () => {
  test('the Service listens on 80 and forwards to the serving port by name; callers and the policy use the right ports', () => {
    const chart = chartOf();
    const server = new ModelServer(chart, 'ai-api', {
      runtime: custom(), servicePort: 80, serviceName: 'ai-service',
      ingress: { host: 'ai.example.com', className: 'nginx', tlsSecretName: 'tls' },
    });
    const client = new GpuTrainingJob(chart, 'client', { image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime' });
    server.connect(client);
    expect(server.serviceName).toBe('ai-service');
    expect(server.port).toBe(80);
    expect(server.url).toBe('http://ai-service.ml.svc:80');
    const objects = Testing.synth(chart);
    const service = find(objects, 'Service');
    expect(service.metadata.name).toBe('ai-service');
    expect(service.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'http' },
    ]);
    expect(find(objects, 'Deployment').metadata.name).toBe('ai-api');
    expect(find(objects, 'Ingress').spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'ai-service', port: { name: 'http' } });
    const job = find(objects, 'Job');
    expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'MODEL_SERVER_URL', value: 'http://ai-service.ml.svc:80' });
    // NetworkPolicies select pods: they open the pod's port, not the Service's.
    const egress = find(objects, 'NetworkPolicy', 'client').spec.egress;
    expect(JSON.stringify(egress)).toContain('"port":8000');
    expect(JSON.stringify(egress)).not.toContain('"port":80,');
    expectValidManifests(objects);
  });

  test('defaults: the Service has the server\'s name and the runtime\'s port', () => {
    const chart = chartOf();
    const server = new ModelServer(chart, 'ai-api', { runtime: custom() });
    expect([server.serviceName, server.port]).toEqual(['ai-api', 8000]);
  });

  test('bad input', () => {
    const chart = chartOf();
    expect(() => new ModelServer(chart, 'a', { runtime: custom(), servicePort: 9090 })).toThrow(
      "ModelServer 'a': 'servicePort' must differ from the runtime's 'metrics' port 9090, which the Service also exposes, got 9090",
    );
    expect(() => new ModelServer(chart, 'b', { runtime: custom(), servicePort: 0 })).toThrow(/ModelServer 'b': 'servicePort' must be/);
    expect(() => new ModelServer(chart, 'c', { runtime: custom(), serviceName: '9lives' })).toThrow(/ModelServer 'c': 'serviceName' must be a DNS-1035 label/);
    expect(() => new ModelServer(chart, 'd', {
      backend: ServingBackend.kserve(), runtime: ServingRuntime.tfServing({ modelName: 'm' }), model: ModelSource.s3('s3://b/m'), servicePort: 80,
    })).toThrow("ModelServer 'd': 'servicePort' applies only to the Deployment backend: KServe names its Services after the InferenceService and listens on 80, got 80");
  });
});

describe('MlflowPlatform servicePort and serviceName', () => {
  const stores = {
    backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') }),
    artifactStore: ArtifactStore.minio({ bucket: 'mlflow', rootUser: SecretValue.fromSecret('minio', 'user'), rootPassword: SecretValue.fromSecret('minio', 'password') }),
  };

  test('a load balancer on 80 in front of the server on 5000, under its own name', () => {
    const chart = chartOf();
    const mlflow = new MlflowPlatform(chart, 'mlflow-tracking', {
      ...stores, servicePort: 80, serviceName: 'mlflow',
      exposure: Exposure.loadBalancer({ sourceRanges: ['10.0.0.0/8'], hosts: ['mlflow.example.com'] }),
    });
    const job = new GpuTrainingJob(chart, 'train', { image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime' });
    mlflow.connect(job);
    expect(mlflow.trackingUri).toBe('http://mlflow.ml.svc:80');
    const objects = Testing.synth(chart);
    const service = find(objects, 'Service', 'mlflow');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(service.spec.type).toBe('LoadBalancer');
    const deployment = find(objects, 'Deployment', 'mlflow-tracking');
    const args: string[] = deployment.spec.template.spec.containers[0].args;
    expect(args[args.indexOf('--port') + 1]).toBe('5000');
    const hosts = args[args.indexOf('--allowed-hosts') + 1].split(',');
    expect(hosts).toEqual(expect.arrayContaining(['mlflow', 'mlflow:80', 'mlflow.ml.svc:80', 'localhost:80', 'localhost:5000', 'mlflow.example.com']));
    expect(hosts).not.toContain('mlflow-tracking');
    expect(JSON.stringify(find(objects, 'NetworkPolicy', 'train').spec.egress)).toContain('"port":5000');
    expect(JSON.stringify(find(objects, 'NetworkPolicy', 'mlflow-tracking').spec.ingress)).not.toContain('"port":80,');
    expectValidManifests(objects);
  });

  test('defaults unchanged: one port, the name', () => {
    const mlflow = new MlflowPlatform(chartOf(), 'mlflow', stores);
    expect([mlflow.serviceName, mlflow.port, mlflow.trackingUri]).toEqual(['mlflow', 5000, 'http://mlflow.ml.svc:5000']);
  });

  test('bad input', () => {
    expect(() => new MlflowPlatform(chartOf(), 'm', { ...stores, servicePort: 70000 })).toThrow(/MlflowPlatform 'm': 'servicePort' must be/);
    expect(() => new MlflowPlatform(chartOf(), 'm', { ...stores, serviceName: 'Bad' })).toThrow(/MlflowPlatform 'm': 'serviceName' must be a DNS-1035 label/);
  });
});

test('ServiceType stays usable with servicePort', () => {
  const server = new ModelServer(chartOf(), 's', { runtime: custom(), serviceType: ServiceType.LOAD_BALANCER, access: { cidrs: ['10.0.0.0/8'] }, servicePort: 80 });
  expect(server.service!.name).toBe('s');
});
