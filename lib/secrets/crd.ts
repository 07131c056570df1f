// The External Secrets Operator kinds (external-secrets.io/v1, ESO v2.9), typed for the fields the library sets.
// Built as plain ApiObjects: classes generated from the store CRDs (690 KB each, every provider's schema) would add
// megabytes to the package (see schemas/SOURCES.md).

/** The API version of ExternalSecret, SecretStore and ClusterSecretStore. */
export const EXTERNAL_SECRETS_API_VERSION = 'external-secrets.io/v1';

/** A ServiceAccount a store authenticates as (ESO requests its tokens). */
export interface ServiceAccountRef {
  readonly name: string;
  /** Only in a ClusterSecretStore. */
  readonly namespace?: string;
}

/** `spec.provider` of a SecretStore, with the workload-identity fields of the four providers the library writes. */
export interface SecretStoreProviderSpec {
  readonly aws?: {
    readonly service: 'SecretsManager';
    readonly region: string;
    readonly auth: { readonly jwt: { readonly serviceAccountRef: ServiceAccountRef } };
  };
  readonly gcpsm?: {
    readonly projectID: string;
    readonly location?: string;
    readonly auth: {
      readonly workloadIdentity: {
        readonly serviceAccountRef: ServiceAccountRef;
        readonly clusterName?: string;
        readonly clusterLocation?: string;
        readonly clusterProjectID?: string;
      };
    };
  };
  readonly vault?: {
    readonly server: string;
    readonly path: string;
    readonly version: 'v1' | 'v2';
    readonly namespace?: string;
    readonly auth: { readonly kubernetes: { readonly mountPath: string; readonly role: string; readonly serviceAccountRef: ServiceAccountRef } };
  };
  readonly azurekv?: {
    readonly vaultUrl: string;
    readonly authType: 'WorkloadIdentity';
    readonly tenantId?: string;
    readonly serviceAccountRef: ServiceAccountRef;
  };
}

/** `spec` of a SecretStore or ClusterSecretStore. */
export interface SecretStoreSpec {
  readonly provider: SecretStoreProviderSpec;
  /** ClusterSecretStore only: the namespaces whose ExternalSecrets may use it. */
  readonly conditions?: Array<{ readonly namespaces: string[] }>;
}

/** One value an ExternalSecret copies: `remoteRef` into the Secret's `secretKey`. */
export interface ExternalSecretData {
  readonly secretKey: string;
  readonly remoteRef: { readonly key: string; readonly property?: string };
}

/** `spec` of an ExternalSecret. */
export interface ExternalSecretSpec {
  readonly secretStoreRef: { readonly name: string; readonly kind: 'SecretStore' | 'ClusterSecretStore' };
  /** A Go duration (`1h`, `15m`). */
  readonly refreshInterval: string;
  readonly target: {
    readonly name: string;
    /** `Owner`: the Secret belongs to the ExternalSecret (garbage-collected with it; others' edits are reverted). */
    readonly creationPolicy: 'Owner';
    /** `Retain`: a value deleted in the manager is kept in the Secret (pods keep starting). */
    readonly deletionPolicy: 'Retain';
  };
  readonly data: ExternalSecretData[];
}

/** A Go duration string for a whole number of seconds (`1h`, `1h30m`, `45s`). */
export function goDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 || seconds === 0 ? `${s}s` : ''}`;
}
