import { createHash } from 'crypto';
import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IValidator, Validator } from '../core/errors';
import { durationSeconds } from '../core/job';
import { componentLabels } from '../core/labels';
import { registerConstruct } from '../core/platform';
import { propNames, rejectUnknownProps } from '../core/props';
import { IExternalSecretStore, SecretValue } from '../core/secrets';
import { rejectNulCharacter, validateDnsLabel, validateLabels } from '../core/validation';
import { ITeam, resolveNamespace } from '../core/workload';
import { EXTERNAL_SECRETS_API_VERSION, ExternalSecretData, ExternalSecretSpec, goDuration, SecretStoreSpec } from './crd';
import { SecretProvider } from './provider';

/** A store every listed namespace may use (a ClusterSecretStore). */
export interface ClusterSecretStoreOptions {
  /** The namespace of the store's ServiceAccount (the operator's own, such as `external-secrets`). */
  readonly serviceAccountNamespace: string;
  /**
   * The namespaces whose ExternalSecrets may use the store (its `conditions`): every secret the store's identity
   * may read becomes readable from these namespaces, so list them rather than open the store to every namespace.
   */
  readonly namespaces: string[];
}

/** Props of {@link ExternalSecretStore}. */
export interface ExternalSecretStoreProps {
  /** The secret manager and the workload identity the store authenticates with. */
  readonly provider: SecretProvider;
  /**
   * The name of the SecretStore (or ClusterSecretStore) and of its ServiceAccount; the Secrets it writes are named
   * `<name>-<remote key>`.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The team whose namespace the SecretStore serves (`team.inNamespace(ns)` for another of its namespaces).
   * @default - no team
   */
  readonly team?: ITeam;
  /**
   * The namespace the SecretStore serves; not with `clusterWide`.
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * Make a ClusterSecretStore for several namespaces instead of a SecretStore for one.
   * @default - a SecretStore in one namespace
   */
  readonly clusterWide?: ClusterSecretStoreOptions;
  /**
   * How often the ExternalSecrets read the values again (a rotated password reaches the Secret within this long).
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
  /**
   * Extra labels on every object.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Every prop of ExternalSecretStoreProps, for refusing unknown ones (the compiler checks the list against the interface). */
const EXTERNAL_SECRET_STORE_PROPS = propNames<ExternalSecretStoreProps>()({
  provider: true, name: true, team: true, namespace: true, clusterWide: true, refreshInterval: true, labels: true,
});

/** The ExternalSecret of one remote key in one namespace, and the Secret keys it writes so far. */
interface RemoteSecret {
  readonly data: ExternalSecretData[];
}

/**
 * A secret manager (AWS Secrets Manager, Google Secret Manager, Vault, Azure Key Vault) the External Secrets
 * Operator reads for the app: a SecretStore for one namespace (a team's) or a ClusterSecretStore for listed
 * namespaces, and the ServiceAccount it authenticates as through the provider's workload identity (no static
 * credential). `SecretValue.fromExternal(store, key, property)` makes a value of it; the store writes an
 * ExternalSecret per remote key (refreshed every `refreshInterval`, owning its Secret) in the namespace of the pods
 * that read it. No value is ever in a manifest.
 *
 * @example
 * const store = new ExternalSecretStore(chart, 'vision-secrets', {
 *   team: vision,
 *   provider: SecretProvider.awsSecretsManager({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/vision-secrets' }),
 * });
 * const password = SecretValue.fromExternal(store, 'vision/mlflow-db', 'password');
 */
export class ExternalSecretStore extends Construct implements IExternalSecretStore {
  /** The name of the SecretStore or ClusterSecretStore (and of its ServiceAccount). */
  public readonly storeName: string;
  /** `SecretStore` or `ClusterSecretStore`. */
  public readonly kind: 'SecretStore' | 'ClusterSecretStore';
  /** The namespace a SecretStore serves (undefined for a ClusterSecretStore, or the chart's default). */
  public readonly namespace?: string;
  /** The namespaces a ClusterSecretStore serves. */
  public readonly namespaces?: string[];
  /** The SecretStore or ClusterSecretStore (child id `Resource`). */
  public readonly resource: ApiObject;
  /** The ServiceAccount the store authenticates as (child id `ServiceAccount`). */
  public readonly serviceAccount: k8s.KubeServiceAccount;

  private readonly refresh: string;
  private readonly labels: Record<string, string>;
  private readonly remote = new Map<string, RemoteSecret>();

  public constructor(scope: Construct, id: string, props: ExternalSecretStoreProps) {
    super(scope, id);
    registerConstruct(this, 'ExternalSecretStore');
    const v = Validator.forConstruct('ExternalSecretStore', id);
    if (!props || typeof props !== 'object') v.fail('props', 'must be an object with at least a provider', props);
    rejectUnknownProps(v, props, EXTERNAL_SECRET_STORE_PROPS);
    if (!(props.provider instanceof SecretProvider)) {
      v.fail('provider', 'must be made with SecretProvider.awsSecretsManager(...), gcpSecretManager(...), vault(...) or azureKeyVault(...)', props.provider);
    }
    this.storeName = validateDnsLabel(v, 'name', props.name ?? id);
    this.refresh = goDuration(refreshSeconds(v, props.refreshInterval));
    this.labels = { ...validateLabels(v, 'labels', props.labels), ...componentLabels({ name: this.storeName, instance: this.storeName, component: 'secrets' }) };
    const cluster = props.clusterWide === undefined ? undefined : checkClusterWide(v, props);
    this.kind = cluster === undefined ? 'SecretStore' : 'ClusterSecretStore';
    this.namespace = cluster === undefined ? resolveNamespace(v, this, props) : undefined;
    this.namespaces = cluster?.namespaces;
    const accountNamespace = cluster?.serviceAccountNamespace ?? this.namespace;

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.storeName, namespace: accountNamespace, labels: this.labels, annotations: nonEmpty(props.provider._serviceAccountAnnotations) },
      // ESO requests short-lived tokens for the account (TokenRequest); no pod runs as it.
      automountServiceAccountToken: false,
    });
    const spec: SecretStoreSpec = {
      provider: props.provider._spec({ name: this.storeName, namespace: cluster === undefined ? undefined : accountNamespace }),
      conditions: cluster === undefined ? undefined : [{ namespaces: cluster.namespaces }],
    };
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: this.kind,
      metadata: { name: this.storeName, namespace: this.namespace, labels: this.labels },
      spec,
    });
  }

  /**
   * The store for the pods of `namespace`: its ExternalSecrets are written there. A SecretStore serves its own
   * namespace only; a ClusterSecretStore, each of its `namespaces`.
   */
  public inNamespace(namespace: string): IExternalSecretStore {
    const v = Validator.forConstruct('ExternalSecretStore', this.node.id);
    const allowed = this.namespaces ?? (this.namespace === undefined ? [] : [this.namespace]);
    if (!allowed.includes(namespace)) {
      const what = this.kind === 'SecretStore' ? `the SecretStore's own namespace (${allowed.join(', ') || 'the chart\'s'})` : `one of the ClusterSecretStore's namespaces (${allowed.join(', ')})`;
      v.fail('namespace', `must be ${what}`, namespace);
    }
    return { storeName: this.storeName, secretValue: (key, property) => this.valueIn(namespace, key, property) };
  }

  /** The remote value `key` (its `property`) as a Secret of the store's namespace (see `SecretValue.fromExternal`). */
  public secretValue(key: string, property?: string): SecretValue {
    if (this.kind === 'ClusterSecretStore') {
      Validator.forFactory('SecretValue.fromExternal').fail('store',
        `must say the namespace of the pods that read the value: ClusterSecretStore '${this.storeName}' serves ${this.namespaces!.join(', ')}; use store.inNamespace(ns)`, this.storeName);
    }
    return this.valueIn(this.namespace, key, property);
  }

  private valueIn(namespace: string | undefined, key: string, property: string | undefined): SecretValue {
    const v = Validator.forFactory('SecretValue.fromExternal');
    checkRemote(v, 'key', key, 2048);
    if (property !== undefined) checkRemote(v, 'property', property, 1024);
    const secretName = secretNameFor(this.storeName, key);
    const secretKey = property === undefined ? 'value' : secretKeyFor(property);
    const id = `${namespace ?? ''}/${secretName}`;
    let remote = this.remote.get(id);
    if (remote === undefined) {
      remote = { data: [] };
      this.remote.set(id, remote);
      this.addExternalSecret(namespace, secretName, remote.data);
    }
    const existing = remote.data.find((d) => d.secretKey === secretKey);
    if (existing === undefined) {
      remote.data.push({ secretKey, remoteRef: { key, property } });
    } else if (existing.remoteRef.property !== property) {
      v.fail('property', `must not map to Secret key '${secretKey}' of '${secretName}', which already holds ${existing.remoteRef.property === undefined ? 'the whole value' : `property '${existing.remoteRef.property}'`} of '${key}'`, property);
    }
    return SecretValue.fromSecret(secretName, secretKey);
  }

  private addExternalSecret(namespace: string | undefined, secretName: string, data: ExternalSecretData[]): void {
    const spec: ExternalSecretSpec = {
      secretStoreRef: { name: this.storeName, kind: this.kind },
      refreshInterval: this.refresh,
      target: { name: secretName, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data,
    };
    new ApiObject(this, `ExternalSecret-${namespace ?? ''}-${secretName}`, {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'ExternalSecret',
      metadata: { name: secretName, namespace, labels: this.labels },
      spec,
    });
  }
}

function refreshSeconds(v: IValidator, interval: Duration | undefined): number {
  const seconds = durationSeconds(v, 'refreshInterval', interval ?? Duration.hours(1));
  if (seconds < 60) v.fail('refreshInterval', 'must be at least one minute (each refresh calls the secret manager, which bills and rate-limits calls)', `${seconds}s`);
  return seconds;
}

function checkClusterWide(v: IValidator, props: ExternalSecretStoreProps): ClusterSecretStoreOptions {
  const cluster = props.clusterWide!;
  if (!cluster || typeof cluster !== 'object') v.fail('clusterWide', 'must be an object with serviceAccountNamespace and namespaces', cluster);
  if (props.team !== undefined || props.namespace !== undefined) {
    v.fail(props.team !== undefined ? 'team' : 'namespace', 'cannot be given with clusterWide (a ClusterSecretStore serves clusterWide.namespaces)', props.team?.teamName ?? props.namespace);
  }
  validateDnsLabel(v, 'clusterWide.serviceAccountNamespace', cluster.serviceAccountNamespace);
  if (!Array.isArray(cluster.namespaces) || cluster.namespaces.length === 0) {
    v.fail('clusterWide.namespaces', 'must list the namespaces that may use the store (each can read every secret its identity can)', cluster.namespaces);
  }
  cluster.namespaces.forEach((ns, i) => {
    validateDnsLabel(v, `clusterWide.namespaces[${i}]`, ns);
    if (cluster.namespaces.indexOf(ns) !== i) v.fail(`clusterWide.namespaces[${i}]`, 'must be listed once', ns);
  });
  return { serviceAccountNamespace: cluster.serviceAccountNamespace, namespaces: [...cluster.namespaces] };
}

function checkRemote(v: IValidator, prop: string, value: string, max: number): void {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max || /[\u0000-\u001f\u007f]/.test(value)) {
    v.fail(prop, `must be a name of at most ${max} characters, on one line`, value);
  }
  rejectNulCharacter(v, prop, value);
}

/**
 * The Secret a remote key is written to: `<store>-<key>`, the key in lower case with other characters than letters,
 * digits and '-' replaced by '-', and a hash of the key when it changed (`prod/MLflow` and `prod-mlflow` differ).
 */
function secretNameFor(store: string, key: string): string {
  const slug = key.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '') || 'secret';
  if (slug === key && store.length + 1 + slug.length <= 253) return `${store}-${slug}`;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `${`${store}-${slug}`.slice(0, 243).replace(/-+$/, '')}-${hash}`;
}

/** A property as a Secret data key: characters a Secret key cannot hold become '_'. */
function secretKeyFor(property: string): string {
  const key = property.replace(/[^-._a-zA-Z0-9]/g, '_').slice(0, 253);
  return key === '.' || key.startsWith('..') ? `_${key.slice(1)}` : key;
}

function nonEmpty(map: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(map).length > 0 ? { ...map } : undefined;
}
