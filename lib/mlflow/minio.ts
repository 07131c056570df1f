import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  allowBetween, DeployPhase, jobRunSpec, PodBuilder, PodNetworkPolicy, selectorLabels, setDeployPhase, STATEFUL_DATA_VOLUME,
  StatefulService, Validator,
} from '../core';
import { InClusterMinioOptions, MC_IMAGE, MINIO_IMAGE, MINIO_PORT } from './artifact-store';

/** MinIO as a one-replica StatefulService `name` (StatefulSet, headless Service, deny-by-default NetworkPolicy). */
export function inClusterMinio(
  scope: Construct, v: Validator, name: string, namespace: string | undefined, o: InClusterMinioOptions, labels: Record<string, string>,
): StatefulService {
  const mv = v.nested('artifactStore');
  const selector = selectorLabels({ instance: labels['app.kubernetes.io/instance'], component: 'object-store' });
  const pod = new PodBuilder(mv, { labels: { ...labels, ...selector }, terminationGracePeriodSeconds: 30 });
  const health = (path: string): k8s.HttpGetAction => ({ path, port: k8s.IntOrString.fromString('s3') });
  pod.addContainer({
    name: 'minio',
    image: o.image ?? MINIO_IMAGE,
    command: ['minio'],
    args: ['server', '/data/minio', '--address', `:${MINIO_PORT}`],
    // The web console is not exposed: the bucket is managed by the Job and used through MLflow.
    env: { MINIO_BROWSER: 'off' },
    secretEnv: { MINIO_ROOT_USER: o.rootUser, MINIO_ROOT_PASSWORD: o.rootPassword },
    resources: { cpu: o.cpu ?? '500m', memory: o.memory ?? '1Gi' },
    ports: [{ name: 's3', port: MINIO_PORT }],
    volumeMounts: [{ name: STATEFUL_DATA_VOLUME, mountPath: '/data' }],
    readinessProbe: { httpGet: health('/minio/health/ready'), periodSeconds: 10, timeoutSeconds: 5 },
    livenessProbe: { httpGet: health('/minio/health/live'), initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 5 },
  });
  return new StatefulService(scope, 'Minio', {
    name, namespace, labels, selector, pod,
    ports: [{ name: 's3', port: MINIO_PORT }],
    storage: o.storage ?? '50Gi',
    storageClassName: o.storageClassName,
    validator: mv,
  });
}

/** The Job `name` that creates the bucket once MinIO is ready and removes any anonymous access to it. */
export function minioBucketJob(
  scope: Construct, v: Validator, name: string, namespace: string | undefined, o: InClusterMinioOptions, minio: StatefulService,
  labels: Record<string, string>,
): void {
  const mv = v.nested('artifactStore');
  const selector = selectorLabels({ instance: labels['app.kubernetes.io/instance'], component: 'bucket-setup' });
  const pod = new PodBuilder(mv, { labels: { ...labels, ...selector }, restartPolicy: 'Never' });
  // `mc alias set` reads the user and the password from stdin, one line each, and writes mc's config file itself (in
  // /tmp, an emptyDir): the credentials appear neither in the manifest nor in any process's arguments, and no quote,
  // backslash or `$` in them can break a file format. A line break cannot be passed that way: refused with a message
  // (`kubectl create secret --from-file` keeps a file's trailing newline).
  const script = [
    'set -eu',
    'nl=$(printf \'\\n_\'); nl=${nl%_}; cr=$(printf \'\\r\')',
    'case "$MINIO_ROOT_USER$MINIO_ROOT_PASSWORD" in',
    '  *"$nl"*|*"$cr"*)',
    '    echo "The MinIO root user and password must be single lines (no line breaks; a Secret made with --from-file keeps the trailing newline)" >&2',
    '    exit 1;;',
    'esac',
    `printf '%s\\n%s\\n' "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" | mc alias set --api s3v4 --path auto minio http://${minio.host}:${MINIO_PORT} >/dev/null`,
    'until mc ready minio; do sleep 3; done',
    `mc mb --ignore-existing minio/${o.bucket}`,
    `mc anonymous set none minio/${o.bucket}`,
  ].join('\n');
  pod.addContainer({
    name: 'create-bucket',
    image: o.clientImage ?? MC_IMAGE,
    command: ['/bin/sh', '-c', script],
    secretEnv: { MINIO_ROOT_USER: o.rootUser, MINIO_ROOT_PASSWORD: o.rootPassword },
    resources: { cpu: '100m', memory: '128Mi' },
  });
  const job = new k8s.KubeJob(scope, 'BucketJob', {
    metadata: { name, namespace, labels },
    // `mc ready` waits for MinIO without end: the deadline turns a MinIO that never comes up into a failed Job.
    spec: jobRunSpec(mv, { backoffLimit: 6, activeDeadline: Duration.minutes(15) }, 'create-bucket', { template: pod.template() }),
  });
  setDeployPhase(job, DeployPhase.SETUP);
  const policy = new PodNetworkPolicy(scope, 'BucketJobNetworkPolicy', { name, namespace, podSelector: selector, labels });
  allowBetween(policy, minio.networkPolicy, [{ port: MINIO_PORT }]);
}
