import { allowBetween, childName, NetworkPeer, PodNetworkPolicy, SecretValue, VolumeClaim } from '../core';
import { parseObjectStoreEndpoint } from '../core/object-store';
import { IObjectStoreAccess } from '../core/object-store-access';
import { ArtifactConfig, MC_IMAGE, MINIO_IMAGE, MINIO_PORT } from './artifact-store';
import { BackendConfig, POSTGRES_IMAGE, POSTGRES_PORT, PostgresSslMode } from './backend-store';
import { MlflowContext } from './context';
import { ArtifactCredentials } from './credentials';
import { inClusterMinio, minioBucketJob } from './minio';
import { inClusterPostgres } from './postgres';

/** Where the file backend keeps its SQLite database. */
export const FILE_STORE_DIR = '/var/lib/mlflow';

/** What the backend store gives the tracking server and the migration. */
export interface BackendBinding {
  readonly kind: BackendConfig['kind'];
  /** `--backend-store-uri`: it never carries the password; libpq reads PGPASSWORD from the environment. */
  readonly uri: string;
  /** PGPASSWORD, from its Secret. */
  readonly secretEnv: Record<string, SecretValue>;
  /** The in-cluster PostgreSQL's NetworkPolicy, to open for the migration Job. */
  readonly postgresPolicy?: PodNetworkPolicy;
  /** The external PostgreSQL's addresses (or, in the cluster, its pods) and port. */
  readonly egress?: BackendEgress;
  /** The claim of the SQLite file. */
  readonly claim?: VolumeClaim;
}

/** Where a PostgreSQL the library does not run is reached: by address, or by its pods' labels. */
export type BackendEgress = { readonly cidr: string; readonly port: number } | { readonly peer: NetworkPeer; readonly port: number };

/** Lets the pods of `policy` reach the external PostgreSQL. */
export function allowBackendEgress(policy: PodNetworkPolicy, egress: BackendEgress): void {
  if ('peer' in egress) policy.allowTo(egress.peer, [{ port: egress.port }]);
  else policy.allowToCidr(egress.cidr, [{ port: egress.port }]);
}

/** What the artifact store gives the tracking server. */
export interface ArtifactBinding {
  /** `--artifacts-destination`. */
  readonly destination: string;
  readonly env: Record<string, string>;
  readonly secretEnv: Record<string, SecretValue>;
  /** How the server authenticates to S3 or GCS (none for the in-cluster MinIO: its root user). */
  readonly credentials?: ArtifactCredentials;
  /** How other constructs' pods reach an S3-compatible store (MinIO, S3); undefined for GCS. */
  readonly objectStore?: IObjectStoreAccess;
}

/** Adds the in-cluster PostgreSQL if asked for, and opens the server's path to the database. */
export function bindBackendStore(ctx: MlflowContext, backend: BackendConfig): BackendBinding {
  const { name, namespace, networkPolicy } = ctx;
  if (backend.kind === 'postgres') {
    const o = backend.options;
    const pg = inClusterPostgres(ctx.scope, ctx.v, childName(name, 'postgres'), namespace, o, ctx.labelsOf('database', 'postgres', o.image ?? POSTGRES_IMAGE));
    ctx.secretUses.push({ value: o.password, namespace, purpose: 'PostgreSQL password (the database and the tracking server read it)' });
    allowBetween(networkPolicy, pg.networkPolicy, [{ port: POSTGRES_PORT }]);
    return {
      kind: backend.kind,
      uri: `postgresql://${o.username ?? 'mlflow'}@${pg.host}:${POSTGRES_PORT}/${o.database ?? 'mlflow'}`,
      secretEnv: { PGPASSWORD: o.password },
      postgresPolicy: pg.networkPolicy,
    };
  }
  if (backend.kind === 'external') {
    const o = backend.options;
    const port = o.port ?? POSTGRES_PORT;
    ctx.secretUses.push({ value: o.password, namespace, purpose: 'password of the external PostgreSQL' });
    const egress: BackendEgress = o.peer !== undefined ? { peer: o.peer, port } : { cidr: o.cidr ?? '0.0.0.0/0', port };
    allowBackendEgress(networkPolicy, egress);
    return {
      kind: backend.kind,
      uri: `postgresql://${o.username}@${o.host}:${port}/${o.database}?sslmode=${o.sslMode ?? PostgresSslMode.REQUIRE}`,
      secretEnv: { PGPASSWORD: o.password },
      egress,
    };
  }
  return { kind: backend.kind, uri: `sqlite:///${FILE_STORE_DIR}/mlflow.db`, secretEnv: {}, claim: backend.options.claim };
}

/** Adds the in-cluster MinIO and its bucket Job if asked for, and opens the server's path to the store. */
export function bindArtifactStore(ctx: MlflowContext, artifacts: ArtifactConfig): ArtifactBinding {
  const { name, namespace, networkPolicy } = ctx;
  if (artifacts.kind === 'minio') {
    const o = artifacts.options;
    const minio = inClusterMinio(ctx.scope, ctx.v, childName(name, 'minio'), namespace, o, ctx.labelsOf('object-store', 'minio', o.image ?? MINIO_IMAGE));
    const purpose = 'MinIO root user and password (MinIO, the bucket Job and the tracking server read them)';
    ctx.secretUses.push({ value: o.rootUser, namespace, purpose }, { value: o.rootPassword, namespace, purpose });
    allowBetween(networkPolicy, minio.networkPolicy, [{ port: MINIO_PORT }]);
    minioBucketJob(ctx.scope, ctx.v, childName(name, 'minio-bucket'), namespace, o, minio, ctx.labelsOf('bucket-setup', 'minio', o.clientImage ?? MC_IMAGE));
    const objectStore: IObjectStoreAccess = {
      url: `s3://${o.bucket}`,
      bucket: o.bucket,
      endpoint: { url: `http://${minio.host}:${MINIO_PORT}`, https: false, host: minio.host, port: MINIO_PORT },
      accessKeyId: o.rootUser,
      secretAccessKey: o.rootPassword,
      allowClient: (client) => allowBetween(client, minio.networkPolicy, [{ port: MINIO_PORT }]),
    };
    return {
      destination: `s3://${o.bucket}`,
      env: { MLFLOW_S3_ENDPOINT_URL: `http://${minio.host}:${MINIO_PORT}` },
      secretEnv: { AWS_ACCESS_KEY_ID: o.rootUser, AWS_SECRET_ACCESS_KEY: o.rootPassword },
      objectStore,
    };
  }
  const env: Record<string, string> = {};
  let destination: string;
  let objectStore: IObjectStoreAccess | undefined;
  if (artifacts.kind === 's3') {
    const o = artifacts.options;
    destination = `s3://${o.bucket}${o.path ? `/${o.path}` : ''}`;
    if (o.endpoint) env.MLFLOW_S3_ENDPOINT_URL = o.endpoint;
    if (o.region) env.AWS_DEFAULT_REGION = o.region;
    const endpoint = o.endpoint ? parseObjectStoreEndpoint(ctx.v, 'endpoint', o.endpoint) : undefined;
    const port = endpoint?.port ?? 443;
    const cidr = o.cidr ?? '0.0.0.0/0';
    networkPolicy.allowToCidr(cidr, [{ port }]);
    const keys = o.credentials._env;
    objectStore = {
      url: destination, bucket: o.bucket, keyPrefix: o.path, endpoint, region: o.region,
      accessKeyId: keys.AWS_ACCESS_KEY_ID, secretAccessKey: keys.AWS_SECRET_ACCESS_KEY,
      allowClient: (client) => client.allowToCidr(cidr, [{ port }]),
    };
  } else {
    const o = artifacts.options;
    destination = `gs://${o.bucket}${o.path ? `/${o.path}` : ''}`;
    networkPolicy.allowToCidr(o.cidr ?? '0.0.0.0/0', [{ port: 443 }]);
  }
  const credentials = artifacts.options.credentials;
  const secretEnv: Record<string, SecretValue> = {};
  for (const [envName, secret] of Object.entries(credentials._env)) {
    secretEnv[envName] = secret;
    ctx.secretUses.push({ value: secret, namespace, purpose: 'object storage access key of the tracking server' });
  }
  for (const e of credentials._egress) networkPolicy.allowToCidr(e.cidr, [{ port: e.port }]);
  if (credentials._keyFile) {
    ctx.secretUses.push({ value: credentials._keyFile, namespace, purpose: 'Google service account key (JSON) of the tracking server' });
  }
  return { destination, env, secretEnv, credentials, objectStore };
}
