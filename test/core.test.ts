// The shared building blocks whose objects the manifests hold directly: wiring after construction must still show.
import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Accelerator, PodNetworkPolicy, SecretValue } from '../lib';
// Internals, by their file path: they are not part of the public API.
import { PodBuilder, validateEnum, Validator } from '../lib/core';
import { KUBE_DNS_EGRESS } from './support/validate';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';

function jobWith(pod: PodBuilder) {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  new k8s.KubeJob(chart, 'job', { metadata: { name: 'job' }, spec: { template: pod.template() } });
  return () => Testing.synth(chart)[0].spec.template.spec;
}

function gpuPod() {
  return new PodBuilder(Validator.forConstruct('Test', 'pod'), { restartPolicy: 'Never' })
    .addContainer({ name: 'trainer', image: IMAGE, resources: { cpu: 1, memory: '1Gi' }, accelerator: Accelerator.nvidiaGpu(1) });
}

describe('PodBuilder', () => {
  test('env, volumes, labels and containers added after template() are in the manifest', () => {
    const pod = gpuPod();
    const spec = jobWith(pod);
    pod.addEnv('MLFLOW_TRACKING_URI', 'http://mlflow.mlops.svc:5000');
    pod.addEnv('TOKEN', SecretValue.fromSecret('api', 'token'));
    pod.addVolume({ name: 'cache', emptyDir: {} });
    pod.addLabel('sidecar.istio.io/inject', 'true');
    pod.addContainer({ name: 'exporter', image: 'prom/statsd-exporter:v0.26.0', resources: { cpu: '100m', memory: '64Mi' } });

    const rendered = spec();
    expect(rendered.containers.map((c: any) => c.name)).toEqual(['trainer', 'exporter']);
    expect(rendered.containers[0].env).toEqual(expect.arrayContaining([
      { name: 'MLFLOW_TRACKING_URI', value: 'http://mlflow.mlops.svc:5000' },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
    ]));
    // The exporter requests no GPU on a GPU node: it must not see the node's GPUs.
    expect(rendered.containers[1].env).toEqual(expect.arrayContaining([{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'none' }]));
    expect(rendered.volumes.map((v: any) => v.name)).toEqual(['tmp', 'cache']);
    expect(pod.podLabels['sidecar.istio.io/inject']).toBe('true');
  });

  test('wired env replaces a container env var of the same name', () => {
    const pod = new PodBuilder(Validator.forConstruct('Test', 'pod'))
      .addContainer({ name: 'app', image: IMAGE, env: { MODE: 'local' }, resources: { cpu: 1, memory: '1Gi' } });
    const spec = jobWith(pod);
    pod.addEnv('MODE', 'remote');
    expect(spec().containers[0].env.filter((e: any) => e.name === 'MODE')).toEqual([{ name: 'MODE', value: 'remote' }]);
  });

  test('wiring one pod does not change another built from the same accelerator', () => {
    const accelerator = Accelerator.nvidiaGpu(1);
    const build = () => new PodBuilder(Validator.forConstruct('Test', 'pod'))
      .addContainer({ name: 'trainer', image: IMAGE, resources: { cpu: 1, memory: '1Gi' }, accelerator });
    const first = build();
    const second = build();
    const firstSpec = jobWith(first);
    const secondSpec = jobWith(second);
    first.addEnv('ONLY_FIRST', 'yes');
    first.addVolume({ name: 'scratch', emptyDir: {} });
    expect(firstSpec().containers[0].env.map((e: any) => e.name)).toContain('ONLY_FIRST');
    expect(secondSpec().containers[0].env.map((e: any) => e.name)).not.toContain('ONLY_FIRST');
    expect(secondSpec().volumes.map((v: any) => v.name)).toEqual(['tmp']);
    expect(secondSpec().tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('shared defaults cannot be changed through one accelerator', () => {
    const [toleration] = Accelerator.nvidiaGpu(1).tolerations;
    expect(() => { (toleration as any).effect = 'NoExecute'; }).toThrow(TypeError);
    expect(Accelerator.nvidiaGpu(1).tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('podSpec() is a copy: changing it does not change the pod', () => {
    const pod = gpuPod();
    const spec = jobWith(pod);
    const copy = pod.podSpec();
    copy.volumes!.push({ name: 'stray', emptyDir: {} });
    copy.containers.pop();
    expect(spec().volumes.map((v: any) => v.name)).toEqual(['tmp']);
    expect(spec().containers).toHaveLength(1);
  });

  test('a second volume of the same name but different content is refused', () => {
    const pod = gpuPod().addVolume({ name: 'cache', emptyDir: {} });
    expect(() => pod.addVolume({ name: 'cache', emptyDir: { medium: 'Memory' } }))
      .toThrow("Test 'pod': 'volumes' must not define two different volumes with the same name, got 'cache'");
  });
});

describe('validateEnum', () => {
  enum Flavor { PLAIN = 'plain', SPICY = 'spicy' }
  const v = Validator.forConstruct('Test', 'enum');

  test('returns a member', () => {
    expect(validateEnum(v, 'flavor', 'spicy', Flavor, 'Flavor')).toBe(Flavor.SPICY);
  });

  test.each([['sweet'], [undefined], [1], ['PLAIN']])('refuses %p, naming every member as it is written', (bad) => {
    expect(() => validateEnum(v, 'flavor', bad, Flavor, 'Flavor')).toThrow(/^Test 'enum': 'flavor' must be one of Flavor\.PLAIN, Flavor\.SPICY, got /);
  });
});

describe('PodNetworkPolicy', () => {
  function policy() {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const netpol = new PodNetworkPolicy(chart, 'policy', { name: 'train', namespace: 'ml', podSelector: { app: 'train' } });
    return { netpol, spec: () => Testing.synth(chart)[0].spec };
  }

  test('only DNS egress, and no ingress key, until wiring opens a path', () => {
    const { spec } = policy();
    expect(spec()).toEqual({
      podSelector: { matchLabels: { app: 'train' } },
      policyTypes: ['Ingress', 'Egress'],
      egress: [KUBE_DNS_EGRESS],
    });
  });

  test('rules added after creation are in the manifest, once each', () => {
    const { netpol, spec } = policy();
    netpol.allowFrom({ podSelector: { app: 'gateway' }, namespace: 'ingress' }, [{ port: 8080 }]);
    netpol.allowFrom({ podSelector: { app: 'gateway' }, namespace: 'ingress' }, [{ port: 8080 }]);
    netpol.allowTo({ podSelector: { app: 'mlflow' } }, [{ port: 5000 }]);
    const rendered = spec();
    expect(rendered.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { app: 'gateway' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
    expect(rendered.egress).toHaveLength(2);
    expect(rendered.egress[1]).toEqual({ to: [{ podSelector: { matchLabels: { app: 'mlflow' } } }], ports: [{ port: 5000, protocol: 'TCP' }] });
  });
});
