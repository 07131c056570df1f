import { Chart, Duration, Testing } from 'cdk8s';
import {
  AccessMode, Accelerator, ArtifactStore, Backend, BackendStore, DistributedTraining, DistributedTrainingProps, Exposure,
  FeatureStore, FeatureStoreProps, Framework, GpuTrainingJob, GpuTrainingJobProps, MlflowPlatform, MlflowPlatformProps,
  MlRbac, MlStorage, ModelServer, ModelServerProps, OfflineStore, OnlineStore, Registry, SecretValue, ServingRuntime, ServiceType, Spot,
  StorageProvisioner, VolumeClaim,
} from '../lib';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';
const rwx = (name: string) => VolumeClaim.fromClaimName(name, { accessModes: [AccessMode.READ_WRITE_MANY] });
const chart = () => new Chart(Testing.app(), 'test', { namespace: 'ml' });
/** Props a plain JavaScript user could pass: anything goes. */
type Loose<P> = Partial<P> & Record<string, unknown>;

const job = (props: Loose<GpuTrainingJobProps> = {}, id = 'train') =>
  Testing.synth(new GpuTrainingJob(chart(), id, { image: IMAGE, ...props } as GpuTrainingJobProps).node.scope as Chart);
const distributed = (props: Loose<DistributedTrainingProps> = {}, id = 'dist') =>
  new DistributedTraining(chart(), id, { image: IMAGE, command: ['python', '/app/train.py'], framework: Framework.pytorch(), ...props } as DistributedTrainingProps);
const server = (props: Loose<ModelServerProps> = {}, id = 'srv') =>
  new ModelServer(chart(), id, { runtime: ServingRuntime.triton(), ...props } as ModelServerProps);
const mlflow = (props: Loose<MlflowPlatformProps> = {}, id = 'mlflow') => new MlflowPlatform(chart(), id, {
  backendStore: BackendStore.postgres({ password: SecretValue.fromSecret('pg', 'password') }),
  artifactStore: ArtifactStore.minio({
    bucket: 'mlflow-artifacts', rootUser: SecretValue.fromSecret('minio', 'user'), rootPassword: SecretValue.fromSecret('minio', 'password'),
  }),
  ...props,
} as MlflowPlatformProps);
const feast = (props: Loose<FeatureStoreProps> = {}, id = 'feast') => new FeatureStore(chart(), id, {
  registry: Registry.file(rwx('feast-registry')),
  onlineStore: OnlineStore.redis({ password: SecretValue.fromSecret('redis', 'password') }),
  ...props,
} as FeatureStoreProps);

describe('dangerous choices need their acknowledgement', () => {
  test('0.0.0.0/0 as a LoadBalancer source: ModelServer', () => {
    expect(() => server({ serviceType: ServiceType.LOAD_BALANCER, access: { cidrs: ['10.0.0.0/8', '0.0.0.0/0'] } }))
      .toThrow(/^ModelServer 'srv': 'access.cidrs\[1\]' admits every address on the internet; list the client ranges, or set access.allowInternetSources: true if the server is meant to be public, got '0.0.0.0\/0'$/);
    const objects = Testing.synth(server({ serviceType: ServiceType.LOAD_BALANCER, access: { cidrs: ['0.0.0.0/0'], allowInternetSources: true } }).node.scope as Chart);
    expect(objects.find((o) => o.kind === 'Service').spec.loadBalancerSourceRanges).toEqual(['0.0.0.0/0']);
  });
  test('0.0.0.0/0 as a LoadBalancer source: MlflowPlatform', () => {
    expect(() => Exposure.loadBalancer({ sourceRanges: ['0.0.0.0/0'], hosts: ['mlflow.example.com'] }))
      .toThrow(/^Exposure.loadBalancer: 'sourceRanges\[0\]' admits every address on the internet; .*set allowInternetSources: true/);
    expect(() => Exposure.loadBalancer({ sourceRanges: ['0.0.0.0/0'], hosts: ['mlflow.example.com'], allowInternetSources: true })).not.toThrow();
  });
  test('IPv6 ::/0 is no IPv4 range', () => {
    expect(() => server({ serviceType: ServiceType.LOAD_BALANCER, access: { cidrs: ['::/0'] } })).toThrow(/'access.cidrs\[0\]' must be an IPv4 CIDR/);
  });
  const ingress = { host: 'ml.example.com', tlsSecretName: 'ml-tls' };
  test('0.0.0.0/0 in an Ingress allow-list', () => {
    const annotations = { 'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/8,0.0.0.0/0' };
    expect(() => server({ ingress: { ...ingress, annotations } }))
      .toThrow(/^ModelServer 'srv': 'ingress.annotations.nginx.ingress.kubernetes.io\/whitelist-source-range' admits every address on the internet; .*set allowInternetSources: true.*got '0.0.0.0\/0'$/);
    expect(() => server({ ingress: { ...ingress, annotations, allowInternetSources: true } })).not.toThrow();
  });
  test('an annotation that injects configuration', () => {
    const annotations = { 'nginx.ingress.kubernetes.io/configuration-snippet': 'more_set_headers "X: y";' };
    expect(() => server({ ingress: { ...ingress, annotations } }))
      .toThrow(/^ModelServer 'srv': 'ingress.annotations.nginx.ingress.kubernetes.io\/configuration-snippet' injects configuration into the ingress controller .*set allowConfigurationSnippets: true to accept it/);
    expect(() => Exposure.ingress({ ...ingress, annotations: { 'nginx.ingress.kubernetes.io/server-snippet': 'x' } }))
      .toThrow(/^Exposure.ingress: 'annotations.nginx.ingress.kubernetes.io\/server-snippet' injects configuration/);
    expect(() => server({ ingress: { ...ingress, annotations, allowConfigurationSnippets: true } })).not.toThrow();
  });
  test('a toleration that matches every taint', () => {
    const everything = { key: '', operator: 'Exists' } as any;
    expect(() => job({ scheduling: { tolerations: [everything] } }))
      .toThrow(/^GpuTrainingJob 'train': 'scheduling.tolerations\[0\].key' must name a taint: an empty key with operator Exists tolerates every taint .*set scheduling.allowToleratingAllTaints: true to accept it, got ''$/);
    expect(() => Spot.custom({ pool: 'spot' }, [everything])).toThrow(/^Spot.custom: 'tolerations\[0\].key' must name a taint: .*give the taint keys to tolerate/);
    const objects = job({ scheduling: { tolerations: [everything], allowToleratingAllTaints: true } });
    expect(objects.find((o) => o.kind === 'Job').spec.template.spec.tolerations).toContainEqual({ key: '', operator: 'Exists' });
  });
  test.each(['system-cluster-critical', 'system-node-critical'])('the system priority class %s', (priorityClassName) => {
    expect(() => job({ scheduling: { priorityClassName } }))
      .toThrow(new RegExp(`^GpuTrainingJob 'train': 'scheduling.priorityClassName' is a system priority class, whose pods preempt the cluster's own components; set scheduling.allowSystemPriorityClass: true to use it, got '${priorityClassName}'$`));
    expect(() => job({ scheduling: { priorityClassName, allowSystemPriorityClass: true } })).not.toThrow();
  });
  test('a ModelServer Ingress without TLS', () => {
    expect(() => server({ ingress: { host: 'ml.example.com' } }))
      .toThrow(/^ModelServer 'srv': 'ingress.tlsSecretName' must name the TLS Secret for the host .*set ingress.allowPlainHttp: true to serve plain HTTP, got nothing$/);
    const objects = Testing.synth(server({ ingress: { host: 'ml.example.com', allowPlainHttp: true } }).node.scope as Chart);
    expect(objects.find((o) => o.kind === 'Ingress').spec.tls).toBeUndefined();
  });
});

describe('images the generated flags do not fit', () => {
  test('TF Serving\'s CPU image with a GPU accelerator', () => {
    const runtime = ServingRuntime.tfServing({ modelName: 'ranker', image: 'tensorflow/serving:2.18.0' });
    expect(() => server({ runtime, accelerator: Accelerator.nvidiaGpu(1) }))
      .toThrow(/^ModelServer 'srv': 'runtime.image' must be a TF Serving GPU image \(a tag with 'gpu'.*with a GPU accelerator, got 'tensorflow\/serving:2.18.0'$/);
    expect(() => server({ runtime: ServingRuntime.tfServing({ modelName: 'ranker', image: 'tensorflow/serving:2.18.0-gpu' }), accelerator: Accelerator.nvidiaGpu(1) })).not.toThrow();
  });
  test('vLLM tensor parallelism larger than the GPUs of a pod', () => {
    const runtime = ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct', tensorParallelSize: 4 });
    expect(() => server({ runtime, accelerator: Accelerator.nvidiaGpu(2) }))
      .toThrow(/^ModelServer 'srv': 'runtime.tensorParallelSize' must be a whole number from 1 to 2, got 4$/);
  });
  test('an MLflow image older than --allowed-hosts', () => {
    expect(() => mlflow({ image: 'ghcr.io/mlflow/mlflow:v3.4.0' }))
      .toThrow(/^MlflowPlatform 'mlflow': 'image' must be MLflow 3.5.0 or newer: the server is started with --allowed-hosts \(DNS rebinding protection\), which older releases refuse, got 'ghcr.io\/mlflow\/mlflow:v3.4.0'$/);
    expect(() => mlflow({ image: 'ghcr.io/mlflow/mlflow:v2.20.0' })).toThrow(/'image' must be MLflow 3.5.0 or newer/);
    expect(() => mlflow({ image: 'ghcr.io/mlflow/mlflow:v3.5.0' })).not.toThrow();
  });
  test('the migration Job is renamed whenever the image changes (a Job\'s pod template is immutable)', () => {
    const names = [
      'ghcr.io/mlflow/mlflow:v3.16.1-full',
      `ghcr.io/mlflow/mlflow:v3.16.1-full@sha256:${'a'.repeat(64)}`,
      `ghcr.io/mlflow/mlflow:v3.16.1-full@sha256:${'b'.repeat(64)}`,
      'registry.example.com/mlflow:v3.16.1-full',
      'ghcr.io/mlflow/mlflow:v3-16-1-full',
    ].map((image) => mlflow({ image }).migrationJobName);
    expect(new Set(names).size).toBe(names.length);
    const long = mlflow({ name: 'a'.repeat(40), image: `ghcr.io/mlflow/mlflow:v3.16.1-${'x'.repeat(100)}` }).migrationJobName!;
    expect(long.length).toBeLessThanOrEqual(63);
  });
});

describe('values Kubernetes or the runtime rejects', () => {
  describe('image references', () => {
    test.each([
      ['an upper-case repository', 'PyTorch/pytorch:2.3.1', /'image' must name a repository of lower-case letters.*got 'PyTorch\/pytorch:2.3.1'/],
      ['a tag starting with a dot', 'pytorch/pytorch:.2', /'image' must end in a valid tag .*got 'pytorch\/pytorch:.2'/],
      ['a tag of 129 characters', `pytorch/pytorch:${'a'.repeat(129)}`, /'image' must end in a valid tag/],
      ['a tag with a character outside [\\w.-]', 'pytorch/pytorch:2.3+cu121', /'image' must end in a valid tag .*got 'pytorch\/pytorch:2.3\+cu121'/],
      ['a short sha256 digest', 'pytorch/pytorch@sha256:abc123', /'image' must end in a valid digest '@algorithm:hex'.*got 'pytorch\/pytorch@sha256:abc123'/],
      ['an upper-case hex digest', `pytorch/pytorch@sha256:${'A'.repeat(64)}`, /'image' must end in a valid digest/],
      ['a digest without an algorithm', `pytorch/pytorch@${'a'.repeat(64)}`, /'image' must end in a valid digest/],
      ['a double separator', 'pytorch//pytorch:2.3.1', /'image' must name a repository/],
      ['a NUL character', 'pytorch/pytorch:2.3.1\0', /'image' must be an image reference/],
    ])('%s is refused', (_, image, message) => {
      expect(() => job({ image })).toThrow(new RegExp(`^GpuTrainingJob 'train': ${message.source}`));
    });

    test.each([
      'registry.example.com:5000/team/train:v1',
      'localhost/train:v1',
      `ghcr.io/acme/train:v1@sha256:${'a'.repeat(64)}`,
      `ghcr.io/acme/train@sha512:${'b'.repeat(128)}`,
      'nvcr.io/nvidia/tritonserver:24.05-py3',
      'REGISTRY.example.com/acme/train_x__y-z.w:V1_2',
    ])('%s is accepted', (image) => {
      expect(() => job({ image })).not.toThrow();
    });
  });

  describe('values of the wrong type from plain JavaScript (found by the hostile property tests)', () => {
    test('flags that are not true or false', () => {
      expect(() => job({ suspend: {} as any })).toThrow(/^GpuTrainingJob 'train': 'suspend' must be true or false, got/);
      expect(() => job({ retryOnDisruption: 'no' as any })).toThrow(/^GpuTrainingJob 'train': 'retryOnDisruption' must be true or false, got 'no'$/);
      expect(() => job({ dataset: { claim: rwx('data'), path: '/data', readOnly: 'yes' as any } })).toThrow(/^GpuTrainingJob 'train': 'dataset.readOnly' must be true or false, got 'yes'$/);
    });
    test('StorageClass flags that are not true or false', () => {
      const storage = new MlStorage(chart(), 'st', {});
      expect(() => storage.addStorageClass('fast', { provisioner: StorageProvisioner.awsEbsGp3(), allowVolumeExpansion: 'yes' as any }))
        .toThrow(/^MlStorage 'st': 'storageClasses.fast.allowVolumeExpansion' must be true or false, got 'yes'$/);
      expect(() => storage.addStorageClass('slow', { provisioner: StorageProvisioner.awsEbsGp3(), isDefault: 1 as any }))
        .toThrow(/^MlStorage 'st': 'storageClasses.slow.isDefault' must be true or false, got 1$/);
    });
    test('a list or a path that is something else', () => {
      expect(() => distributed({ mounts: { claim: rwx('data'), path: '/data' } as any })).toThrow(/^DistributedTraining 'dist': 'mounts' must be a list of \{ claim, path \}/);
      expect(() => job({ dataset: { claim: rwx('data'), path: '/data', subPath: 5 as any } })).toThrow(/^GpuTrainingJob 'train': 'dataset.subPath' must be a relative path without '\.\.', got 5$/);
    });
    test('options objects that are null', () => {
      expect(() => job({ scheduling: null as any })).toThrow(/^GpuTrainingJob 'train': 'scheduling' must be an object of scheduling options, got nothing$/);
      expect(() => server({ scheduling: null as any })).toThrow(/^ModelServer 'srv': 'scheduling' must be an object of scheduling options, got nothing$/);
      expect(() => mlflow({ auth: null as any })).toThrow(/^MlflowPlatform 'mlflow': 'auth' must be the options \{ config, secretKey \}, got nothing$/);
    });
    test('a value without a string form (no prototype)', () => {
      const teams = [{ name: 'a', quota: { gpus: 1 }, podSecurityVersion: Object.create(null) }];
      expect(() => new MlRbac(chart(), 'rbac', { teams })).toThrow(/^MlRbac 'rbac': 'teams\[0\]\.podSecurityVersion' must be 'latest' or a Kubernetes minor version/);
    });
    test('a Duration longer than a manifest can carry (2^31-1 seconds)', () => {
      expect(() => job({ ttlAfterFinished: Duration.seconds(1e15) })).toThrow(/^GpuTrainingJob 'train': 'ttlAfterFinished' must be at most 2147483647 seconds/);
      expect(() => job({ ttlAfterFinished: Duration.seconds(2147483647) })).not.toThrow();
    });
  });

  test('a Secret key that is "." or starts with ".." is refused (found by the semantic validator)', () => {
    for (const key of ['.', '..', '..data']) {
      expect(() => SecretValue.fromSecret('creds', key)).toThrow(/^SecretValue.fromSecret: 'key' must be a Secret data key .*not '\.' and not starting with '\.\.'.*got '\.+/);
    }
    expect(SecretValue.fromSecret('creds', '.dockerconfigjson').key).toBe('.dockerconfigjson');
    expect(SecretValue.fromSecret('creds', 'a..b').key).toBe('a..b');
  });

  test('a quantity over 2^63-1 is refused', () => {
    expect(() => job({ memory: '1e30' })).toThrow(/^GpuTrainingJob 'train': 'memory' must be a quantity of at most 2\^63-1 \(about 8Ei\).*got '1e30'/);
    expect(() => job({ cpu: '16Ei' })).toThrow(/'cpu' must be a quantity of at most 2\^63-1/);
  });

  describe('control characters and paths', () => {
    test('a newline in an env value', () => {
      expect(() => job({ env: { MODE: 'a\nb' } })).toThrow(/^GpuTrainingJob 'train': 'env.MODE' must be a single-line string without control characters \(NUL, newlines\), got 'a\nb'$/);
    });
    test('a NUL in an env value', () => {
      expect(() => server({ env: { MODE: 'a\0b' } })).toThrow(/^ModelServer 'srv': 'env.MODE' must be a single-line string without control characters/);
    });
    test('a NUL in an argument', () => {
      expect(() => job({ args: ['--x', 'a\0'] })).toThrow(/^GpuTrainingJob 'train': 'args\[1\]' must not contain a NUL character/);
    });
    test('a relative workingDir', () => {
      expect(() => job({ workingDir: 'app' })).toThrow(/^GpuTrainingJob 'train': 'workingDir' must be an absolute path \(starting with '\/'\), got 'app'$/);
    });
    test('a workingDir with a newline', () => {
      expect(() => job({ workingDir: '/app\n' })).toThrow(/'workingDir' must be a single-line string/);
    });
    test('a mount option with a newline or a comma', () => {
      const storage = (mountOptions: string[]) => StorageProvisioner.nfs({ server: 'nfs.example.com', share: '/exports', mountOptions });
      const { MlStorage } = require('../lib');
      const build = (mountOptions: string[]) => new MlStorage(chart(), 'storage').addStorageClass('shared', { provisioner: storage(mountOptions) });
      expect(() => build(['nfsvers=4.1\nhard'])).toThrow(/^MlStorage 'storage': 'storageClasses.shared.mountOptions\[0\]' must be a single-line string without control characters/);
      expect(() => build(['nfsvers=4.1,hard'])).toThrow(/'storageClasses.shared.mountOptions\[0\]' must be one non-empty mount option \(no ','; give each option its own entry\)/);
    });
    test('a server address that is neither a host name nor an IPv4 address', () => {
      const { PersistentVolumeSource } = require('../lib');
      const allowed = "must be a host name \\(labels of letters, digits and '-', at most 253 characters\\) or an IPv4 address such as '10.0.0.5'";
      expect(() => StorageProvisioner.nfs({ server: '999.0.0.1', share: '/exports' })).toThrow(new RegExp(`^StorageProvisioner.nfs: 'server' ${allowed}, got '999.0.0.1'$`));
      expect(() => PersistentVolumeSource.nfs({ server: 'nfs_1.example.com', path: '/d' })).toThrow(new RegExp(`^PersistentVolumeSource.nfs: 'server' ${allowed}, got 'nfs_1.example.com'$`));
      expect(() => OfflineStore.postgres({ host: '10.0.0.256', database: 'f', user: 'u', password: SecretValue.fromSecret('pg', 'p') }))
        .toThrow(new RegExp(`^OfflineStore.postgres: 'host' ${allowed}, got '10.0.0.256'$`));
      expect(() => OfflineStore.postgres({ host: `${'a'.repeat(64)}.example.com`, database: 'f', user: 'u', password: SecretValue.fromSecret('pg', 'p') })).toThrow(/'host' must be a host name/);
      for (const server of ['10.0.0.5', 'NFS.corp.example.com', 'nfs', '3com.example']) {
        expect(() => StorageProvisioner.nfs({ server, share: '/exports' })).not.toThrow();
      }
    });
    test('two mounts at one path, the library\'s /tmp included', () => {
      expect(() => job({ dataset: { claim: rwx('data'), path: '/tmp' } }))
        .toThrow(/^GpuTrainingJob 'train': 'mounts' must not mount two volumes at one path \('tmp' and 'data' both at \/tmp.*got '\/tmp'$/);
      expect(() => job({ dataset: { claim: rwx('data'), path: '/data' }, modelOutput: { claim: rwx('models'), path: '/data/' } }))
        .toThrow(/'mounts' must not mount two volumes at one path \('data' and 'models' both at \/data/);
    });
  });

  describe('names that become Services', () => {
    test.each([
      ['DistributedTraining', () => distributed({}, '1dist')],
      ['FeatureStore', () => feast({}, '9feast')],
      ['MlflowPlatform', () => mlflow({ name: '0mlflow' })],
      ['ModelServer', () => server({ name: '7srv' })],
    ])('%s refuses a name starting with a digit', (kind, build) => {
      expect(build).toThrow(new RegExp(`^${kind} '[^']+': 'name' must be a DNS-1035 label, as Service names are`));
    });
  });

  describe('string enums for plain JavaScript', () => {
    test('cleanPodPolicy', () => {
      expect(() => distributed({ backend: Backend.KUBEFLOW, cleanPodPolicy: 'Sometimes' as any }))
        .toThrow(/^DistributedTraining 'dist': 'cleanPodPolicy' must be one of CleanPodPolicy.RUNNING.*got 'Sometimes'$/);
    });
    test('HTTP methods of mesh callers', () => {
      expect(() => server({ istio: { allowedCallers: { serviceAccounts: [{ name: 'app', namespace: 'web' }], methods: ['FETCH' as any] } } }))
        .toThrow(/^ModelServer 'srv': 'istio.allowedCallers.methods\[0\]' must be one of HttpMethod.GET.*got 'FETCH'$/);
    });
    test('a Feast Postgres SSL mode', () => {
      expect(() => OfflineStore.postgres({ host: 'pg', database: 'f', user: 'u', password: SecretValue.fromSecret('pg', 'p'), sslMode: 'requir' }))
        .toThrow(/^OfflineStore.postgres: 'sslMode' must be a libpq SSL mode \(disable, allow, prefer, require, verify-ca, verify-full\), got 'requir'$/);
    });
    test('an Azure caching mode and a filesystem type', () => {
      expect(() => StorageProvisioner.azureDisk({ cachingMode: 'Fast' as any })).toThrow(/^StorageProvisioner.azureDisk: 'cachingMode' must be one of AzureCachingMode/);
      expect(() => StorageProvisioner.azureDisk({ fsType: 'ntfs' as any })).toThrow(/^StorageProvisioner.azureDisk: 'fsType' must be one of FilesystemType/);
    });
  });

  describe('unknown props', () => {
    test('gpus for accelerator', () => {
      expect(() => job({ gpus: 2 })).toThrow(/^GpuTrainingJob 'train': 'gpus' is not a prop of GpuTrainingJob \(did you mean 'accelerator'\?\); known props: name, schedule, .*got 2$/);
    });
    test('replica for replicas', () => {
      expect(() => server({ replica: 3 })).toThrow(/^ModelServer 'srv': 'replica' is not a prop of ModelServer \(did you mean 'replicas'\?\)/);
    });
    test('a misspelt prop of every construct', () => {
      expect(() => distributed({ node: 4 })).toThrow(/'node' is not a prop of DistributedTraining \(did you mean 'nodes'\?\)/);
      expect(() => mlflow({ workrs: 4 })).toThrow(/'workrs' is not a prop of MlflowPlatform \(did you mean 'workers'\?\)/);
      expect(() => feast({ onlinestore: 1 })).toThrow(/'onlinestore' is not a prop of FeatureStore \(did you mean 'onlineStore'\?\)/);
      expect(() => new MlRbac(chart(), 'rbac', { team: [] } as any)).toThrow(/'team' is not a prop of MlRbac \(did you mean 'teams'\?\)/);
    });
    test('a prop far from any known one names none', () => {
      expect(() => job({ zzzzzz: 1 })).toThrow(/'zzzzzz' is not a prop of GpuTrainingJob; known props:/);
    });
  });

  describe('durations and hyperparameters', () => {
    test('a zero, fractional or non-Duration duration', () => {
      // cdk8s refuses a negative Duration when it is made (Duration.seconds(-5) throws); what reaches a construct is
      // a zero, a fraction or, from plain JavaScript, a number.
      expect(() => job({ activeDeadline: Duration.seconds(0) })).toThrow(/^GpuTrainingJob 'train': 'activeDeadline' must be a whole number of at least 1, got 0$/);
      expect(() => job({ activeDeadline: -5 as any })).toThrow(/^GpuTrainingJob 'train': 'activeDeadline' must be a cdk8s Duration such as Duration.hours\(12\), got -5$/);
      expect(() => distributed({ rendezvousTimeout: Duration.millis(1500) })).toThrow(/^DistributedTraining 'dist': 'rendezvousTimeout' must be a whole number of seconds, got '1.5s'$/);
    });
    test('circular hyperparameters', () => {
      const layers: any = { size: 3 };
      layers.self = layers;
      expect(() => job({ hyperparameters: { layers } })).toThrow(/^GpuTrainingJob 'train': 'hyperparameters.layers.self' must not refer back to an object it is inside \(a circular structure\), got 'a circular reference'$/);
    });
    test('a class instance in hyperparameters', () => {
      expect(() => job({ hyperparameters: { start: new Date(0) } })).toThrow(/'hyperparameters.start' must be a plain object or array .*got 'a Date'$/);
      expect(() => job({ hyperparameters: { sizes: [1, new Map()] } })).toThrow(/'hyperparameters.sizes\[1\]' must be a plain object or array .*got 'a Map'$/);
      expect(() => job({ hyperparameters: { lr: NaN } })).toThrow(/'hyperparameters.lr' must be a finite number, got 'NaN'$/);
    });
  });

  describe('names that are Object.prototype keys', () => {
    // A construct id cannot be 'constructor': the constructs library keeps children in a plain object and refuses
    // it as a duplicate ('There is already a Construct with name'). Names given as props are the library's own.
    test('a team, a job, a server, claims and hyperparameters called constructor', () => {
      const c = chart();
      const rbac = new MlRbac(c, 'rbac', { teams: [{ name: 'constructor', quota: { gpus: 1, cpu: 16, memory: '64Gi' } }] });
      const team = rbac.teams[0];
      new GpuTrainingJob(c, 'train', {
        name: 'constructor', image: IMAGE, team, accelerator: Accelerator.nvidiaGpu(1),
        dataset: { claim: rwx('constructor'), path: '/data' }, hyperparameters: { toString: 'x', hasOwnProperty: true },
      });
      // In another namespace: a job and a server of one name in one namespace would both write NetworkPolicy 'constructor'.
      new ModelServer(c, 'srv', { runtime: ServingRuntime.triton(), namespace: 'serving', name: 'constructor' });
      const objects = Testing.synth(c);
      expect(objects.filter((o) => o.metadata?.name === 'constructor').map((o) => o.kind).sort()).toEqual(expect.arrayContaining(['Deployment', 'Job', 'Namespace', 'Service']));
      expect(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'constructor-hparams').data).toEqual({ toString: 'x', hasOwnProperty: 'true' });
    });
    test('a map key cdk8s cannot render is refused', () => {
      expect(() => job({ hyperparameters: { constructor: 1 } })).toThrow(/^GpuTrainingJob 'train': 'hyperparameters' must not have a key 'constructor' \(cdk8s cannot render a map with that key\), got 'constructor'$/);
      expect(() => job({ labels: { constructor: 'x' } })).toThrow(/^GpuTrainingJob 'train': 'labels' must not have a key 'constructor'/);
    });
  });
});
