import {
  IValidator, NetworkPeer, QuantityInput, SecretValue, validateCidr, validateDnsSubdomain, validateImage, validatePort, Validator, VolumeClaim,
} from '../core';
import { validateDnsLabel, validateEnum, validateLabels } from '../core/validation';
import { checkSecret } from './checks';

/** The image of the in-cluster PostgreSQL. */
export const POSTGRES_IMAGE = 'postgres:16.4';
export const POSTGRES_PORT = 5432;
/** PostgreSQL user and database names the library accepts (unquoted identifiers). */
const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** How the connection to an external PostgreSQL is secured (libpq `sslmode`). */
export enum PostgresSslMode {
  /** No TLS (only inside a trusted network). */
  DISABLE = 'disable',
  /**
   * TLS when the server offers it, else plain text, and the certificate is not verified: anyone on the path can
   * downgrade the connection or impersonate the server. Only for a database in the cluster whose TLS is not set up
   * yet (many in-cluster PostgreSQL releases start without it); prefer `REQUIRE` or `VERIFY_FULL`.
   */
  PREFER = 'prefer',
  /** TLS without verifying the server certificate. */
  REQUIRE = 'require',
  /** TLS, verifying the certificate and the host name (needs the CA in the image or `PGSSLROOTCERT`). */
  VERIFY_FULL = 'verify-full',
}

/** Options of {@link BackendStore.postgres}: PostgreSQL as a StatefulSet next to the tracking server. */
export interface InClusterPostgresOptions {
  /** The database password, in a Secret you create (`kubectl create secret generic ...`). */
  readonly password: SecretValue;
  /**
   * The database user.
   * @default 'mlflow'
   */
  readonly username?: string;
  /**
   * The database name.
   * @default 'mlflow'
   */
  readonly database?: string;
  /**
   * The PostgreSQL image, pinned.
   * @default 'postgres:16.4'
   */
  readonly image?: string;
  /**
   * The size of the data volume.
   * @default '10Gi'
   */
  readonly storage?: QuantityInput;
  /**
   * The StorageClass of the data volume.
   * @default - the cluster's default
   */
  readonly storageClassName?: string;
  /**
   * CPU request and limit.
   * @default '500m'
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory request and limit.
   * @default '1Gi'
   */
  readonly memory?: QuantityInput;
}

/** Options of {@link BackendStore.externalPostgres}: a managed or existing PostgreSQL. */
export interface ExternalPostgresOptions {
  /** The server's host name. */
  readonly host: string;
  /**
   * The server's port.
   * @default 5432
   */
  readonly port?: number;
  /** The database name. */
  readonly database: string;
  /** The database user. */
  readonly username: string;
  /** The password, in a Secret you create. */
  readonly password: SecretValue;
  /**
   * TLS mode of the connection.
   * @default PostgresSslMode.REQUIRE
   */
  readonly sslMode?: PostgresSslMode;
  /**
   * The addresses the database is reachable at, for the egress NetworkPolicy; not with `peer`.
   * @default '0.0.0.0/0' (any address, on the database port only), unless `peer` is given
   */
  readonly cidr?: string;
  /**
   * The database's pods, for a PostgreSQL already running in the cluster (an operator's cluster, a Helm release):
   * the tracking server and the schema migration Job may then reach only these pods (by labels, in `namespace`,
   * on `port`) instead of addresses. A NetworkPolicy of the database's own must admit them: the MLflow pods carry
   * `app.kubernetes.io/instance: <name>` (the tracking server `app.kubernetes.io/component: tracking-server`, the
   * migration Job `db-migration`).
   * @default - the database is reached by address (`cidr`)
   */
  readonly peer?: NetworkPeer;
}

/** Options of {@link BackendStore.file}. */
export interface FileBackendOptions {
  /** The claim that holds the SQLite database file (ReadWriteOnce is enough: one replica only). */
  readonly claim: VolumeClaim;
}

/** What a BackendStore factory was given. */
export type BackendConfig =
  | { readonly kind: 'postgres'; readonly options: InClusterPostgresOptions }
  | { readonly kind: 'external'; readonly options: ExternalPostgresOptions }
  | { readonly kind: 'file'; readonly options: FileBackendOptions };

/** Where MLflow keeps runs, parameters, metrics and the model registry. */
export class BackendStore {
  /**
   * PostgreSQL in the cluster: a StatefulSet `<name>-postgres` with a volume claim template and a headless Service.
   * Only the tracking server and the migration Job can reach it.
   */
  public static postgres(options: InClusterPostgresOptions): BackendStore {
    const v = Validator.forFactory('BackendStore.postgres');
    if (!options || typeof options !== 'object') v.fail('options', 'must be an object with at least a password', options);
    checkSecret(v, 'password', options.password);
    checkPgIdentifier(v, 'username', options.username ?? 'mlflow');
    checkPgIdentifier(v, 'database', options.database ?? 'mlflow');
    validateImage(v, 'image', options.image ?? POSTGRES_IMAGE);
    return new BackendStore({ kind: 'postgres', options });
  }

  /** A PostgreSQL outside the cluster (Cloud SQL, RDS, Azure Database...). */
  public static externalPostgres(options: ExternalPostgresOptions): BackendStore {
    const v = Validator.forFactory('BackendStore.externalPostgres');
    if (!options || typeof options !== 'object') v.fail('options', 'must be an object with host, database, username and password', options);
    validateDnsSubdomain(v, 'host', options.host);
    validatePort(v, 'port', options.port ?? POSTGRES_PORT);
    checkPgIdentifier(v, 'database', options.database);
    checkPgIdentifier(v, 'username', options.username);
    checkSecret(v, 'password', options.password);
    if (options.sslMode !== undefined) validateEnum(v, 'sslMode', options.sslMode, PostgresSslMode, 'PostgresSslMode');
    if (options.cidr !== undefined) validateCidr(v, 'cidr', options.cidr);
    if (options.peer !== undefined) checkDatabasePeer(v, options.peer, options.cidr);
    return new BackendStore({ kind: 'external', options });
  }

  /**
   * A SQLite database file on a volume: for a single-user or evaluation setup. It allows one replica only (SQLite
   * on a shared volume does not survive concurrent writers).
   */
  public static file(options: FileBackendOptions): BackendStore {
    const v = Validator.forFactory('BackendStore.file');
    if (!options || !(options.claim instanceof VolumeClaim)) {
      v.fail('claim', 'must be a VolumeClaim (from MlStorage or VolumeClaim.fromClaimName)', options?.claim);
    }
    return new BackendStore({ kind: 'file', options });
  }

  private constructor(
    /** @internal */
    public readonly _config: BackendConfig,
  ) {}
}

/** The pods of an in-cluster database: at least one label (never every pod of a namespace), and no `cidr` beside. */
function checkDatabasePeer(v: IValidator, peer: NetworkPeer, cidr: string | undefined): void {
  if (cidr !== undefined) v.fail('cidr', 'cannot be given with peer (the database is reached by its pods\' labels, not by address)', cidr);
  if (!peer || typeof peer !== 'object' || !peer.podSelector || typeof peer.podSelector !== 'object' || Array.isArray(peer.podSelector)) {
    v.fail('peer', 'must be a NetworkPeer with the podSelector of the database\'s pods', peer);
  }
  validateLabels(v, 'peer.podSelector', peer.podSelector);
  if (Object.keys(peer.podSelector).length === 0) {
    v.fail('peer.podSelector', 'must select the database\'s pods by at least one label (an empty selector opens every pod of the namespace)', peer.podSelector);
  }
  if (peer.namespace !== undefined) validateDnsLabel(v, 'peer.namespace', peer.namespace);
}

function checkPgIdentifier(v: IValidator, prop: string, value: string): void {
  if (typeof value !== 'string' || !PG_IDENTIFIER.test(value)) {
    v.fail(prop, 'must be a PostgreSQL name (lower-case letters, digits and \'_\', not starting with a digit, at most 63 characters)', value);
  }
}
