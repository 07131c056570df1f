// The workloads the benchmark synthesizes, each written twice: with the library, and by hand with cdk8s-plus-27's
// k8s.Kube* classes producing the same manifests (the equivalence check proves they do).
import { createHash } from 'crypto';
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type * as Mlops from '../lib';

let library: typeof Mlops | undefined;

/**
 * Runs the library workloads on `lib` instead of the TypeScript sources. The benchmark passes the compiled package
 * (build/lib), which is what users load: running the sources through tsx adds work to every closure (names are
 * kept) that the published JavaScript does not have. The tests, which do not compile, keep the sources.
 */
export function useLibrary(lib: typeof Mlops): void {
  library = lib;
}

function mlops(): typeof Mlops {
  return (library ??= require('../lib') as typeof Mlops);
}

export const NAMESPACE = 'ml';
const TRAINING_IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';
const TRAINING_VERSION = '2.3.1-cuda12.1-cudnn8-runtime';
const SERVING_IMAGE = 'tensorflow/serving:2.18.0-gpu';
const SERVING_VERSION = '2.18.0';

/** What a benchmark case builds: `jobs` training jobs, or a platform where every fifth workload is a model server. */
export enum Workload {
  JOBS = 'jobs',
  PLATFORM = 'platform',
}

/** Builds `n` workloads of a kind into a chart. */
export type Builder = (chart: Chart, n: number) => void;

/** Whether workload `i` of a platform is a model server (one in five; the others are training jobs). */
const isServer = (workload: Workload, i: number) => workload === Workload.PLATFORM && i % 5 === 0;

/** Manifests per workload, for per-object costs. */
export function objectCount(workload: Workload, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) count += isServer(workload, i) ? 5 : 2;
  return count;
}

/** A fresh app with one chart for `n` workloads, built by `build`. */
export function buildApp(build: Builder, n: number): App {
  const app = new App({ outdir: 'dist/bench' });
  build(new Chart(app, 'bench', { namespace: NAMESPACE }), n);
  return app;
}

// ---------------------------------------------------------------------------------------------------------------
// With the library.

export function libraryBuilder(workload: Workload): Builder {
  return (chart, n) => {
    const { AccessMode, Accelerator, GpuTrainingJob, ModelServer, ModelSource, ServingRuntime, VolumeClaim } = mlops();
    const datasets = VolumeClaim.fromClaimName('datasets', { accessModes: [AccessMode.READ_ONLY_MANY], namespace: NAMESPACE });
    const models = VolumeClaim.fromClaimName('models', { accessModes: [AccessMode.READ_WRITE_MANY], namespace: NAMESPACE });
    for (let i = 0; i < n; i++) {
      if (isServer(workload, i)) {
        new ModelServer(chart, `serve-${i}`, {
          runtime: ServingRuntime.tfServing({ modelName: `model-${i}` }),
          model: ModelSource.claim(models, `model-${i}`),
          replicas: 2,
          accelerator: Accelerator.nvidiaGpu(1),
          cpu: 2,
          memory: '4Gi',
        });
      } else {
        new GpuTrainingJob(chart, `train-${i}`, {
          image: TRAINING_IMAGE,
          command: ['python', '/app/train.py', `--run=${i}`],
          accelerator: Accelerator.nvidiaGpu(1),
          cpu: 4,
          memory: '16Gi',
          dataset: { claim: datasets, path: '/data' },
          modelOutput: { claim: models, path: '/models' },
          backoffLimit: 3,
          env: { EPOCHS: '10' },
        });
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// By hand, with the k8s.Kube* L1 classes.

const POD_SECURITY: k8s.PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
  fsGroupChangePolicy: 'OnRootMismatch',
  seccompProfile: { type: 'RuntimeDefault' },
};
const CONTAINER_SECURITY: k8s.SecurityContext = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};
const GPU_TOLERATION: k8s.Toleration = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };

function labels(name: string, component: string, version?: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'cdk8s-mlops',
    'app.kubernetes.io/managed-by': 'cdk8s-mlops',
    ...(version === undefined ? {} : { 'app.kubernetes.io/version': version }),
  };
}

function resources(cpu: string, memory: string): k8s.ResourceRequirements {
  const r = () => ({ 'cpu': k8s.Quantity.fromString(cpu), 'memory': k8s.Quantity.fromString(memory), 'nvidia.com/gpu': k8s.Quantity.fromString('1') });
  return { requests: r(), limits: r() };
}

function networkPolicy(chart: Chart, id: string, name: string, component: string, version: string | undefined, ingress?: k8s.NetworkPolicyIngressRule[]): void {
  new k8s.KubeNetworkPolicy(chart, id, {
    metadata: { name, labels: labels(name, component, version) },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': component } },
      policyTypes: ['Ingress', 'Egress'],
      ingress,
      egress: [{
        ports: [
          { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
          { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
        ],
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        }],
      }],
    },
  });
}

function handTrainingJob(chart: Chart, i: number): void {
  const name = `train-${i}`;
  const jobLabels = labels(name, 'training', TRAINING_VERSION);
  new k8s.KubeJob(chart, `${name}-job`, {
    metadata: { name, labels: jobLabels },
    spec: {
      backoffLimit: 3,
      ttlSecondsAfterFinished: 86400,
      podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
      completions: 1,
      parallelism: 1,
      template: {
        metadata: { labels: jobLabels },
        spec: {
          automountServiceAccountToken: false,
          restartPolicy: 'Never',
          securityContext: POD_SECURITY,
          tolerations: [GPU_TOLERATION],
          containers: [{
            name: 'trainer',
            image: TRAINING_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: ['python', '/app/train.py', `--run=${i}`],
            env: [{ name: 'EPOCHS', value: '10' }, { name: 'HOME', value: '/tmp' }],
            resources: resources('4', '16Gi'),
            volumeMounts: [
              { name: 'tmp', mountPath: '/tmp' },
              { name: 'dshm', mountPath: '/dev/shm' },
              { name: 'datasets', mountPath: '/data', readOnly: true },
              { name: 'models', mountPath: '/models' },
            ],
            securityContext: CONTAINER_SECURITY,
          }],
          volumes: [
            { name: 'tmp', emptyDir: {} },
            { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('4096Mi') } },
            { name: 'datasets', persistentVolumeClaim: { claimName: 'datasets', readOnly: true } },
            { name: 'models', persistentVolumeClaim: { claimName: 'models' } },
          ],
        },
      },
    },
  });
  networkPolicy(chart, `${name}-netpol`, name, 'training', TRAINING_VERSION);
}

function handModelServer(chart: Chart, i: number): void {
  const name = `serve-${i}`;
  const model = `model-${i}`;
  const objectLabels = labels(name, 'server', SERVING_VERSION);
  const selector = { 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'server' };
  const spread = (topologyKey: string): k8s.TopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
    matchLabelKeys: ['pod-template-hash'],
  });
  const httpGet = { path: `/v1/models/${model}`, port: k8s.IntOrString.fromString('http') };

  networkPolicy(chart, `${name}-netpol`, name, 'server', undefined, [{
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
    ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(8501) }],
  }]);
  const monitoringConfig = { 'file-0-monitoring.config': 'prometheus_config {\n  enable: true,\n  path: "/monitoring/prometheus/metrics"\n}\n' };
  new k8s.KubeConfigMap(chart, `${name}-config`, {
    metadata: { name: `${name}-config`, labels: objectLabels },
    data: monitoringConfig,
  });
  new k8s.KubeDeployment(chart, `${name}-deployment`, {
    metadata: { name, labels: objectLabels },
    spec: {
      replicas: 2,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
      template: {
        // The pods roll when their configuration changes: a short SHA-256 of the ConfigMap's data.
        metadata: { labels: objectLabels, annotations: { 'cdk8s-mlops.io/config-checksum': configChecksum(monitoringConfig) } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          tolerations: [GPU_TOLERATION],
          topologySpreadConstraints: [spread('kubernetes.io/hostname'), spread('topology.kubernetes.io/zone')],
          containers: [{
            name: 'server',
            image: SERVING_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: ['tensorflow_model_server'],
            args: [
              '--port=8500',
              '--rest_api_port=8501',
              `--model_name=${model}`,
              `--model_base_path=/models/${model}`,
              '--monitoring_config_file=/etc/tfserving/monitoring.config',
            ],
            env: [{ name: 'HOME', value: '/tmp' }],
            ports: [
              { name: 'grpc', containerPort: 8500, protocol: 'TCP' },
              { name: 'http', containerPort: 8501, protocol: 'TCP' },
            ],
            resources: resources('2', '4Gi'),
            startupProbe: { httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 60 },
            readinessProbe: { httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
            livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('grpc') }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
            volumeMounts: [
              { name: 'tmp', mountPath: '/tmp' },
              { name: 'models', mountPath: `/models/${model}`, readOnly: true, subPath: model },
              { name: 'runtime-config', mountPath: '/etc/tfserving', readOnly: true },
            ],
            securityContext: CONTAINER_SECURITY,
          }],
          volumes: [
            { name: 'tmp', emptyDir: {} },
            { name: 'models', persistentVolumeClaim: { claimName: 'models', readOnly: true } },
            { name: 'runtime-config', configMap: { name: `${name}-config`, items: [{ key: 'file-0-monitoring.config', path: 'monitoring.config' }] } },
          ],
        },
      },
    },
  });
  new k8s.KubePodDisruptionBudget(chart, `${name}-pdb`, {
    metadata: { name, labels: objectLabels },
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
  });
  new k8s.KubeService(chart, `${name}-service`, {
    metadata: { name, labels: labels(name, 'server') },
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [
        { name: 'grpc', port: 8500, targetPort: k8s.IntOrString.fromString('grpc'), protocol: 'TCP', appProtocol: 'grpc' },
        { name: 'http', port: 8501, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP', appProtocol: 'http' },
      ],
    },
  });
}

export function handBuilder(workload: Workload): Builder {
  return (chart, n) => {
    for (let i = 0; i < n; i++) {
      if (isServer(workload, i)) handModelServer(chart, i);
      else handTrainingJob(chart, i);
    }
  };
}

/** A short SHA-256 of a ConfigMap's data, keys sorted: what rolls a server's pods when its configuration changes. */
function configChecksum(data: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data).sort()) hash.update(`${key}\0${data[key]}\0`);
  return hash.digest('hex').slice(0, 16);
}
