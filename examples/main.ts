// The cdk8s app of this repository (`npm run synth`, or `cdk8s synth` through cdk8s.yaml): every example,
// one YAML file per chart in dist/.
import { App, YamlOutputType } from 'cdk8s';
import { buildExamples } from './index';

const app = new App({ outdir: 'dist', yamlOutputType: YamlOutputType.FILE_PER_CHART });
buildExamples(app);
app.synth();
