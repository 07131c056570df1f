import { Chart, Duration, Testing } from 'cdk8s';
import { Accelerator, GPU_CHECK_IMAGE, GpuCheckJob, GpuCheckJobProps, MlRbac, Spot, TpuVersion } from '../lib';
import { expectValidManifests } from './support/validate';

function synth(props: GpuCheckJobProps = {}, id = 'gpu-check', namespace = 'ml') {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  const check = new GpuCheckJob(chart, id, props);
  return { check, objects: Testing.synth(chart) };
}

function only(objects: any[], kind: string): any {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('GpuCheckJob', () => {
  test('nvidia-smi on one GPU as a Job that ends (snapshot)', () => {
    const { objects } = synth();
    expect(objects).toMatchSnapshot();
    expect(objects.map((o) => o.kind)).toEqual(['Job', 'NetworkPolicy']);
    expectValidManifests(objects);
  });

  test('ends and is cleaned up: one pod, no retry, a deadline, a TTL, restartPolicy Never', () => {
    const job = only(synth().objects, 'Job');
    expect(job.spec).toMatchObject({ backoffLimit: 0, completions: 1, parallelism: 1, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 3600 });
    expect(job.spec.podFailurePolicy).toBeUndefined();
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    const custom = only(synth({ activeDeadline: Duration.minutes(2), ttlAfterFinished: Duration.minutes(15) }).objects, 'Job');
    expect(custom.spec).toMatchObject({ activeDeadlineSeconds: 120, ttlSecondsAfterFinished: 900 });
  });

  test('the accelerator with its toleration, small requests equal to limits, restricted, no token, no /dev/shm', () => {
    const pod = only(synth().objects, 'Job').spec.template.spec;
    const [container] = pod.containers;
    expect(container).toMatchObject({ name: 'gpu-check', image: GPU_CHECK_IMAGE, command: ['nvidia-smi'] });
    expect(container.resources).toEqual({
      requests: { 'cpu': '100m', 'memory': '256Mi', 'nvidia.com/gpu': '1' },
      limits: { 'cpu': '100m', 'memory': '256Mi', 'nvidia.com/gpu': '1' },
    });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(JSON.stringify(pod.volumes ?? [])).not.toContain('Memory');
  });

  test('its NetworkPolicy selects the pod and allows nothing in or out, not even DNS', () => {
    const { objects, check } = synth();
    const policy = only(objects, 'NetworkPolicy');
    expect(policy.spec).toEqual({ podSelector: { matchLabels: check.podSelector }, policyTypes: ['Ingress', 'Egress'] });
    expect(only(objects, 'Job').spec.template.metadata.labels).toMatchObject(check.podSelector);
    expect(check.job.name).toBe('gpu-check');
    expect(check.networkPolicy.name).toBe('gpu-check');
  });

  test('a MIG slice on a chosen node, in a team namespace through its queue, as its trainer', () => {
    const chart = new Chart(Testing.app(), 'test');
    const rbac = new MlRbac(chart, 'rbac', { teams: [{ name: 'vision', namespaces: ['vision', 'vision-debug'], quota: { gpus: 2, cpu: 8, memory: '32Gi', accelerators: [{ accelerator: Accelerator.mig('1g.10gb'), count: 2 }] } }] });
    new GpuCheckJob(chart, 'mig-check', {
      team: rbac.team('vision').inNamespace('vision-debug'),
      accelerator: Accelerator.mig('1g.10gb'),
      command: ['nvidia-smi', '-L'],
      scheduling: { nodeSelector: { 'kubernetes.io/hostname': 'gpu-node-7' } },
    });
    const objects = Testing.synth(chart);
    const job = objects.find((o) => o.kind === 'Job');
    expect(job.metadata).toMatchObject({ name: 'mig-check', namespace: 'vision-debug', labels: { 'kueue.x-k8s.io/queue-name': 'vision' } });
    const pod = job.spec.template.spec;
    expect(pod.serviceAccountName).toBe('vision-trainer');
    expect(pod.nodeSelector).toMatchObject({ 'kubernetes.io/hostname': 'gpu-node-7' });
    expect(pod.containers[0].resources.limits['nvidia.com/mig-1g.10gb']).toBe('1');
    expect(pod.containers[0].command).toEqual(['nvidia-smi', '-L']);
    expectValidManifests(objects);
  });

  test('on spot capacity without checkpoints (a check loses nothing when reclaimed)', () => {
    const pod = only(synth({ scheduling: { spot: Spot.karpenter() } }).objects, 'Job').spec.template.spec;
    expect(pod.nodeSelector).toMatchObject({ 'karpenter.sh/capacity-type': 'spot' });
  });

  test('another vendor with its own image and command', () => {
    const tpu = Accelerator.tpu({ version: TpuVersion.V5E, topology: '2x2' });
    const { objects } = synth({ accelerator: tpu, image: 'us-docker.pkg.dev/cloud-tpu-images/jax-stable-stack/tpu:jax0.4.35-rev1', command: ['python', '-c', 'import jax; print(jax.devices())'] });
    expect(only(objects, 'Job').spec.template.spec.containers[0].resources.limits['google.com/tpu']).toBe('4');
    expectValidManifests(objects);
  });

  describe('bad input', () => {
    test('no device to check', () => {
      expect(() => synth({ accelerator: Accelerator.none() })).toThrow(/^GpuCheckJob 'gpu-check': 'accelerator' must be a device to check, not Accelerator.none\(\), got 'no accelerator \(CPU only\)'$/);
      expect(() => synth({ accelerator: 'nvidia' as any })).toThrow(/^GpuCheckJob 'gpu-check': 'accelerator' must be made with an Accelerator factory/);
    });

    test('another vendor without image or command', () => {
      expect(() => synth({ accelerator: Accelerator.amdGpu(1) })).toThrow(/^GpuCheckJob 'gpu-check': 'image' must be given for .*: the default image and nvidia-smi check NVIDIA devices only, got nothing$/);
      expect(() => synth({ accelerator: Accelerator.amdGpu(1), image: 'rocm/rocm-terminal:6.1.2' })).toThrow(/^GpuCheckJob 'gpu-check': 'command' must be given for /);
    });

    test('a bad name, an unpinned image, an unknown prop, a zero deadline', () => {
      expect(() => synth({ name: 'GPU_check' })).toThrow(/^GpuCheckJob 'gpu-check': 'name' must be a DNS-1123 label/);
      expect(() => synth({ image: 'nvidia/cuda' })).toThrow(/^GpuCheckJob 'gpu-check': 'image' /);
      expect(() => synth({ backoffLimit: 3 } as any)).toThrow(/^GpuCheckJob 'gpu-check': 'backoffLimit' /);
      expect(() => synth({ activeDeadline: Duration.seconds(0) })).toThrow(/^GpuCheckJob 'gpu-check': 'activeDeadline' must be a whole number of at least 1, got 0$/);
      expect(() => synth({ command: 'nvidia-smi' as any })).toThrow(/^GpuCheckJob 'gpu-check': 'command' must be a list of strings, got 'nvidia-smi'$/);
    });
  });
});
