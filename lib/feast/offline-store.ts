import { SecretValue, validateHost, validateInteger, Validator } from '../core';
import { ANY_ADDRESS, externalCidrOf, StoreBinding } from './binding';

/** The env var that feature_store.yaml expands (`${...}`) into the offline store's password. */
const OFFLINE_PASSWORD_ENV = 'FEAST_OFFLINE_STORE_PASSWORD';

/** Options of {@link OfflineStore.postgres}. */
export interface PostgresOfflineStoreOptions {
  /** The database host. */
  readonly host: string;
  /**
   * The port.
   * @default 5432
   */
  readonly port?: number;
  /** The database. */
  readonly database: string;
  /**
   * The schema.
   * @default 'public'
   */
  readonly schema?: string;
  /** The user. */
  readonly user: string;
  /** The password, from a Secret. */
  readonly password: SecretValue;
  /**
   * The libpq SSL mode.
   * @default 'require'
   */
  readonly sslMode?: string;
  /**
   * The addresses of the database, the only ones the Feast pods may reach on the database port.
   * @default '0.0.0.0/0' (any address, on the database port only)
   */
  readonly cidr?: string;
}

/** The `sslmode` values libpq takes. */
const LIBPQ_SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** Options of {@link OfflineStore.snowflake}. */
export interface SnowflakeOfflineStoreOptions {
  /** The account identifier (`xy12345.eu-central-1`). */
  readonly account: string;
  /** The user. */
  readonly user: string;
  /** The password, from a Secret. */
  readonly password: SecretValue;
  /** The role. */
  readonly role: string;
  /** The virtual warehouse. */
  readonly warehouse: string;
  /** The database. */
  readonly database: string;
  /**
   * The schema.
   * @default 'PUBLIC'
   */
  readonly schema?: string;
  /**
   * The addresses of Snowflake (a PrivateLink endpoint subnet), the only ones the Feast pods may reach on port 443.
   * @default '0.0.0.0/0' (any address, on port 443 only)
   */
  readonly cidr?: string;
}

/** Options of {@link OfflineStore.bigquery}. */
export interface BigQueryOfflineStoreOptions {
  /**
   * The Google Cloud project.
   * @default - the project of the credentials
   */
  readonly projectId?: string;
  /** The dataset. */
  readonly dataset: string;
  /**
   * The dataset's location.
   * @default - BigQuery's default
   */
  readonly location?: string;
  /**
   * The addresses of BigQuery (Private Google Access: `199.36.153.8/30`), the only ones the Feast pods may reach on port 443.
   * @default '0.0.0.0/0' (any address, on port 443 only)
   */
  readonly cidr?: string;
}

/** Where Feast reads historical feature data from (materialization reads it; the online server does not). */
export class OfflineStore {
  /** Parquet/CSV files, read by the jobs in-process (paths in the feature definitions). */
  public static file(): OfflineStore {
    return new OfflineStore('file', () => ({ config: { type: 'file' }, secretEnv: {}, env: {}, externalPorts: [], externalCidr: ANY_ADDRESS }));
  }

  /** A PostgreSQL warehouse; the password comes from a Secret through `${...}` expansion. */
  public static postgres(options: PostgresOfflineStoreOptions): OfflineStore {
    const v = Validator.forFactory('OfflineStore.postgres');
    validateHost(v, 'host', options?.host);
    const port = validateInteger(v, 'port', options.port ?? 5432, 1, 65535);
    for (const field of ['database', 'user'] as const) {
      if (typeof options[field] !== 'string' || options[field].length === 0) v.fail(field, 'must be a non-empty string', options[field]);
    }
    if (!(options.password instanceof SecretValue)) v.fail('password', 'must be made with SecretValue.fromSecret(name, key)', options.password);
    if (options.sslMode !== undefined && !LIBPQ_SSL_MODES.includes(options.sslMode)) v.fail('sslMode', `must be a libpq SSL mode (${LIBPQ_SSL_MODES.join(', ')})`, options.sslMode);
    const externalCidr = externalCidrOf(v, options.cidr);
    return new OfflineStore('postgres', () => ({
      config: {
        type: 'postgres', host: options.host, port, database: options.database, db_schema: options.schema ?? 'public',
        user: options.user, password: `\${${OFFLINE_PASSWORD_ENV}}`, sslmode: options.sslMode ?? 'require',
      },
      secretEnv: { [OFFLINE_PASSWORD_ENV]: options.password }, env: {}, externalPorts: [port], externalCidr,
    }));
  }

  /** A Snowflake warehouse; the password comes from a Secret through `${...}` expansion. */
  public static snowflake(options: SnowflakeOfflineStoreOptions): OfflineStore {
    const v = Validator.forFactory('OfflineStore.snowflake');
    for (const field of ['account', 'user', 'role', 'warehouse', 'database'] as const) {
      if (!options || typeof options[field] !== 'string' || options[field].length === 0) v.fail(field, 'must be a non-empty string', options?.[field]);
    }
    if (!(options.password instanceof SecretValue)) v.fail('password', 'must be made with SecretValue.fromSecret(name, key)', options.password);
    const externalCidr = externalCidrOf(v, options.cidr);
    return new OfflineStore('snowflake.offline', () => ({
      config: {
        type: 'snowflake.offline', account: options.account, user: options.user, password: `\${${OFFLINE_PASSWORD_ENV}}`,
        role: options.role, warehouse: options.warehouse, database: options.database, schema: options.schema ?? 'PUBLIC',
      },
      secretEnv: { [OFFLINE_PASSWORD_ENV]: options.password }, env: {}, externalPorts: [443], externalCidr,
    }));
  }

  /** BigQuery (credentials from GKE Workload Identity). */
  public static bigquery(options: BigQueryOfflineStoreOptions): OfflineStore {
    const v = Validator.forFactory('OfflineStore.bigquery');
    if (!options || typeof options.dataset !== 'string' || !/^[A-Za-z0-9_]{1,1024}$/.test(options.dataset)) {
      v.fail('dataset', 'must be a BigQuery dataset name (letters, digits and underscores)', options?.dataset);
    }
    const externalCidr = externalCidrOf(v, options.cidr);
    return new OfflineStore('bigquery', () => ({
      config: { type: 'bigquery', project_id: options.projectId, dataset: options.dataset, location: options.location },
      secretEnv: {}, env: {}, externalPorts: [443], externalCidr,
    }));
  }

  private constructor(
    /** The Feast offline store type. */
    public readonly type: string,
    private readonly render: () => StoreBinding,
  ) {}

  /** @internal */
  public _bind(): StoreBinding {
    return this.render();
  }
}
