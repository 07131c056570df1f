import { Chart, Testing } from 'cdk8s';
import { Accelerator, DistributedTraining, Framework, GpuTrainingJob, MlRbac } from '../lib';
import { expectValidManifests } from './support/validate';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';
const chartOf = () => new Chart(Testing.app(), 'test', { namespace: 'ml' });
const podOf = (o: any) => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);

describe('training requests and limits', () => {
  test('limits above requests, on every training container of every backend', () => {
    const chart = chartOf();
    new GpuTrainingJob(chart, 'single', { image: IMAGE, cpu: 4, cpuLimit: 8, memory: '16Gi', memoryLimit: '24Gi' });
    new DistributedTraining(chart, 'dist', { image: IMAGE, command: ['python', 'x.py'], framework: Framework.pytorch(), cpu: 2, cpuLimit: '3', memory: '8Gi', memoryLimit: '10Gi' });
    const objects = Testing.synth(chart);
    const single = podOf(objects.find((o) => o.kind === 'Job' && o.metadata.name === 'single')).containers[0];
    expect(single.resources.requests).toEqual({ 'cpu': '4', 'memory': '16Gi', 'nvidia.com/gpu': '1' });
    expect(single.resources.limits).toEqual({ 'cpu': '8', 'memory': '24Gi', 'nvidia.com/gpu': '1' });
    const dist = podOf(objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('dist'))).containers[0];
    expect(dist.resources.limits).toMatchObject({ cpu: '3', memory: '10Gi' });
    expect(dist.resources.requests).toMatchObject({ cpu: '2', memory: '8Gi' });
    expectValidManifests(objects);
  });

  test('defaults unchanged: limits equal requests', () => {
    const chart = chartOf();
    new GpuTrainingJob(chart, 'single', { image: IMAGE });
    const c = podOf(Testing.synth(chart).find((o) => o.kind === 'Job')).containers[0];
    expect(c.resources.limits).toEqual(c.resources.requests);
  });

  test('a team run with limits above requests fits its LimitRange (defaults only) and validates', () => {
    const chart = new Chart(Testing.app(), 'team');
    const team = new MlRbac(chart, 'rbac').addTeam({ name: 'vision', quota: { gpus: 4, cpu: 32, memory: '128Gi' } });
    new GpuTrainingJob(chart, 'train', { team, image: IMAGE, cpu: 4, cpuLimit: 6, memory: '16Gi', memoryLimit: '20Gi' });
    expectValidManifests(Testing.synth(chart));
  });

  test('bad limits', () => {
    expect(() => new GpuTrainingJob(chartOf(), 'a', { image: IMAGE, cpu: 4, cpuLimit: 2 })).toThrow(/GpuTrainingJob 'a': '.*cpuLimit' must be at least the cpu request 4, got '2'/);
    expect(() => new GpuTrainingJob(chartOf(), 'b', { image: IMAGE, memory: '16Gi', memoryLimit: '8Gi' })).toThrow(/GpuTrainingJob 'b': '.*memoryLimit' must be at least the memory request 16Gi, got '8Gi'/);
    expect(() => new GpuTrainingJob(chartOf(), 'c', { image: IMAGE, memoryLimit: 'lots' })).toThrow(/GpuTrainingJob 'c': '.*memoryLimit' must be/);
  });
});

describe('CPU-only runs and role-true names', () => {
  test('Accelerator.none(): no memory-backed /dev/shm unless asked', () => {
    const chart = chartOf();
    new GpuTrainingJob(chart, 'data', { image: IMAGE, accelerator: Accelerator.none(), cpu: 2, memory: '8Gi' });
    new GpuTrainingJob(chart, 'data-shm', { image: IMAGE, accelerator: Accelerator.none(), cpu: 2, memory: '8Gi', sharedMemory: '1Gi' });
    const objects = Testing.synth(chart);
    const pod = (name: string) => podOf(objects.find((o) => o.kind === 'Job' && o.metadata.name === name));
    expect(pod('data').volumes.map((v: any) => v.name)).toEqual(['tmp']);
    expect(pod('data').containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp']);
    expect(pod('data-shm').volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } });
    expectValidManifests(objects);
  });

  test('GPU runs keep their /dev/shm', () => {
    const chart = chartOf();
    new GpuTrainingJob(chart, 'gpu', { image: IMAGE, memory: '32Gi' });
    const pod = podOf(Testing.synth(chart).find((o) => o.kind === 'Job'));
    expect(pod.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '8192Mi' } });
  });

  test('containerName and component name the container and label the objects and selector', () => {
    const chart = chartOf();
    const job = new GpuTrainingJob(chart, 'dvc', { image: 'iterativeai/dvc:3.55.2', accelerator: Accelerator.none(), containerName: 'dvc', component: 'data' });
    const objects = Testing.synth(chart);
    const j = objects.find((o) => o.kind === 'Job');
    expect(podOf(j).containers[0].name).toBe('dvc');
    expect(j.metadata.labels['app.kubernetes.io/component']).toBe('data');
    expect(job.podSelector['app.kubernetes.io/component']).toBe('data');
    expect(objects.find((o) => o.kind === 'NetworkPolicy').spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('data');
    // The pod failure policy names the container it watches.
    expect(JSON.stringify(j.spec.podFailurePolicy ?? {})).not.toContain('trainer');
  });

  test('bad names', () => {
    expect(() => new GpuTrainingJob(chartOf(), 'a', { image: IMAGE, containerName: 'Data_Step' })).toThrow(/GpuTrainingJob 'a': 'containerName' must be a DNS-1123 label/);
    expect(() => new GpuTrainingJob(chartOf(), 'b', { image: IMAGE, component: 'data step' })).toThrow(/GpuTrainingJob 'b': 'component' must be a DNS-1123 label/);
  });
});
