// The cdk8s app of this repository (`npm run synth`, or `cdk8s synth` through cdk8s.yaml): every example,
// one YAML file per chart in dist/. Each example module is an app of its own, synthesized (and checked at the
// platform level: names unique per kind and namespace, quotas, queues) on its own: several examples define the same
// team or server as alternatives, which one app could not hold.
import { App, YamlOutputType } from 'cdk8s';
import { exampleModules } from './index';

for (const example of exampleModules()) {
  const app = new App({ outdir: 'dist', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  example.build(app);
  app.synth();
}
