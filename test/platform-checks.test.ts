// Platform-level checks: compositions of correct constructs that are wrong together, refused when the app is
// synthesized (cdk8s validations on the app), with messages that name both constructs.
import { App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { GpuTrainingJob, MlRbac } from '../lib';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';

/** The platform messages of an app (the validations cdk8s runs at synth on the app's root). */
function platformErrors(app: App): string[] {
  return app.node.validate();
}

describe('names unique per kind and namespace across the app', () => {
  test('two jobs named x in one namespace, in two charts: refused at synth, naming both constructs', () => {
    const app = Testing.app();
    new GpuTrainingJob(new Chart(app, 'a', { namespace: 'ml' }), 'x', { image: IMAGE });
    new GpuTrainingJob(new Chart(app, 'b', { namespace: 'ml' }), 'x', { image: IMAGE });
    const errors = platformErrors(app);
    expect(errors).toContain("platform check: Job 'x' in namespace 'ml' is written by GpuTrainingJob 'x' (a/x) and by GpuTrainingJob 'x' (b/x): "
      + 'names must be unique per kind and namespace across the app (applied, the second replaces the first); give one of them another name or namespace');
    // The Job's NetworkPolicy collides too.
    expect(errors.filter((e) => e.includes("NetworkPolicy 'x'"))).toHaveLength(1);
    expect(() => app.synth()).toThrow(/Validation failed[\s\S]*platform check: Job 'x' in namespace 'ml' is written by GpuTrainingJob 'x' \(a\/x\)/);
  });

  test('a job in the chart default namespace and one named in "default" are the same object', () => {
    const app = Testing.app();
    new GpuTrainingJob(new Chart(app, 'a'), 'train', { image: IMAGE });
    new GpuTrainingJob(new Chart(app, 'b'), 'other', { image: IMAGE, name: 'train', namespace: 'default' });
    expect(platformErrors(app)).toContain("platform check: Job 'train' in namespace 'default' is written by GpuTrainingJob 'train' (a/train) and by GpuTrainingJob 'other' (b/other): "
      + 'names must be unique per kind and namespace across the app (applied, the second replaces the first); give one of them another name or namespace');
  });

  test('an object the user adds is named by its construct path', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'a', { namespace: 'ml' });
    new GpuTrainingJob(chart, 'x', { image: IMAGE });
    new k8s.KubeJob(chart, 'mine', { metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } } });
    expect(platformErrors(app)).toEqual([expect.stringContaining("Job 'x' in namespace 'ml' is written by GpuTrainingJob 'x' (a/x) and by a/mine:")]);
  });

  test('cluster-scoped objects are unique whatever the chart namespace: two MlRbac with a team of one name', () => {
    const app = Testing.app();
    new MlRbac(new Chart(app, 'a'), 'rbac', { teams: [{ name: 'vision', quota: { gpus: 1 } }] });
    new MlRbac(new Chart(app, 'b', { namespace: 'other' }), 'rbac', { teams: [{ name: 'vision', quota: { gpus: 1 } }] });
    expect(platformErrors(app)).toContain("platform check: Namespace 'vision' is written by MlRbac 'rbac' (a/rbac) and by MlRbac 'rbac' (b/rbac): "
      + 'names must be unique per kind and namespace across the app (applied, the second replaces the first); give one of them another name or namespace');
  });

  test('good composition: the same names in other namespaces, or of other kinds, pass', () => {
    const app = Testing.app();
    new GpuTrainingJob(new Chart(app, 'a', { namespace: 'ml' }), 'x', { image: IMAGE });
    new GpuTrainingJob(new Chart(app, 'b', { namespace: 'ml-2' }), 'x', { image: IMAGE });
    new k8s.KubeConfigMap(new Chart(app, 'c', { namespace: 'ml' }), 'x', { metadata: { name: 'x' } });
    expect(platformErrors(app)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  test('the checks are registered once per app, however many constructs', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'a', { namespace: 'ml' });
    for (let i = 0; i < 5; i++) new GpuTrainingJob(chart, `job-${i}`, { image: IMAGE });
    new MlRbac(chart, 'rbac', { teams: [{ name: 'vision', quota: { gpus: 1 } }] });
    expect((app.node as any)._validations).toHaveLength(1);
    expect(chart.node.validate()).toEqual([]);
  });
});

describe('reserved namespaces cannot become team namespaces', () => {
  const reason = 'a team namespace is relabelled Pod Security "restricted", gets a default-deny NetworkPolicy (which would cut the cluster DNS in kube-system) '
    + "and lets the team's trainers create Jobs there";
  const rbac = (props: any) => new MlRbac(Testing.chart(), 'rbac', props);

  test.each(['kube-system', 'kube-public', 'kube-node-lease', 'default', 'kube-flannel'])('%s in namespaces', (ns) => {
    expect(() => rbac({ teams: [{ name: 'ops', namespaces: ['ops', ns], quota: { gpus: 0 } }] })).toThrow(
      `MlRbac 'rbac': 'teams[0].namespaces[1]' must not be a system namespace: ${reason} (system namespaces: default, kube-system, kube-public, kube-node-lease, kube-*), got '${ns}'`);
  });

  test('a team named after a system namespace, without namespaces', () => {
    expect(() => rbac({ teams: [{ name: 'default', quota: { gpus: 0 } }] })).toThrow(
      "MlRbac 'rbac': 'teams[0].name' must not name a system namespace (it is the team's namespace when 'namespaces' is not given): "
      + `${reason} (system namespaces: default, kube-system, kube-public, kube-node-lease, kube-*), got 'default'`);
  });

  test('namespaces the user declares as system, also for teams added later', () => {
    const made = rbac({ systemNamespaces: ['istio-system', 'monitoring'] });
    expect(() => made.addTeam({ name: 'obs', namespaces: ['monitoring'], quota: { gpus: 0 } })).toThrow(
      `MlRbac 'rbac': 'teams[0].namespaces[0]' must not be a system namespace: ${reason} (system namespaces: default, kube-system, kube-public, kube-node-lease, kube-*, istio-system, monitoring), got 'monitoring'`);
    expect(() => rbac({ systemNamespaces: ['Istio'] })).toThrow("MlRbac 'rbac': 'systemNamespaces[0]' must be");
    expect(() => rbac({ systemNamespaces: 'istio-system' })).toThrow("MlRbac 'rbac': 'systemNamespaces' must be a list of namespace names, got 'istio-system'");
  });

  test('good composition: team namespaces outside the system ones', () => {
    const made = rbac({ systemNamespaces: ['istio-system'], teams: [{ name: 'vision', namespaces: ['vision', 'kubeflow-vision'], quota: { gpus: 1 } }] });
    expect(made.teams[0].namespaces).toEqual(['vision', 'kubeflow-vision']);
  });
});
