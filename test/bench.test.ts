import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { checkEquivalence } from '../bench/variants';
import { handBuilder, libraryBuilder, objectCount, Workload } from '../bench/workloads';

// The benchmark compares the library with hand-written cdk8s-plus-27 code; that comparison holds only while both
// write the same manifests. `npm run bench` checks it at 50 workloads; this keeps it checked on every change.
describe('benchmark equivalence', () => {
  test.each([Workload.JOBS, Workload.PLATFORM])('%s: library, hand-written and floor write the same YAML', (workload) => {
    const result = checkEquivalence(workload, 6);
    expect(result.difference).toBeUndefined();
    expect(result.equivalent).toBe(true);
    expect(result.objects).toBe(objectCount(workload, 6));
  });

  test('a hand-written manifest that differs is reported with its path', () => {
    const drifted = (workload: Workload) => (chart: Chart, n: number) => {
      handBuilder(workload)(chart, n);
      new k8s.KubeConfigMap(chart, 'extra', { metadata: { name: 'extra' } });
    };
    const result = checkEquivalence(Workload.JOBS, 2, { library: libraryBuilder, hand: drifted });
    expect(result.equivalent).toBe(false);
    expect(result.difference).toMatch(/^\[4\]: library undefined vs hand-written \{"apiVersion":"v1","kind":"ConfigMap"/);
  });
});
