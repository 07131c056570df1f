import * as fc from 'fast-check';
import { ArtifactRepository, Condition, MlPipeline, PipelineStep, Retry, Schedule, SecretValue, SparkProgram } from '../../lib';
import * as a from './arbitraries';
import { expectRefused, expectRefusedOrValid, hostileProps, newChart, params, ValidChecker } from './harness';

/** One step of a random DAG: the earlier steps it waits for, the outputs it reads and writes. */
interface StepPlan {
  readonly kind: 'container' | 'training';
  readonly image: string;
  readonly cpu: string | number;
  readonly env: Record<string, string>;
  readonly after: number[];
  readonly readArtifactOf: number[];
  readonly conditionOn?: { readonly step: number; readonly threshold: number };
  readonly retry: 'default' | 'none' | 'error' | 'failure';
}

interface Plan {
  readonly id: string;
  readonly namespace: string;
  readonly schedule?: Schedule;
  readonly steps: StepPlan[];
}

const stepPlan = (index: number): fc.Arbitrary<StepPlan> => fc.record({
  kind: fc.constantFrom<'container' | 'training'>('container', 'container', 'training'),
  image: a.image,
  cpu: a.cpu,
  env: a.env,
  after: fc.subarray([...Array(index).keys()]),
  readArtifactOf: fc.subarray([...Array(index).keys()], { maxLength: Math.min(2, index) }),
  conditionOn: index === 0 ? fc.constant(undefined) : fc.option(fc.record({ step: fc.integer({ min: 0, max: index - 1 }), threshold: fc.integer({ min: 0, max: 100 }) }), { nil: undefined }),
  retry: fc.constantFrom<'default' | 'none' | 'error' | 'failure'>('default', 'none', 'error', 'failure'),
});

const plan: fc.Arbitrary<Plan> = fc.integer({ min: 1, max: 6 }).chain((n) => fc.record({
  id: a.dnsLabel(20),
  namespace: a.dnsLabel(20),
  schedule: fc.option(a.schedule, { nil: undefined }),
  steps: fc.tuple(...[...Array(n).keys()].map(stepPlan)),
}));

const RETRIES = { default: undefined, none: Retry.none(), error: Retry.onError(2), failure: Retry.onFailure(1) };

/** Builds the plan; returns the pipeline, its steps and the dependencies each step must have. */
function build(chart: ReturnType<typeof newChart>, p: Plan): { steps: PipelineStep[]; expected: Set<number>[] } {
  const pipeline = new MlPipeline(chart, p.id, {
    artifactRepository: ArtifactRepository.s3({ bucket: 'artifacts', accessKeyId: SecretValue.fromSecret('s3', 'id'), secretAccessKey: SecretValue.fromSecret('s3', 'key') }),
    schedule: p.schedule,
  });
  const steps: PipelineStep[] = [];
  const expected: Set<number>[] = [];
  p.steps.forEach((s, i) => {
    const common = {
      image: s.image,
      command: ['run'],
      cpu: s.cpu,
      memory: '1Gi',
      env: s.env,
      after: s.after.map((j) => steps[j]),
      inputArtifacts: Object.fromEntries(s.readArtifactOf.map((j) => [`in-${j}`, steps[j].artifact('out')])),
      when: s.conditionOn === undefined ? undefined : Condition.all(steps[s.conditionOn.step].output('score').atLeast(s.conditionOn.threshold)),
      outputParameters: ['score'],
      outputArtifacts: ['out'],
      retry: RETRIES[s.retry],
    };
    const name = `step-${i}`;
    steps.push(s.kind === 'training' ? pipeline.addTrainingStep(name, { ...common, memory: '8Gi' }) : pipeline.addContainerStep(name, common));
    expected.push(new Set([...s.after, ...s.readArtifactOf, ...(s.conditionOn ? [s.conditionOn.step] : [])]));
  });
  return { steps, expected };
}

describe('MlPipeline (property)', () => {
  test('any DAG of steps synthesizes valid, restricted, covered manifests whose tasks wait for exactly what they read', () => {
    const checker = new ValidChecker();
    fc.assert(fc.property(plan, (p) => {
      let expected: Set<number>[] = [];
      const objects = checker.check((chart) => {
        expected = build(chart, p).expected;
      }, p.namespace);
      const wt = objects.find((o) => o.kind === 'WorkflowTemplate');
      const tasks: any[] = wt.spec.templates[0].dag.tasks;
      expect(tasks.map((t) => t.name)).toEqual(p.steps.map((_, i) => `step-${i}`));
      tasks.forEach((t, i) => {
        const deps = (t.depends ?? '').split(' && ').filter((x: string) => x !== '');
        expect(new Set(deps)).toEqual(new Set([...expected[i]].map((j) => `step-${j}`)));
        // Every task waits only for tasks listed before it: the DAG has no cycle.
        for (const d of deps) expect(Number(d.slice(5))).toBeLessThan(i);
      });
      expect(objects.some((o) => o.kind === 'CronWorkflow')).toBe(p.schedule !== undefined);
    }), params(40));
  });

  test('a dependency that closes a cycle is refused, naming the step', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), (n) => {
      const pipeline = new MlPipeline(newChart(), 'p');
      const steps: PipelineStep[] = [];
      for (let i = 0; i < n; i++) steps.push(pipeline.addContainerStep(`s${i}`, { image: 'registry.example.com/a:1.0.0', command: ['run'], after: i > 0 ? [steps[i - 1]] : [] }));
      expectRefused(() => steps[0].addDependency(steps[n - 1]), 'MlPipeline \'p\'', 'steps.s0.addDependency[0]');
    }), params(10));
  });

  test('bad step props are refused, naming the step and the prop', () => {
    fc.assert(fc.property(fc.oneof(
      a.badImage.map((image) => ({ props: { image, command: ['run'] }, prop: 'steps.s.image' })),
      a.badQuantity.map((cpu) => ({ props: { image: 'registry.example.com/a:1.0.0', command: ['run'], cpu }, prop: 'steps.s.cpu' })),
      fc.constantFrom([], 'run', undefined).map((command) => ({ props: { image: 'registry.example.com/a:1.0.0', command }, prop: 'steps.s.command' })),
    ), (bad) => {
      const pipeline = new MlPipeline(newChart(), 'p');
      expectRefused(() => pipeline.addContainerStep('s', bad.props as any), 'MlPipeline \'p\'', bad.prop);
    }), params(30));
  });

  test('a hostile value in a pipeline or step prop is refused naming it, or synthesizes valid manifests', () => {
    const checker = new ValidChecker();
    const onPipeline = hostileProps<any>([
      'name', 'namespace', 'parameters.*', 'schedule', 'scheduleOptions', 'timeout', 'ttlAfterSuccess', 'ttlAfterFailure', 'podGc', 'parallelism',
      'apiServerCidr', 'labels.*',
    ], a.hostileValue, a.hostileKey).map((h) => ({ step: false, h }));
    const onStep = hostileProps<any>([
      'image', 'command', 'args', 'workingDir', 'env.*', 'secretEnv.*', 'cpu', 'memory', 'cpuLimit', 'memoryLimit', 'mounts', 'serviceAccountName',
      'security', 'labels.*', 'retry', 'timeout', 'parameters.*', 'outputParameters', 'outputArtifacts', 'after', 'when',
    ], a.hostileValue, a.hostileKey).map((h) => ({ step: true, h }));
    fc.assert(fc.property(a.dnsLabel(20), fc.oneof(onPipeline, onStep), (id, { step, h }) => {
      const pipelineProps = {
        artifactRepository: ArtifactRepository.s3({ bucket: 'artifacts', accessKeyId: SecretValue.fromSecret('s3', 'id'), secretAccessKey: SecretValue.fromSecret('s3', 'key') }),
      };
      const stepProps = { image: 'registry.example.com/a:1.0.0', command: ['run'], cpu: '1', memory: '1Gi' };
      expectRefusedOrValid(checker, 'ml', (chart) => {
        const pipeline = new MlPipeline(chart, id, step ? pipelineProps : h.apply(pipelineProps));
        pipeline.addContainerStep('s', step ? h.apply(stepProps) : stepProps);
      }, `MlPipeline '${id}'`, step ? `steps.s.${h.prop}` : h.prop);
    }), params(300));
  });

  test('a hostile value in a Spark step prop is refused naming the step and the prop, or synthesizes valid manifests', () => {
    const checker = new ValidChecker();
    const onStep = hostileProps<any>([
      'image', 'program', 'sparkVersion', 'arguments', 'driver', 'executor', 'dynamicAllocation', 'dependencies', 'sparkConf.*', 'env.*',
      'secretEnv.*', 'mounts', 'egress', 'retries', 'retryInterval', 'timeToLive', 'scheduling', 'serviceAccountName', 'security', 'labels.*',
      'after', 'when', 'timeout', 'retry',
    ], a.hostileValue, a.hostileKey);
    fc.assert(fc.property(a.dnsLabel(20), onStep, (id, h) => {
      const stepProps = { image: 'apache/spark:3.5.5-python3', program: SparkProgram.python('local:///opt/app/etl.py') };
      expectRefusedOrValid(checker, 'ml', (chart) => {
        new MlPipeline(chart, id).addSparkStep('s', h.apply(stepProps));
      }, `MlPipeline '${id}'`, `steps.s.${h.prop}`);
    }), params(200));
  });
});
