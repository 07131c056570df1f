import { Chart, Duration, Testing } from 'cdk8s';
import {
  Accelerator, HttpMethod, KServeDeploymentMode, ModelFormat, ModelServer, ModelServerProps, ModelSource, ScalingMetric, ServingBackend,
  ServingRuntime,
} from '../lib';
import { expectValidManifests } from './support/validate';

const prometheus = { serverAddress: 'http://prometheus.monitoring.svc:9090', query: 'sum(rate(gateway_requests_total{route="llm"}[2m]))', threshold: 5 };

function synth(props: Partial<ModelServerProps>, id = 'srv') {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  new ModelServer(chart, id, { runtime: ServingRuntime.triton(), ...props });
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return objects;
}
const one = (objects: any[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};
const kserve = (mode: KServeDeploymentMode, props: Partial<ModelServerProps> = {}) => synth({
  runtime: undefined, backend: ServingBackend.kserve({ modelFormat: ModelFormat.SKLEARN, mode }), model: ModelSource.gcs('gs://b/iris'), ...props,
});

describe('scale to zero with KEDA (Deployment backend)', () => {
  test('minReplicaCount 0, with a cooldown of the startup budget (the runtime\'s 10 minutes) by default', () => {
    const objects = synth({ autoscaling: { minReplicas: 0, maxReplicas: 4, prometheus } });
    const spec = one(objects, 'ScaledObject').spec;
    expect(spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 4, cooldownPeriod: 600, initialCooldownPeriod: 600 });
    expect(spec.triggers).toEqual([{ type: 'prometheus', metadata: { ...prometheus, threshold: '5' } }]);
    // The startup probe's budget is what the cooldown covers.
    const probe = one(objects, 'Deployment').spec.template.spec.containers[0].startupProbe;
    expect(probe.failureThreshold * probe.periodSeconds).toBe(600);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toHaveLength(0);
  });

  test('vLLM\'s 30-minute startup budget makes the default cooldown 30 minutes', () => {
    const objects = synth({
      runtime: ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct' }), accelerator: Accelerator.nvidiaGpu(1),
      autoscaling: { minReplicas: 0, maxReplicas: 2, prometheus },
    });
    expect(one(objects, 'ScaledObject').spec).toMatchObject({ minReplicaCount: 0, cooldownPeriod: 1800 });
  });

  test('a short startup budget still keeps the last replica 5 minutes by default; an explicit cooldown at least the budget is kept', () => {
    const quick = synth({ startupTimeout: Duration.minutes(1), autoscaling: { minReplicas: 0, maxReplicas: 2, prometheus } });
    expect(one(quick, 'ScaledObject').spec.cooldownPeriod).toBe(300);
    const given = synth({ startupTimeout: Duration.minutes(2), autoscaling: { minReplicas: 0, maxReplicas: 2, prometheus, cooldown: Duration.minutes(2) } });
    expect(one(given, 'ScaledObject').spec).toMatchObject({ cooldownPeriod: 120, initialCooldownPeriod: 120 });
  });

  test('without scale to zero, the ScaledObject has no cooldown (as before)', () => {
    const spec = one(synth({ autoscaling: { minReplicas: 1, maxReplicas: 2, prometheus } }), 'ScaledObject').spec;
    expect(spec.minReplicaCount).toBe(1);
    expect(spec.cooldownPeriod).toBeUndefined();
    expect(spec.initialCooldownPeriod).toBeUndefined();
  });

  test('a cooldown shorter than the startup budget is refused (the cold-start guard)', () => {
    expect(() => synth({ autoscaling: { minReplicas: 0, maxReplicas: 2, prometheus, cooldown: Duration.minutes(5) } })).toThrow(
      "ModelServer 'srv': 'autoscaling.cooldown' must be at least the startup budget of 600s (the triton runtime's default startup budget: the startup probe's 60 checks every 10s): a server scaled to zero sooner than a replica takes to load its model makes every burst of traffic wait out, or time out on, a cold start; raise the cooldown or shorten startupTimeout, got '300s'",
    );
    expect(() => synth({ startupTimeout: Duration.minutes(15), probePeriod: Duration.seconds(20), autoscaling: { minReplicas: 0, maxReplicas: 2, prometheus, cooldown: Duration.minutes(10) } }))
      .toThrow(/at least the startup budget of 900s \(startupTimeout: the startup probe's 45 checks every 20s\).*got '600s'/);
  });

  test('a cooldown without scale to zero is refused: KEDA and Knative apply it only to the last replica', () => {
    expect(() => synth({ autoscaling: { minReplicas: 1, maxReplicas: 2, prometheus, cooldown: Duration.minutes(20) } })).toThrow(
      "ModelServer 'srv': 'autoscaling.cooldown' applies only to scale to zero (autoscaling.minReplicas: 0); with 1 replicas at least, the scale-down behaviour is autoscaling.scaleDown, got '20 minutes'",
    );
  });

  test('a HorizontalPodAutoscaler keeps refusing 0', () => {
    expect(() => synth({ autoscaling: { minReplicas: 0, maxReplicas: 3, metrics: [ScalingMetric.requestsPerSecond(10)] } })).toThrow(
      "ModelServer 'srv': 'autoscaling.minReplicas' can be 0 only with autoscaling.prometheus (a KEDA ScaledObject) or the KServe Serverless backend: a HorizontalPodAutoscaler cannot scale to zero, got 0",
    );
  });

  test('variants cannot scale to zero: the split keeps sending each its share', () => {
    expect(() => synth({
      model: ModelSource.gcs('gs://b/m'),
      variants: [{ name: 'a', weight: 50 }, { name: 'b', weight: 50 }],
      autoscaling: { minReplicas: 0, maxReplicas: 3, prometheus },
    })).toThrow("ModelServer 'srv': 'autoscaling.minReplicas' cannot be 0 with variants: the traffic split keeps sending each variant its share of the requests, which fail while the variant has no replica, got 0");
  });
});

describe('scale to zero with KServe Serverless (Knative)', () => {
  test('predictor minReplicas 0 and the last replica retained for the cooldown (10 minutes by default)', () => {
    const isvc = one(kserve(KServeDeploymentMode.SERVERLESS, { autoscaling: { minReplicas: 0, maxReplicas: 3 } }), 'InferenceService');
    expect(isvc.spec.predictor).toMatchObject({ minReplicas: 0, maxReplicas: 3 });
    expect(isvc.metadata.annotations).toEqual({
      'serving.kserve.io/deploymentMode': 'Serverless',
      'autoscaling.knative.dev/scale-to-zero-pod-retention-period': '600s',
    });
  });

  test('startupTimeout is the cold-start budget with KServe scale to zero; the preset\'s budget otherwise', () => {
    const fast = one(kserve(KServeDeploymentMode.SERVERLESS, {
      startupTimeout: Duration.minutes(1), autoscaling: { minReplicas: 0, maxReplicas: 3, cooldown: Duration.minutes(2), metrics: [ScalingMetric.requestsPerSecond(5)] },
    }), 'InferenceService');
    expect(fast.metadata.annotations['autoscaling.knative.dev/scale-to-zero-pod-retention-period']).toBe('120s');
    expect(fast.spec.predictor).toMatchObject({ minReplicas: 0, scaleMetric: 'rps', scaleTarget: 5 });
    expect(() => kserve(KServeDeploymentMode.SERVERLESS, {
      runtime: ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct' }), backend: ServingBackend.kserve({ mode: KServeDeploymentMode.SERVERLESS }),
      autoscaling: { minReplicas: 0, maxReplicas: 1, cooldown: Duration.minutes(10) },
    })).toThrow(/'autoscaling.cooldown' must be at least the startup budget of 1800s \(the vllm runtime's default startup budget; set startupTimeout for a faster model load\)/);
  });

  test('RawDeployment and Knative\'s HPA class cannot scale to zero', () => {
    expect(() => kserve(KServeDeploymentMode.RAW_DEPLOYMENT, { autoscaling: { minReplicas: 0, maxReplicas: 3 } })).toThrow(
      "ModelServer 'srv': 'autoscaling.minReplicas' can be 0 with KServe only in KServeDeploymentMode.SERVERLESS: RawDeployment scales with a HorizontalPodAutoscaler, which cannot scale to zero, got 0",
    );
    expect(() => kserve(KServeDeploymentMode.SERVERLESS, { autoscaling: { minReplicas: 0, maxReplicas: 3, cpuUtilization: 70 } })).toThrow(
      /'autoscaling.minReplicas' can be 0 only with Knative's own autoscaler \(KPA\): autoscaling.cpuUtilization selects Knative's HPA class/,
    );
  });

  test('startupTimeout stays refused with KServe when it does not scale to zero', () => {
    expect(() => kserve(KServeDeploymentMode.SERVERLESS, { startupTimeout: Duration.minutes(1), autoscaling: { minReplicas: 1, maxReplicas: 3 } }))
      .toThrow(/'startupTimeout' is not supported with the KServe backend: the ServingRuntime defines the probes of the model container \(with KServe Serverless scaling to zero it is the cold-start budget/);
  });
});

describe('KServe Serverless without autoscaling leaves KServe\'s own scaling on', () => {
  test('no replicas and no autoscaling: no minReplicas/maxReplicas (KServe: at least one replica, Knative scales on concurrency)', () => {
    const p = one(kserve(KServeDeploymentMode.SERVERLESS), 'InferenceService').spec.predictor;
    expect(p.minReplicas).toBeUndefined();
    expect(p.maxReplicas).toBeUndefined();
  });

  test('explicit replicas still pin the count; RawDeployment keeps its fixed 2 replicas', () => {
    expect(one(kserve(KServeDeploymentMode.SERVERLESS, { replicas: 3 }), 'InferenceService').spec.predictor).toMatchObject({ minReplicas: 3, maxReplicas: 3 });
    expect(one(kserve(KServeDeploymentMode.RAW_DEPLOYMENT), 'InferenceService').spec.predictor).toMatchObject({ minReplicas: 2, maxReplicas: 2 });
  });
});

describe('Istio 1.22+ path templates in allowedCallers.paths', () => {
  const withPaths = (paths: string[]) => synth({
    istio: { allowedCallers: { serviceAccounts: [{ name: 'web', namespace: 'apps' }], methods: [HttpMethod.POST], paths } },
  });

  test.each([
    ['/v1/models/{*}/infer'], ['/v2/models/{**}'], ['/foo/{*}/bar/{**}'], ['/foo/{**}/'], ['/v1/models/*'], ['*/infer'], ['/v1/models/resnet'], ['*'],
  ])('%s is accepted as written', (path) => {
    const policy = one(withPaths([path]), 'AuthorizationPolicy');
    expect(policy.spec.rules[0].to[0].operation.paths).toEqual([path]);
  });

  test.each([
    ['/{**}/foo/{*}', 'must have {**} as its last operator'],
    ['/foo/{*}.txt', 'must have a path segment of its own for each template operator'],
    ['/*/baz/{*}', 'must have a path segment of its own for each template operator'],
    ['/v1/models/{name}/infer', 'must have a path segment of its own for each template operator'],
    ['/v1/models/{name}', 'must have a path segment of its own for each template operator'],
    ['*/{*}', 'must start with \'/\' when it is a path template'],
    ['/v1/models/*/infer', 'must have \'*\' only as its first or last character (Istio treats a \'*\' inside as a literal character, so the rule would never match): use an exact path, a prefix \'/v1/models/*\', a suffix \'*/infer\' or an Istio 1.22+ path template with {*} (one segment) and {**} (any number, last operator) such as \'/v1/models/{*}/infer\''],
    ['/v1/models /x', 'must not contain spaces or control characters'],
  ])('%s is refused', (path, message) => {
    expect(() => withPaths([path])).toThrow(`ModelServer 'srv': 'istio.allowedCallers.paths[0]' ${message}`);
  });
});
