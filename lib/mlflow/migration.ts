import { createHash } from 'crypto';
import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import {
  allowBetween, childName, DeployPhase, imageTag, jobRunSpec, PodBuilder, PodNetworkPolicy, selectorLabels, setDeployPhase,
} from '../core';
import { MountedFiles } from './auth';
import { POSTGRES_PORT } from './backend-store';
import { MlflowContext } from './context';
import { allowBackendEgress, BackendBinding, FILE_STORE_DIR } from './stores';

/**
 * Brings the schema to the head revision of the MLflow in this image: creates the initial tables where they are
 * missing (an empty database; `mlflow db upgrade` alone fails there on older MLflow versions, its first migration
 * alters tables it expects to exist), then runs the alembic migrations that `mlflow db upgrade` runs. This is what
 * `mlflow server` does at start, run once instead of by every replica at the same time.
 */
const MIGRATE_SCHEMA = [
  'import os',
  'from mlflow.store.db.utils import create_sqlalchemy_engine_with_retry, _initialize_tables',
  // The auth database first: servers wait only for the tracking schema, so it must be the last step.
  'if os.environ.get("MLFLOW_AUTH_CONFIG_PATH"):',
  '    from mlflow.server.auth.config import read_auth_config',
  '    from mlflow.server.auth.db.utils import migrate',
  '    migrate(create_sqlalchemy_engine_with_retry(read_auth_config().database_uri), "head")',
  '_initialize_tables(create_sqlalchemy_engine_with_retry(os.environ["MLFLOW_BACKEND_STORE_URI"]))',
].join('\n');

/**
 * Waits until the database schema is at the head revision of the MLflow in this image (the migration Job's work).
 * `_verify_schema` is what `mlflow server` itself checks at start; the image is pinned, so the module path is too.
 */
const WAIT_FOR_SCHEMA = [
  'import os, time',
  'from mlflow.store.db.utils import create_sqlalchemy_engine, _verify_schema',
  'engine = create_sqlalchemy_engine(os.environ["MLFLOW_BACKEND_STORE_URI"])',
  'while True:',
  '    try:',
  '        _verify_schema(engine)',
  '        break',
  '    except Exception as e:',
  '        print("waiting for the schema migration Job:", type(e).__name__, flush=True)',
  '        time.sleep(5)',
].join('\n');

/**
 * Brings the schema up to date before the server starts. A SQLite file: an init container of the server (one
 * replica and the Recreate strategy, so no other server can race the upgrade). A database: a Job named after the
 * image's tag, which the servers' init container waits for, so no replica ever creates or migrates tables itself
 * (two replicas would race on an empty database). Returns the Job's name, if any.
 */
export function addSchemaMigration(ctx: MlflowContext, pod: PodBuilder, backend: BackendBinding, authFiles?: MountedFiles): string | undefined {
  const image = ctx.image;
  if (backend.kind === 'file') {
    pod.addInitContainer({
      name: 'db-upgrade', image, command: ['python', '-c', MIGRATE_SCHEMA], env: { MLFLOW_BACKEND_STORE_URI: backend.uri, ...authFiles?.env },
      resources: { cpu: '250m', memory: '512Mi' },
      volumeMounts: [{ name: 'backend-store', mountPath: FILE_STORE_DIR }, ...(authFiles ? [authFiles.mount] : [])],
    });
    return undefined;
  }
  const jobName = childName(ctx.name, migrationSuffix(image));
  const policy = migrationJob(ctx, jobName, backend, authFiles);
  if (backend.postgresPolicy) allowBetween(policy, backend.postgresPolicy, [{ port: POSTGRES_PORT }]);
  if (backend.egress) allowBackendEgress(policy, backend.egress);
  pod.addInitContainer({
    name: 'wait-for-schema', image, command: ['python', '-c', WAIT_FOR_SCHEMA],
    env: { MLFLOW_BACKEND_STORE_URI: backend.uri }, secretEnv: backend.secretEnv,
    resources: { cpu: '250m', memory: '512Mi' },
  });
  return jobName;
}

/** The Job that creates or upgrades the schema ({@link MIGRATE_SCHEMA}), and its NetworkPolicy. */
function migrationJob(ctx: MlflowContext, name: string, backend: BackendBinding, files?: MountedFiles): PodNetworkPolicy {
  const { scope, v, namespace } = ctx;
  const labels = ctx.labelsOf('db-migration');
  const selector = selectorLabels({ instance: ctx.name, component: 'db-migration' });
  const pod = new PodBuilder(v, { labels: { ...labels, ...selector }, restartPolicy: 'Never' });
  if (files) pod.addVolume(files.volume);
  pod.addContainer({
    name: 'db-upgrade',
    image: ctx.image,
    command: ['python', '-c', MIGRATE_SCHEMA],
    env: { MLFLOW_BACKEND_STORE_URI: backend.uri, ...files?.env },
    secretEnv: backend.secretEnv,
    volumeMounts: files ? [files.mount] : undefined,
    resources: { cpu: '500m', memory: '1Gi' },
  });
  // The database may still be starting: retries are cheap and the upgrade is idempotent.
  const job = new k8s.KubeJob(scope, 'Migration', {
    metadata: { name, namespace, labels },
    spec: jobRunSpec(v, { backoffLimit: 10, activeDeadline: Duration.hours(2) }, 'db-upgrade', { template: pod.template() }),
  });
  setDeployPhase(job, DeployPhase.SETUP);
  return new PodNetworkPolicy(scope, 'MigrationNetworkPolicy', { name, namespace, podSelector: selector, labels });
}

/**
 * The migration Job's name part: `db-upgrade-<tag>-<hash of the image>`. A Job's pod template is immutable, so the
 * name changes with every image (another tag, a digest, another repository with the same tag); the tag is kept,
 * shortened, so that people can read which release migrated.
 */
function migrationSuffix(image: string): string {
  const tag = slug(imageTag(image) ?? 'pinned').slice(0, 12).replace(/-+$/, '');
  return `db-upgrade-${tag}-${createHash('sha256').update(image).digest('hex').slice(0, 8)}`;
}

/** An image tag as a name part (`v3.16.1-full` → `v3-16-1-full`). */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '') || 'pinned';
}
