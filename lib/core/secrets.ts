import { Validator } from './errors';
import { validateDnsSubdomain } from './validation';

/**
 * A value held in a Kubernetes Secret that the user (or an external secrets operator) creates. The library only
 * ever references it (`secretKeyRef`, mounted secret files), so the value never appears in a manifest.
 */
export class SecretValue {
  /**
   * The value under `key` in the Secret `secretName` (in the workload's namespace).
   * @param secretName the Secret's name, a DNS-1123 subdomain
   * @param key the key in the Secret's data
   */
  public static fromSecret(secretName: string, key: string): SecretValue {
    const v = Validator.forFactory('SecretValue.fromSecret');
    validateDnsSubdomain(v, 'secretName', secretName);
    // validation.IsConfigMapKey, which the apiserver applies to secretKeyRef keys and Secret volume items.
    if (typeof key !== 'string' || !/^[-._a-zA-Z0-9]{1,253}$/.test(key) || key === '.' || key.startsWith('..')) {
      v.fail('key', 'must be a Secret data key (letters, digits, \'-\', \'_\' and \'.\'; not \'.\' and not starting with \'..\')', key);
    }
    return new SecretValue(secretName, key);
  }

  /**
   * A value held in a secret manager (AWS Secrets Manager, Google Secret Manager, Vault, Azure Key Vault): the
   * store's ExternalSecret writes it into a Secret of the store's namespace, which the pods reference like any
   * other. Nothing of the value is in a manifest.
   * @param store the store, made with `ExternalSecretStore` (a cluster-wide store: `store.inNamespace(ns)`)
   * @param key the secret's name or path in the manager (`prod/mlflow/db`)
   * @param property a field of a JSON (or Vault KV) secret; without it, the whole value
   */
  public static fromExternal(store: IExternalSecretStore, key: string, property?: string): SecretValue {
    const v = Validator.forFactory('SecretValue.fromExternal');
    if (!store || typeof store !== 'object' || typeof store.secretValue !== 'function') {
      v.fail('store', 'must be made with new ExternalSecretStore(...) (or its inNamespace(ns))', store);
    }
    return store.secretValue(key, property);
  }

  private constructor(
    /** The Secret's name. */
    public readonly secretName: string,
    /** The key in the Secret's data. */
    public readonly key: string,
  ) {}

  /** The env var source that reads this value. */
  public toEnvSource(): { secretKeyRef: { name: string; key: string } } {
    return { secretKeyRef: { name: this.secretName, key: this.key } };
  }
}

/** A secret manager the library reads values from through ExternalSecrets (see `ExternalSecretStore`). */
export interface IExternalSecretStore {
  /** The name of the SecretStore or ClusterSecretStore. */
  readonly storeName: string;
  /**
   * The remote value `key` (`property` of it) as a Secret of the store's namespace, written by an ExternalSecret
   * (one per remote key; each property a key of the Secret).
   */
  secretValue(key: string, property?: string): SecretValue;
}

/** A Secret the user must create before applying the manifests, as constructs document them. */
export interface RequiredSecret {
  /** The Secret's name. */
  readonly name: string;
  /** Its namespace, if known. */
  readonly namespace?: string;
  /** The keys it must hold. */
  readonly keys: string[];
  /** What it is for. */
  readonly purpose: string;
}

/** The `kubectl create secret generic` line that creates `secret` (values left for the user to fill in). */
export function createSecretCommand(secret: RequiredSecret): string {
  const ns = secret.namespace ? ` -n ${secret.namespace}` : '';
  const literals = secret.keys.map((key) => ` --from-literal=${key}=...`).join('');
  return `kubectl create secret generic ${secret.name}${ns}${literals}`;
}

/** One use of a Secret value, for {@link requiredSecretsOf}. */
export interface SecretUse {
  /** The value read. */
  readonly value: SecretValue;
  /** The namespace of the pods that read it (Secrets are read from the pod's own namespace). */
  readonly namespace?: string;
  /** What it is for. */
  readonly purpose: string;
}

/**
 * The Secrets a set of references needs, one entry per Secret and namespace with all its keys (in first-use
 * order) and the purposes joined.
 */
export function requiredSecretsOf(uses: SecretUse[]): RequiredSecret[] {
  const byName = new Map<string, { name: string; namespace?: string; keys: string[]; purposes: string[] }>();
  for (const use of uses) {
    const id = `${use.namespace ?? ''}/${use.value.secretName}`;
    const entry = byName.get(id) ?? { name: use.value.secretName, namespace: use.namespace, keys: [], purposes: [] };
    if (!entry.keys.includes(use.value.key)) entry.keys.push(use.value.key);
    if (!entry.purposes.includes(use.purpose)) entry.purposes.push(use.purpose);
    byName.set(id, entry);
  }
  return [...byName.values()].map((e) => ({ name: e.name, namespace: e.namespace, keys: e.keys, purpose: e.purposes.join('; ') }));
}
