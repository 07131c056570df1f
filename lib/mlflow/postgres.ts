import { Construct } from 'constructs';
import { PodBuilder, selectorLabels, STATEFUL_DATA_VOLUME, StatefulService, Validator } from '../core';
import { InClusterPostgresOptions, POSTGRES_IMAGE, POSTGRES_PORT } from './backend-store';

/** Where the official image keeps its data (a volume: the root filesystem is read-only). */
const DATA_DIR = '/var/lib/postgresql/data';

/** PostgreSQL as a one-replica StatefulService `name` (StatefulSet, headless Service, deny-by-default NetworkPolicy). */
export function inClusterPostgres(
  scope: Construct, v: Validator, name: string, namespace: string | undefined, o: InClusterPostgresOptions, labels: Record<string, string>,
): StatefulService {
  const pv = v.nested('backendStore');
  const selector = selectorLabels({ instance: labels['app.kubernetes.io/instance'], component: 'database' });
  const user = o.username ?? 'mlflow';
  const database = o.database ?? 'mlflow';
  // The official image runs PostgreSQL as uid/gid 999; fsGroup 999 makes the volume writable for it.
  const pod = new PodBuilder(pv, { labels: { ...labels, ...selector }, security: { user: 999, group: 999 }, terminationGracePeriodSeconds: 60 });
  const ready = ['pg_isready', '-h', '127.0.0.1', '-p', String(POSTGRES_PORT), '-U', user, '-d', database];
  pod.addContainer({
    name: 'postgres',
    image: o.image ?? POSTGRES_IMAGE,
    env: {
      POSTGRES_USER: user,
      POSTGRES_DB: database,
      // A subdirectory: the volume's root may hold lost+found, which initdb refuses.
      PGDATA: `${DATA_DIR}/pgdata`,
    },
    secretEnv: { POSTGRES_PASSWORD: o.password },
    resources: { cpu: o.cpu ?? '500m', memory: o.memory ?? '1Gi' },
    ports: [{ name: 'postgres', port: POSTGRES_PORT }],
    volumeMounts: [{ name: STATEFUL_DATA_VOLUME, mountPath: DATA_DIR }],
    // The socket and lock file directory; the root filesystem is read-only.
    writablePaths: ['/var/run/postgresql'],
    readinessProbe: { exec: { command: ready }, periodSeconds: 10, timeoutSeconds: 5 },
    livenessProbe: { exec: { command: ready }, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
  });
  return new StatefulService(scope, 'Postgres', {
    name, namespace, labels, selector, pod,
    ports: [{ name: 'postgres', port: POSTGRES_PORT }],
    storage: o.storage ?? '10Gi',
    storageClassName: o.storageClassName,
    validator: pv,
  });
}
