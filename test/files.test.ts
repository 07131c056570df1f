// Files and config (#16): ConfigMap and Secret files (selected keys, modes, optional) and envFrom on every workload,
// user-named hyperparameter ConfigMaps, and servers whose config changes roll their pods and reach running ones.
import { Chart, Duration, Testing } from 'cdk8s';
import {
  Accelerator, AccessMode, Backend, ConfigEnv, ConfigFiles, DistributedTraining, FeatureStore, Framework, GpuTrainingJob, MlPipeline, MlRbac,
  ModelServer, ModelSource, OnlineStore, Persona, QueueWorker, Registry, SecretValue, ServingBackend, ServingRuntime, VolumeClaim,
} from '../lib';
import { CONFIG_CHECKSUM_ANNOTATION } from '../lib/core/config-files';
import { expectValidManifests } from './support/validate';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';
const chartOf = () => new Chart(Testing.app(), 'test', { namespace: 'ml' });
const podsOf = (objects: any[]) => objects.flatMap((o) => {
  const template = o.spec?.template ?? o.spec?.jobTemplate?.spec?.template;
  if (template) return [template];
  if (o.kind === 'JobSet') return o.spec.replicatedJobs.map((r: any) => r.template.spec.template);
  return [];
});
const gitFiles = () => ({ source: ConfigFiles.fromConfigMap('git-config', { items: { gitconfig: { path: 'config', mode: 0o444 } } }), path: '/etc/git' });
const dvcFiles = () => ({ source: ConfigFiles.fromSecret('dvc-config'), path: '/etc/xdg/dvc' });

describe('files and envFrom', () => {
  test('GpuTrainingJob: selected keys with modes, a Secret at 0440 by reference, envFrom with a prefix', () => {
    const chart = chartOf();
    new GpuTrainingJob(chart, 'dvc', {
      image: 'iterativeai/dvc:3.55.2',
      accelerator: Accelerator.none(),
      files: [gitFiles(), dvcFiles(), { source: ConfigFiles.fromConfigMap('optional-config', { optional: true, defaultMode: 0o400 }), path: '/etc/extra/' }],
      envFrom: [ConfigEnv.fromConfigMap('model-params'), ConfigEnv.fromSecret('tokens', { prefix: 'TOKEN_', optional: true })],
    });
    const objects = Testing.synth(chart);
    const [pod] = podsOf(objects);
    const container = pod.spec.containers[0];
    expect(pod.spec.volumes).toEqual(expect.arrayContaining([
      { name: 'trainer-files-0', configMap: { name: 'git-config', items: [{ key: 'gitconfig', path: 'config', mode: 0o444 }] } },
      { name: 'trainer-files-1', secret: { secretName: 'dvc-config', defaultMode: 0o440 } },
      { name: 'trainer-files-2', configMap: { name: 'optional-config', defaultMode: 0o400, optional: true } },
    ]));
    expect(container.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'trainer-files-0', mountPath: '/etc/git', readOnly: true },
      { name: 'trainer-files-1', mountPath: '/etc/xdg/dvc', readOnly: true },
      { name: 'trainer-files-2', mountPath: '/etc/extra', readOnly: true },
    ]));
    expect(container.volumeMounts.some((m: any) => m.subPath !== undefined)).toBe(false);
    expect(container.envFrom).toEqual([
      { configMapRef: { name: 'model-params' } },
      { prefix: 'TOKEN_', secretRef: { name: 'tokens', optional: true } },
    ]);
    // References only: no Secret object, no data.
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expectValidManifests(objects);
  });

  test('hyperparameters in a ConfigMap of a chosen name, or an existing one read through envFrom and files', () => {
    const chart = chartOf();
    const named = new GpuTrainingJob(chart, 'a', { image: IMAGE, hyperparameters: { lr: 0.001 }, hyperparametersConfigMapName: 'model-params' });
    new GpuTrainingJob(chart, 'b', {
      image: IMAGE,
      envFrom: [ConfigEnv.fromConfigMap('shared-params')],
      files: [{ source: ConfigFiles.fromConfigMap('shared-params'), path: '/etc/hyperparameters' }],
    });
    expect(named.hyperparametersConfigMapName).toBe('model-params');
    const objects = Testing.synth(chart);
    expect(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name)).toEqual(['model-params']);
    const [a, b] = podsOf(objects).map((p) => p.spec.containers[0]);
    expect(a.envFrom).toEqual([{ configMapRef: { name: 'model-params' } }]);
    expect(b.envFrom).toEqual([{ configMapRef: { name: 'shared-params' } }]);
    expect(b.volumeMounts).toContainEqual({ name: 'trainer-files-0', mountPath: '/etc/hyperparameters', readOnly: true });
    expectValidManifests(objects);
  });

  test.each([Backend.KUBERNETES, Backend.KUBEFLOW, Backend.JOBSET])('DistributedTraining (%s): the run\'s files in every role, a role\'s own added to them', (backend) => {
    const chart = chartOf();
    new DistributedTraining(chart, 'tf', {
      image: 'tensorflow/tensorflow:2.12.0-gpu',
      command: ['python', '/app/train.py'],
      framework: Framework.tensorflow({ workers: 2, parameterServers: 1 }),
      backend,
      files: [gitFiles()],
      envFrom: [ConfigEnv.fromConfigMap('model-params')],
      roles: { parameterServers: { image: 'tensorflow/tensorflow:2.12.0', files: [dvcFiles()], envFrom: [ConfigEnv.fromSecret('ps-tokens')] } },
    });
    const objects = Testing.synth(chart);
    const text = JSON.stringify(objects);
    const pods = backend === Backend.KUBEFLOW
      ? Object.values(objects.find((o) => o.kind === 'TFJob').spec.tfReplicaSpecs).map((r: any) => r.template)
      : podsOf(objects);
    expect(pods.length).toBeGreaterThanOrEqual(2);
    for (const pod of pods) {
      const container = pod.spec.containers[0];
      const ps = container.image === 'tensorflow/tensorflow:2.12.0';
      expect(container.volumeMounts).toContainEqual({ name: `${container.name}-files-0`, mountPath: '/etc/git', readOnly: true });
      expect(container.volumeMounts.some((m: any) => m.mountPath === '/etc/xdg/dvc')).toBe(ps);
      expect(container.envFrom).toEqual([{ configMapRef: { name: 'model-params' } }, ...(ps ? [{ secretRef: { name: 'ps-tokens' } }] : [])]);
    }
    expect(text).toContain('"secretName":"dvc-config"');
    expectValidManifests(objects);
  });

  test('QueueWorker', () => {
    const chart = chartOf();
    new QueueWorker(chart, 'detector', {
      image: 'registry.example.com/vision/detector:1.8.1',
      files: [{ source: ConfigFiles.fromConfigMap('detector-config'), path: '/etc/detector' }],
      envFrom: [ConfigEnv.fromConfigMap('detector-env', { prefix: 'DETECTOR_' })],
    });
    const objects = Testing.synth(chart);
    const container = podsOf(objects)[0].spec.containers[0];
    expect(container.volumeMounts).toContainEqual({ name: 'worker-files-0', mountPath: '/etc/detector', readOnly: true });
    expect(container.envFrom).toEqual([{ prefix: 'DETECTOR_', configMapRef: { name: 'detector-env' } }]);
    expectValidManifests(objects);
  });

  test('ModelServer: user files, and the runtime\'s config files mounted by directory (no subPath) with a checksum that rolls the pods', () => {
    const synthServer = (batchSize: number) => {
      const chart = chartOf();
      new ModelServer(chart, 'nlp', {
        runtime: ServingRuntime.custom({
          image: 'company/nlp-service:3.2.0',
          ports: [{ name: 'http', port: 8000 }],
          probes: { readiness: { port: 'http' }, liveness: { port: 'http' } },
          configFiles: [
            { path: '/app/config/model-config.json', content: JSON.stringify({ batch_size: batchSize }) },
            { path: '/app/config/labels.txt', content: 'a\nb\n' },
            { path: '/etc/nlp/logging.yaml', content: 'level: INFO\n' },
          ],
        }),
        files: [{ source: ConfigFiles.fromSecret('nlp-api-keys', { items: { key: { path: 'api-key' } } }), path: '/var/run/nlp' }],
        envFrom: [ConfigEnv.fromConfigMap('nlp-env')],
      });
      return Testing.synth(chart);
    };
    const objects = synthServer(32);
    const deployment = objects.find((o) => o.kind === 'Deployment');
    const pod = deployment.spec.template;
    const container = pod.spec.containers[0];
    expect(container.volumeMounts.filter((m: any) => m.subPath !== undefined)).toEqual([]);
    expect(container.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'runtime-config', mountPath: '/app/config', readOnly: true },
      { name: 'runtime-config-1', mountPath: '/etc/nlp', readOnly: true },
      { name: 'server-files-2', mountPath: '/var/run/nlp', readOnly: true },
    ]));
    expect(pod.spec.volumes).toEqual(expect.arrayContaining([
      { name: 'runtime-config', configMap: { name: 'nlp-config', items: [{ key: 'file-0-model-config.json', path: 'model-config.json' }, { key: 'file-1-labels.txt', path: 'labels.txt' }] } },
      { name: 'runtime-config-1', configMap: { name: 'nlp-config', items: [{ key: 'file-2-logging.yaml', path: 'logging.yaml' }] } },
      { name: 'server-files-2', secret: { secretName: 'nlp-api-keys', items: [{ key: 'key', path: 'api-key' }], defaultMode: 0o440 } },
    ]));
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'nlp-env' } }]);
    const checksum = pod.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION];
    expect(checksum).toMatch(/^[0-9a-f]{16}$/);
    expect(synthServer(32).find((o) => o.kind === 'Deployment').spec.template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION]).toBe(checksum);
    expect(synthServer(64).find((o) => o.kind === 'Deployment').spec.template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION]).not.toBe(checksum);
    expectValidManifests(objects);
  });

  test('the presets keep their config paths: TF Serving and TorchServe read a file of the mounted directory', () => {
    const chart = chartOf();
    new ModelServer(chart, 'tfs', { runtime: ServingRuntime.tfServing({ modelName: 'm' }) });
    new ModelServer(chart, 'ts', { runtime: ServingRuntime.torchServe() });
    new ModelServer(chart, 'triton', { runtime: ServingRuntime.triton() });
    const objects = Testing.synth(chart);
    const container = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name).spec.template.spec.containers[0];
    expect(container('tfs').args).toContain('--monitoring_config_file=/etc/tfserving/monitoring.config');
    expect(container('tfs').volumeMounts).toContainEqual({ name: 'runtime-config', mountPath: '/etc/tfserving', readOnly: true });
    expect(container('ts').args).toEqual(expect.arrayContaining(['--ts-config', '/etc/torchserve/config.properties']));
    expect(container('ts').volumeMounts).toContainEqual({ name: 'runtime-config', mountPath: '/etc/torchserve', readOnly: true });
    // Triton writes no config file: no ConfigMap, no checksum.
    const triton = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'triton');
    expect(triton.spec.template.metadata.annotations).toBeUndefined();
    expectValidManifests(objects);
  });

  test('FeatureStore: a changed feature_store.yaml rolls the feature server (it renders the file once, at start)', () => {
    const checksum = (ttl: number) => {
      const chart = chartOf();
      new FeatureStore(chart, 'feast', {
        registry: Registry.file(VolumeClaim.fromClaimName('reg', { accessModes: [AccessMode.READ_WRITE_MANY] })),
        onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('feast-redis', 'password') }),
        registryTtl: Duration.minutes(ttl),
      });
      const objects = Testing.synth(chart);
      return objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'feast').spec.template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION];
    };
    expect(checksum(5)).toMatch(/^[0-9a-f]{16}$/);
    expect(checksum(5)).toBe(checksum(5));
    expect(checksum(10)).not.toBe(checksum(5));
  });

  test('MlPipeline: container and training steps', () => {
    const chart = chartOf();
    const pipeline = new MlPipeline(chart, 'p', {});
    const prepare = pipeline.addContainerStep('prepare', {
      image: 'registry.example.com/ml/step:1.2.0', command: ['python', '/app/prep.py'],
      files: [{ source: ConfigFiles.fromConfigMap('prep-config'), path: '/etc/prep' }], envFrom: [ConfigEnv.fromSecret('warehouse', { prefix: 'DB_' })],
    });
    pipeline.addTrainingStep('train', {
      image: IMAGE, command: ['python', '/app/train.py'], after: [prepare],
      files: [{ source: ConfigFiles.fromSecret('registry-key'), path: '/var/run/registry' }],
    });
    const objects = Testing.synth(chart);
    const templates = objects.find((o) => o.kind === 'WorkflowTemplate').spec.templates;
    const prep = templates.find((t: any) => t.name === 'prepare');
    expect(prep.volumes).toContainEqual({ name: 'main-files-0', configMap: { name: 'prep-config' } });
    expect(prep.container.volumeMounts).toContainEqual({ name: 'main-files-0', mountPath: '/etc/prep', readOnly: true });
    expect(prep.container.envFrom).toEqual([{ prefix: 'DB_', secretRef: { name: 'warehouse' } }]);
    const train = templates.find((t: any) => t.name === 'train');
    expect(train.volumes).toContainEqual({ name: 'main-files-0', secret: { secretName: 'registry-key', defaultMode: 0o440 } });
    expectValidManifests(objects);
  });

  test('KServe: files and envFrom on the predictor', () => {
    const chart = chartOf();
    new ModelServer(chart, 'iris', {
      backend: ServingBackend.kserve(), runtime: ServingRuntime.tfServing({ modelName: 'iris' }), model: ModelSource.s3('s3://models/iris'),
      files: [{ source: ConfigFiles.fromConfigMap('iris-config'), path: '/etc/iris' }],
      envFrom: [ConfigEnv.fromConfigMap('iris-env')],
    });
    const objects = Testing.synth(chart);
    const predictor = objects.find((o) => o.kind === 'InferenceService').spec.predictor;
    expect(predictor.volumes).toContainEqual({ name: 'kserve-container-files-0', configMap: { name: 'iris-config' } });
    expect(predictor.model.volumeMounts).toContainEqual({ name: 'kserve-container-files-0', mountPath: '/etc/iris', readOnly: true });
    expect(predictor.model.envFrom).toEqual([{ configMapRef: { name: 'iris-env' } }]);
    expectValidManifests(objects);
  });

  test('a server\'s Secret files count in the platform check of Secrets in namespaces where others create Jobs', () => {
    const chart = new Chart(Testing.app(), 'c');
    const rbac = new MlRbac(chart, 'rbac', { teams: [{ name: 'vision', quota: { gpus: 4, cpu: 64, memory: '256Gi' }, personas: [Persona.TRAINER] }] });
    new ModelServer(chart, 'api', {
      team: rbac.team('vision'), runtime: ServingRuntime.triton(),
      files: [{ source: ConfigFiles.fromSecret('api-tls'), path: '/etc/api-tls' }],
      envFrom: [ConfigEnv.fromSecret('api-env')],
    });
    expect(() => Testing.synth(chart)).toThrow("ModelServer 'api' (c/api) uses Secret(s) 'api-env', 'api-tls' in namespace 'vision'");
  });
});

describe('files and envFrom: bad input', () => {
  const job = (props: object) => () => new GpuTrainingJob(chartOf(), 'j', { image: IMAGE, ...props });
  const files = (path: string, source = ConfigFiles.fromConfigMap('c')) => ({ files: [{ source, path }] });

  test.each([
    ['/etc', "'files[0].path' must not be a system directory"],
    ['/', "'files[0].path' must not be a system directory"],
    ['/usr/share/app', "'files[0].path' must not be a system directory"],
    ['/var/run/secrets/kubernetes.io/serviceaccount', "'files[0].path' must not be a system directory"],
    ['/proc/x', "'files[0].path' must not be a system directory"],
    ['etc/app', "'files[0].path' must be an absolute path"],
    ['/etc/../x', "'files[0].path' must be an absolute path"],
  ])('a file mount at %s is refused', (path, message) => {
    expect(job(files(path))).toThrow(`GpuTrainingJob 'j': ${message}`);
  });

  test('overlapping mounts are refused, naming both', () => {
    const claim = VolumeClaim.fromClaimName('data', { accessModes: [AccessMode.READ_WRITE_MANY] });
    expect(job({ ...files('/data/config'), dataset: { claim, path: '/data' } })).toThrow(
      "GpuTrainingJob 'j': 'files[0].path' must not be, hold or be inside another mount of the container (volume 'data' at /data; /tmp, /dev/shm and /etc/hyperparameters are the library's own), got '/data/config'",
    );
    expect(job({ ...files('/data'), dataset: { claim, path: '/data/train' } })).toThrow(/'files\[0\].path' must not be, hold or be inside another mount/);
    expect(job(files('/tmp/config'))).toThrow(/'files\[0\].path' must not be, hold or be inside another mount of the container \(volume 'tmp' at \/tmp/);
    expect(job(files('/dev/shm/x'))).toThrow(/'files\[0\].path' must not be a system directory/);
    expect(job({ ...files('/etc/hyperparameters'), hyperparameters: { lr: 1 } })).toThrow(/'files\[0\].path' must not be, hold or be inside another mount of the container \(volume 'hyperparameters'/);
    expect(job({ files: [{ source: ConfigFiles.fromConfigMap('a'), path: '/etc/app' }, { source: ConfigFiles.fromSecret('b'), path: '/etc/app/keys' }] }))
      .toThrow(/'files\[0\].path' must not be, hold or be inside another mount of the container \(volume 'trainer-files-1' at \/etc\/app\/keys/);
    expect(job({ files: [{ source: ConfigFiles.fromConfigMap('a'), path: '/etc/app' }, { source: ConfigFiles.fromSecret('b'), path: '/etc/app/' }] }))
      .toThrow(/'files\[0\].path' must not be, hold or be inside another mount/);
  });

  test.each([
    [644, "ConfigFiles.fromConfigMap: 'defaultMode' must be written in octal (0o644, not 644): permission bits from 0 to 0o777, got 644"],
    [0o666, "ConfigFiles.fromConfigMap: 'defaultMode' must not give group or others write access (got 0o666; the files are read-only: use 0o444, 0o440 or 0o400), got 438"],
    [400, "ConfigFiles.fromConfigMap: 'defaultMode' must not give group or others write access (got 0o620"],
    [-1, "ConfigFiles.fromConfigMap: 'defaultMode' must be"],
    [1.5, "ConfigFiles.fromConfigMap: 'defaultMode' must be"],
    [0o1777, "ConfigFiles.fromConfigMap: 'defaultMode' must be"],
  ])('a mode of %s is refused', (mode, message) => {
    expect(() => ConfigFiles.fromConfigMap('c', { defaultMode: mode })).toThrow(message);
    expect(() => ConfigFiles.fromConfigMap('c', { items: { k: { path: 'k', mode } } })).toThrow(message.replace("'defaultMode'", "'items.k.mode'"));
  });

  test.each(['a/b', '..x', '.', '', 'a b', 'k'.repeat(254)])('the key %j is refused', (key) => {
    expect(() => ConfigFiles.fromSecret('s', { items: { [key]: { path: 'x' } } })).toThrow(
      "ConfigFiles.fromSecret: 'items' must be a ConfigMap or Secret data key (at most 253 letters, digits, '-', '_' and '.'; not '.' and not starting with '..')",
    );
  });

  test.each(['../x', '/abs', '..data', 'a/../b', 'a//b', './a', '', 'a:b', 'a\nb'])('the item path %j is refused', (path) => {
    expect(() => ConfigFiles.fromConfigMap('c', { items: { k: { path } } })).toThrow(/ConfigFiles.fromConfigMap: 'items.k.path' must be/);
  });

  test('other bad factory input', () => {
    expect(() => ConfigFiles.fromConfigMap('Bad_Name')).toThrow(/ConfigFiles.fromConfigMap: 'configMapName' must be a DNS-1123 subdomain/);
    expect(() => ConfigFiles.fromSecret('s', { items: {} })).toThrow("ConfigFiles.fromSecret: 'items' must select at least one key (leave it out for every key)");
    expect(() => ConfigFiles.fromSecret('s', { items: { a: { path: 'x' }, b: { path: 'x' } } })).toThrow("ConfigFiles.fromSecret: 'items.b.path' must differ from the path of key 'a', got 'x'");
    expect(() => ConfigFiles.fromSecret('s', { items: { a: { path: 'x' }, b: { path: 'x/y' } } })).toThrow("'items.b.path' must not be a directory of, or a file inside, the path of key 'a'");
    expect(() => ConfigFiles.fromSecret('s', { items: { a: { path: 'x', owner: 1 } as any } })).toThrow("'items.a' must have only the fields path and mode, got 'owner'");
    expect(() => ConfigFiles.fromSecret('s', { mode: 0o400 } as any)).toThrow("ConfigFiles.fromSecret: 'mode' is not an option (known: items, defaultMode, optional)");
    expect(() => ConfigFiles.fromSecret('s', { optional: 'yes' as any })).toThrow(/'optional' must be true or false/);
    expect(() => ConfigEnv.fromConfigMap('c', { prefix: '1_' })).toThrow(/ConfigEnv.fromConfigMap: 'prefix' must be the start of an environment variable name/);
    expect(() => ConfigEnv.fromSecret('Bad')).toThrow(/ConfigEnv.fromSecret: 'secretName' must be a DNS-1123 subdomain/);
  });

  test('bad construct input names the construct and the prop', () => {
    expect(job({ files: { source: ConfigFiles.fromConfigMap('c'), path: '/etc/c' } })).toThrow("GpuTrainingJob 'j': 'files' must be a list of { source, path }");
    expect(job({ files: [{ source: 'c', path: '/etc/c' }] })).toThrow("GpuTrainingJob 'j': 'files[0].source' must be made with ConfigFiles.fromConfigMap(name) or ConfigFiles.fromSecret(name), got 'c'");
    expect(job({ files: [{ source: ConfigFiles.fromConfigMap('c'), path: '/etc/c', subPath: 'x' }] })).toThrow("'files[0]' must have only the fields source and path, got 'subPath'");
    expect(job({ envFrom: ['model-params'] })).toThrow("GpuTrainingJob 'j': 'envFrom[0]' must be made with ConfigEnv.fromConfigMap(name) or ConfigEnv.fromSecret(name), got 'model-params'");
    expect(job({ hyperparametersConfigMapName: 'params' })).toThrow(/'hyperparametersConfigMapName' names the ConfigMap made from hyperparameters, which are not set/);
    expect(job({ hyperparameters: { lr: 1 }, hyperparametersConfigMapName: 'Params' })).toThrow(/'hyperparametersConfigMapName' must be a DNS-1123 subdomain/);
    expect(() => new ModelServer(chartOf(), 's', {
      runtime: ServingRuntime.triton(), model: ModelSource.claim(VolumeClaim.fromClaimName('models', { accessModes: [AccessMode.READ_ONLY_MANY] })),
      files: [{ source: ConfigFiles.fromConfigMap('c'), path: '/models/config' }],
    })).toThrow("ModelServer 's': 'files[0].path' must not be, hold or be inside another mount of the container (volume 'models' at /models;");
    expect(() => new QueueWorker(chartOf(), 'w', { image: 'registry.example.com/w:1.0.0', files: [{ source: ConfigFiles.fromConfigMap('c'), path: '/sys/x' }] }))
      .toThrow(/QueueWorker 'w': 'files\[0\].path' must not be a system directory/);
    expect(() => new ModelServer(chartOf(), 'r', {
      runtime: ServingRuntime.custom({
        image: 'registry.example.com/r:1.0.0', ports: [{ name: 'http', port: 8000 }], probes: { readiness: { port: 'http' }, liveness: { port: 'http' } },
        configFiles: [{ path: '/etc/app.conf', content: 'x' }],
      }),
    })).toThrow("ModelServer 'r': 'runtime.configFiles[0].path' must not be a system directory");
    expect(() => new DistributedTraining(chartOf(), 'd', {
      image: IMAGE, command: ['python', 'train.py'], framework: Framework.tensorflow({ workers: 1, parameterServers: 1 }),
      roles: { parameterServers: { files: [{ source: ConfigFiles.fromSecret('s'), path: '/etc' }] } },
    })).toThrow("DistributedTraining 'd': 'roles.parameterServers.files[0].path' must not be a system directory");
  });

  test('secrets stay references: a SecretValue is not a file source', () => {
    expect(job({ files: [{ source: SecretValue.fromSecret('s', 'k'), path: '/etc/s' }] })).toThrow(/'files\[0\].source' must be made with ConfigFiles/);
  });
});
