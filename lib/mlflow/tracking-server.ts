import { k8s } from 'cdk8s-plus-27';
import { PodBuilder, QuantityInput, resolveMount, SecretValue } from '../core';
import { ServerBlock, serverProbe } from '../core/server';
import { authConfigFiles, BasicAuthOptions } from './auth';
import { MlflowContext } from './context';
import { Exposure, externalHosts } from './exposure';
import { METRICS_DIR, MlflowMetricsOptions, PRIVATE_ADDRESS_PATTERNS } from './metrics';
import { addSchemaMigration } from './migration';
import { ArtifactBinding, BackendBinding, FILE_STORE_DIR } from './stores';

/** What the tracking server's pod is made of, besides the stores. */
export interface TrackingServerOptions {
  readonly replicas: number;
  readonly port: number;
  /** The Service's port and name: the Host headers clients send. */
  readonly servicePort: number;
  readonly serviceName: string;
  readonly workers: number;
  readonly cpu?: QuantityInput;
  readonly memory?: QuantityInput;
  /** The server's Deployment, Service and NetworkPolicy: the pod takes its labels and spread from it. */
  readonly server: ServerBlock;
  readonly serviceAccountName: string;
  readonly exposure: Exposure;
  readonly auth?: BasicAuthOptions;
  readonly metrics?: MlflowMetricsOptions;
}

/** What the pod of the tracking server is given. */
interface ServerInputs {
  readonly env: Record<string, string>;
  readonly secretEnv: Record<string, SecretValue>;
  readonly volumeMounts: k8s.VolumeMount[];
}

/**
 * The tracking server's pod (`mlflow server` with proxied artifacts), with the schema migration it waits for: the
 * Job of a database backend (named `migrationJobName`) or an init container for a SQLite file.
 */
export function trackingServerPod(
  ctx: MlflowContext, o: TrackingServerOptions, backend: BackendBinding, artifacts: ArtifactBinding,
): { pod: PodBuilder; migrationJobName?: string } {
  const { v, image } = ctx;
  const pod = new PodBuilder(v, {
    labels: o.server.podLabels(),
    serviceAccountName: o.serviceAccountName,
    terminationGracePeriodSeconds: 30,
    // Nodes only, counting every revision: MLflow's spread as it always was (ModelServer's would change the manifests).
    topologySpreadConstraints: o.replicas > 1 ? o.server.spread({ acrossZones: false, perRevision: false }) : undefined,
  });
  const inputs: ServerInputs = { env: { ...artifacts.env }, secretEnv: { ...backend.secretEnv, ...artifacts.secretEnv }, volumeMounts: [] };
  const key = artifacts.credentials?._keyFile;
  if (key) {
    pod.addVolume({ name: 'gcp-key', secret: { secretName: key.secretName, items: [{ key: key.key, path: 'key.json' }] } });
    inputs.volumeMounts.push({ name: 'gcp-key', mountPath: '/var/run/secrets/gcp', readOnly: true });
    inputs.env.GOOGLE_APPLICATION_CREDENTIALS = '/var/run/secrets/gcp/key.json';
  }
  // With auth, the migration also brings the auth database to its head revision: it reads basic_auth.ini.
  const authFiles = o.auth ? authConfigFiles(o.auth) : undefined;
  if (o.auth && authFiles) {
    pod.addVolume(authFiles.volume);
    inputs.volumeMounts.push(authFiles.mount);
    Object.assign(inputs.env, authFiles.env);
    inputs.secretEnv.MLFLOW_FLASK_SERVER_SECRET_KEY = o.auth.secretKey;
    ctx.secretUses.push({ value: o.auth.config, namespace: ctx.namespace, purpose: 'MLflow basic_auth.ini (admin user and password, auth database URI without password)' });
    ctx.secretUses.push({ value: o.auth.secretKey, namespace: ctx.namespace, purpose: 'MLflow Flask secret key (stable across restarts and replicas)' });
  }
  if (backend.claim) {
    const mount = resolveMount(v, 'backendStore.claim', { claim: backend.claim, path: FILE_STORE_DIR }, false);
    if (mount.claim.namespace !== undefined && ctx.namespace !== undefined && mount.claim.namespace !== ctx.namespace) {
      v.fail('backendStore.claim', `must be in the namespace '${ctx.namespace}'`, `${mount.claim.namespace}/${mount.claim.claimName}`);
    }
    inputs.volumeMounts.push({ name: 'backend-store', mountPath: FILE_STORE_DIR });
    pod.addVolume({ name: 'backend-store', persistentVolumeClaim: { claimName: mount.claim.claimName } });
  }
  const migrationJobName = addSchemaMigration(ctx, pod, backend, authFiles);
  pod.addContainer({
    name: 'mlflow',
    image,
    command: ['mlflow'],
    args: serverArgs(ctx, o, backend, artifacts),
    env: inputs.env,
    secretEnv: inputs.secretEnv,
    resources: { cpu: o.cpu ?? 1, memory: o.memory ?? '2Gi' },
    ports: [{ name: 'http', port: o.port }],
    volumeMounts: inputs.volumeMounts,
    writablePaths: o.metrics ? [METRICS_DIR] : undefined,
    startupProbe: healthProbe(5, 60),
    readinessProbe: healthProbe(10, 3),
    livenessProbe: healthProbe(20, 3),
  });
  return { pod, migrationJobName };
}

/** The arguments of `mlflow server`. */
function serverArgs(ctx: MlflowContext, o: TrackingServerOptions, backend: BackendBinding, artifacts: ArtifactBinding): string[] {
  const args = [
    'server',
    '--host', '0.0.0.0',
    '--port', String(o.port),
    '--workers', String(o.workers),
    '--backend-store-uri', backend.uri,
    '--serve-artifacts',
    '--artifacts-destination', artifacts.destination,
    // Host-header allow list (DNS rebinding protection): the Service names, the external names, localhost (kubectl
    // port-forward); /health is exempt. Prometheus scrapes pod addresses, so with metrics the private ranges
    // (MLflow's own default) too.
    '--allowed-hosts', [
      ...allowedHosts(o.serviceName, ctx.namespace, o, externalHosts(o.exposure, o.servicePort)),
      ...(o.metrics ? PRIVATE_ADDRESS_PATTERNS : []),
    ].join(','),
  ];
  if (o.auth) args.push('--app-name', 'basic-auth');
  if (o.metrics) args.push('--expose-prometheus', METRICS_DIR);
  return args;
}

/**
 * The Host headers the server accepts: its Service names (with the Service port), localhost for probes and port
 * forwarding (with the pod's port too), external names.
 */
function allowedHosts(name: string, namespace: string | undefined, ports: { port: number; servicePort: number }, external: string[]): string[] {
  const names = [name, 'localhost'];
  if (namespace) names.push(`${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`);
  const podPort = ports.port === ports.servicePort ? [] : [`localhost:${ports.port}`];
  return [...names.flatMap((n) => [n, `${n}:${ports.servicePort}`]), ...podPort, ...external];
}

/** /health is exempt from the Host-header check (kubelet sends the pod address). */
function healthProbe(periodSeconds: number, failureThreshold: number): k8s.Probe {
  return serverProbe({ port: 'http', path: '/health' }, { periodSeconds, timeoutSeconds: 5, failureThreshold });
}
