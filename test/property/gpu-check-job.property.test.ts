import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { Accelerator, AcceleratorVendor, GpuCheckJob, GpuCheckJobProps } from '../../lib';
import * as a from './arbitraries';
import { fakeTeam } from './arbitraries';
import { Breakage, breaks, expectRefusedOrValid, expectSynthRefused, hostileProps, params, ValidChecker } from './harness';

interface Case {
  readonly id: string;
  readonly chartNamespace?: string;
  readonly props: GpuCheckJobProps;
}

const word = fc.stringMatching(/^[a-z0-9/._=-]{1,12}$/);

const validCase: fc.Arbitrary<Case> = fc.record({
  id: a.dnsLabel(30),
  name: fc.option(a.dnsLabel(63), { nil: undefined }),
  nsMode: fc.constantFrom('chart', 'prop', 'team', 'none'),
  namespace: a.dnsLabel(20),
  teamSa: fc.option(a.dnsLabel(20), { nil: undefined }),
  accelerator: fc.option(a.accelerator.filter((x) => x.vendor !== AcceleratorVendor.NONE), { nil: undefined }),
  image: fc.option(a.image, { nil: undefined }),
  command: fc.option(fc.array(word, { minLength: 1, maxLength: 4 }), { nil: undefined }),
  args: fc.option(fc.array(word, { maxLength: 4 }), { nil: undefined }),
  cpu: fc.option(a.cpu, { nil: undefined }),
  memory: fc.option(a.memory, { nil: undefined }),
  scheduling: a.scheduling(true),
  activeDeadline: fc.option(fc.integer({ min: 1, max: 86400 }).map((s) => Duration.seconds(s)), { nil: undefined }),
  ttlAfterFinished: fc.option(fc.integer({ min: 0, max: 86400 * 7 }).map((s) => Duration.seconds(s)), { nil: undefined }),
  labels: a.labels,
}).map((c): Case => {
  const nvidia = c.accelerator === undefined || c.accelerator.vendor === AcceleratorVendor.NVIDIA;
  return {
    id: c.id,
    chartNamespace: c.nsMode === 'chart' ? c.namespace : undefined,
    props: {
      name: c.name,
      namespace: c.nsMode === 'prop' ? c.namespace : undefined,
      team: c.nsMode === 'team' ? fakeTeam(c.namespace, undefined, c.teamSa) : undefined,
      accelerator: c.accelerator,
      // Other vendors need their own image and check.
      image: nvidia ? c.image : (c.image ?? 'rocm/rocm-terminal:6.1.2'),
      command: nvidia ? c.command : (c.command ?? ['rocm-smi']),
      args: c.args,
      cpu: c.cpu,
      memory: c.memory,
      scheduling: c.scheduling,
      activeDeadline: c.activeDeadline,
      ttlAfterFinished: c.ttlAfterFinished,
      labels: c.labels,
    },
  };
});

type P = GpuCheckJobProps;
const set = <K extends keyof P>(key: K) => (p: P, value: unknown): P => ({ ...p, [key]: value });

const breakages: fc.Arbitrary<Breakage<P>> = fc.oneof<fc.Arbitrary<Breakage<P>>[]>(
  breaks<P, any>(a.badDnsName, 'name', set('name')),
  breaks<P, any>(a.badImage, 'image', (p, image) => ({ ...p, image })),
  breaks<P, any>(fc.constantFrom<unknown>({ count: 1 }, 'nvidia', 1, Accelerator.none()), 'accelerator', set('accelerator')),
  breaks<P, any>(fc.constant(Accelerator.amdGpu(1)), 'image', (p, accelerator) => ({ ...p, accelerator, image: undefined })),
  breaks<P, any>(fc.constant(Accelerator.amdGpu(1)), 'command', (p, accelerator) => ({ ...p, accelerator, image: 'rocm/rocm-terminal:6.1.2', command: undefined })),
  breaks<P, any>(a.badQuantity, 'cpu', set('cpu')),
  breaks<P, any>(a.badQuantity, 'memory', set('memory')),
  breaks<P, any>(a.badScheduling, (s) => s.prop, (p, s) => ({ ...p, scheduling: s.value })),
  breaks<P, any>(a.badDnsName, 'namespace', set('namespace')),
  breaks<P, any>(a.badLabels, 'labels', set('labels')),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.seconds(0))), 'activeDeadline', set('activeDeadline')),
  breaks<P, any>(a.badDuration, 'ttlAfterFinished', set('ttlAfterFinished')),
  breaks<P, any>(fc.constantFrom<unknown>('nvidia-smi', [1]), 'command', set('command')),
  breaks<P, any>(fc.constantFrom('backoffLimit', 'env', 'gpus'), (k) => k, (p, k) => ({ ...p, [k]: 1 } as P)),
);

const hostile = hostileProps<P>([
  'name', 'namespace', 'image', 'command', 'args', 'accelerator', 'cpu', 'memory', 'scheduling', 'scheduling.nodeSelector.*',
  'activeDeadline', 'ttlAfterFinished', 'labels.*',
], a.hostileValue, a.hostileKey);

function synthCase(c: Case) {
  return (chart: Chart) => new GpuCheckJob(chart, c.id, c.props);
}

describe('GpuCheckJob properties', () => {
  const checker = new ValidChecker();

  test('valid props synthesize into valid, restricted, covered manifests: a Job that ends, a policy with no paths', () => {
    fc.assert(fc.property(validCase, (c) => {
      const objects = checker.check(synthCase(c), c.chartNamespace);
      const job = objects.find((o) => o.kind === 'Job');
      expect(job.spec.backoffLimit).toBe(0);
      expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
      const policy = objects.find((o) => o.kind === 'NetworkPolicy');
      expect([policy.spec.ingress, policy.spec.egress]).toEqual([undefined, undefined]);
    }), params(200));
  });

  test('a prop set with one broken field is refused, naming GpuCheckJob and the prop', () => {
    fc.assert(fc.property(validCase, breakages, (c, b) => {
      expectSynthRefused(c.chartNamespace, synthCase({ ...c, props: b.apply(c.props) }), `GpuCheckJob '${c.id}'`, b.prop);
    }), params(400));
  });

  test('a hostile value in any prop is refused naming it, or synthesizes valid manifests', () => {
    fc.assert(fc.property(validCase, hostile, (c, h) => {
      expectRefusedOrValid(checker, c.chartNamespace, synthCase({ ...c, props: h.apply(c.props) }), `GpuCheckJob '${c.id}'`, h.prop);
    }), params(200));
  });
});
