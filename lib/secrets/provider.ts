import {
  AWS_ROLE_ANNOTATION, AZURE_CLIENT_ID_ANNOTATION, AZURE_TENANT_ID_ANNOTATION, GKE_SERVICE_ACCOUNT_ANNOTATION, validateAzureId,
  validateGcpServiceAccountEmail, validateIamRoleArn,
} from '../core/cloud-identity';
import { IValidator, Validator } from '../core/errors';
import { validateAwsRegion } from '../core/object-store';
import { validateEnum } from '../core/validation';
import { SecretStoreProviderSpec, ServiceAccountRef } from './crd';

/** Options of {@link SecretProvider.awsSecretsManager}. */
export interface AwsSecretsManagerOptions {
  /** The region of the secrets (`eu-west-1`). */
  readonly region: string;
  /**
   * The IAM role the store's ServiceAccount assumes (IRSA: the account is annotated with it). Give the role
   * `secretsmanager:GetSecretValue` on the team's secrets only.
   */
  readonly roleArn: string;
}

/** Where a GKE cluster is, for ESO running outside GKE's metadata server reach. */
export interface GkeClusterOptions {
  /** The cluster's name. */
  readonly name: string;
  /** Its region or zone (`europe-west1`). */
  readonly location: string;
  /**
   * Its project.
   * @default - the secrets' project
   */
  readonly projectId?: string;
}

/** Options of {@link SecretProvider.gcpSecretManager}. */
export interface GcpSecretManagerOptions {
  /** The project of the secrets. */
  readonly projectId: string;
  /** The Google service account the store's ServiceAccount acts as (GKE Workload Identity: it is annotated with it). */
  readonly serviceAccountEmail: string;
  /**
   * The location of regional secrets.
   * @default - global secrets
   */
  readonly location?: string;
  /**
   * The cluster, when ESO cannot read it from the GKE metadata server.
   * @default - read by ESO from the metadata server
   */
  readonly cluster?: GkeClusterOptions;
}

/** The version of a Vault KV secrets engine. */
export enum VaultKvVersion {
  V1 = 'v1',
  V2 = 'v2',
}

/** Options of {@link SecretProvider.vault}. */
export interface VaultOptions {
  /** The Vault address, `https://` (the ServiceAccount token it is sent must not cross the network in clear). */
  readonly server: string;
  /** The Vault role of the Kubernetes auth method bound to the store's ServiceAccount and namespace. */
  readonly role: string;
  /**
   * The mount path of the KV secrets engine.
   * @default 'secret'
   */
  readonly path?: string;
  /**
   * The KV engine version.
   * @default VaultKvVersion.V2
   */
  readonly version?: VaultKvVersion;
  /**
   * The mount path of the Kubernetes auth method.
   * @default 'kubernetes'
   */
  readonly authMountPath?: string;
  /**
   * The Vault Enterprise namespace.
   * @default - none
   */
  readonly namespace?: string;
}

/** Options of {@link SecretProvider.azureKeyVault}. */
export interface AzureKeyVaultOptions {
  /** The vault's URL (`https://ml-secrets.vault.azure.net`). */
  readonly vaultUrl: string;
  /** The client ID of the managed identity (or app registration) federated with the store's ServiceAccount. */
  readonly clientId: string;
  /**
   * The tenant.
   * @default - the cluster's (from the workload identity webhook)
   */
  readonly tenantId?: string;
}

const PATH_SEGMENTS = /^[\w.-]+(\/[\w.-]+)*$/;
const HTTPS_URL = /^https:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?\/?$/;

/**
 * The secret manager of an {@link ExternalSecretStore}, authenticated with the platform's workload identity: the
 * store's ServiceAccount is mapped to a cloud identity (or a Vault role), so no static credential exists anywhere.
 */
export class SecretProvider {
  /** AWS Secrets Manager, through IRSA. */
  public static awsSecretsManager(options: AwsSecretsManagerOptions): SecretProvider {
    const v = Validator.forFactory('SecretProvider.awsSecretsManager');
    checkOptions(v, options, 'region and roleArn');
    validateAwsRegion(v, 'region', options.region);
    validateIamRoleArn(v, 'roleArn', options.roleArn);
    return new SecretProvider('AWS Secrets Manager', { [AWS_ROLE_ANNOTATION]: options.roleArn },
      (sa) => ({ aws: { service: 'SecretsManager', region: options.region, auth: { jwt: { serviceAccountRef: sa } } } }));
  }

  /** Google Secret Manager, through GKE Workload Identity. */
  public static gcpSecretManager(options: GcpSecretManagerOptions): SecretProvider {
    const v = Validator.forFactory('SecretProvider.gcpSecretManager');
    checkOptions(v, options, 'projectId and serviceAccountEmail');
    checkProject(v, 'projectId', options.projectId);
    validateGcpServiceAccountEmail(v, 'serviceAccountEmail', options.serviceAccountEmail);
    if (options.location !== undefined) checkLocation(v, 'location', options.location);
    const cluster = options.cluster;
    if (cluster !== undefined) {
      if (!cluster || typeof cluster !== 'object') v.fail('cluster', 'must be an object with name and location', cluster);
      if (typeof cluster.name !== 'string' || !/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/.test(cluster.name)) v.fail('cluster.name', 'must be a GKE cluster name', cluster.name);
      checkLocation(v, 'cluster.location', cluster.location);
      if (cluster.projectId !== undefined) checkProject(v, 'cluster.projectId', cluster.projectId);
    }
    return new SecretProvider('Google Secret Manager', { [GKE_SERVICE_ACCOUNT_ANNOTATION]: options.serviceAccountEmail }, (sa) => ({
      gcpsm: {
        projectID: options.projectId,
        location: options.location,
        auth: {
          workloadIdentity: {
            serviceAccountRef: sa,
            clusterName: cluster?.name,
            clusterLocation: cluster?.location,
            clusterProjectID: cluster === undefined ? undefined : (cluster.projectId ?? options.projectId),
          },
        },
      },
    }));
  }

  /** HashiCorp Vault's KV engine, through its Kubernetes auth method (the store's ServiceAccount token). */
  public static vault(options: VaultOptions): SecretProvider {
    const v = Validator.forFactory('SecretProvider.vault');
    checkOptions(v, options, 'server and role');
    if (typeof options.server !== 'string' || !HTTPS_URL.test(options.server)) {
      v.fail('server', 'must be an https:// URL with a host and optional port (the ServiceAccount token is sent to it)', options.server);
    }
    if (typeof options.role !== 'string' || !/^[\w.-]{1,128}$/.test(options.role)) v.fail('role', 'must be a Vault role name (letters, digits, \'_\', \'-\', \'.\')', options.role);
    const path = options.path ?? 'secret';
    const authMountPath = options.authMountPath ?? 'kubernetes';
    for (const [prop, value] of [['path', path], ['authMountPath', authMountPath], ['namespace', options.namespace ?? 'root']] as const) {
      if (typeof value !== 'string' || !PATH_SEGMENTS.test(value)) v.fail(prop, 'must be a Vault path (segments of letters, digits, \'_\', \'-\', \'.\' joined by \'/\')', value);
    }
    const version = validateEnum(v, 'version', options.version ?? VaultKvVersion.V2, VaultKvVersion, 'VaultKvVersion');
    return new SecretProvider('Vault', {}, (sa) => ({
      vault: {
        server: options.server, path, version, namespace: options.namespace,
        auth: { kubernetes: { mountPath: authMountPath, role: options.role, serviceAccountRef: sa } },
      },
    }));
  }

  /** Azure Key Vault, through Azure Workload Identity. */
  public static azureKeyVault(options: AzureKeyVaultOptions): SecretProvider {
    const v = Validator.forFactory('SecretProvider.azureKeyVault');
    checkOptions(v, options, 'vaultUrl and clientId');
    if (typeof options.vaultUrl !== 'string' || !HTTPS_URL.test(options.vaultUrl)) {
      v.fail('vaultUrl', 'must be the vault\'s https:// URL such as \'https://ml-secrets.vault.azure.net\'', options.vaultUrl);
    }
    validateAzureId(v, 'clientId', options.clientId);
    if (options.tenantId !== undefined) validateAzureId(v, 'tenantId', options.tenantId);
    const annotations: Record<string, string> = { [AZURE_CLIENT_ID_ANNOTATION]: options.clientId };
    if (options.tenantId !== undefined) annotations[AZURE_TENANT_ID_ANNOTATION] = options.tenantId;
    return new SecretProvider('Azure Key Vault', annotations,
      (sa) => ({ azurekv: { vaultUrl: options.vaultUrl, authType: 'WorkloadIdentity', tenantId: options.tenantId, serviceAccountRef: sa } }));
  }

  private constructor(
    /** The secret manager, for messages and docs. */
    public readonly description: string,
    /** @internal the workload identity annotations of the store's ServiceAccount */
    public readonly _serviceAccountAnnotations: Record<string, string>,
    /** @internal the `spec.provider` of a store that authenticates as `serviceAccount` */
    public readonly _spec: (serviceAccount: ServiceAccountRef) => SecretStoreProviderSpec,
  ) {}
}

function checkOptions(v: IValidator, options: unknown, required: string): void {
  if (!options || typeof options !== 'object') v.fail('options', `must be an object with ${required}`, options);
}

function checkProject(v: IValidator, prop: string, project: string): void {
  if (typeof project !== 'string' || !/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(project)) v.fail(prop, 'must be a Google Cloud project ID such as \'acme-ml\'', project);
}

function checkLocation(v: IValidator, prop: string, location: string): void {
  if (typeof location !== 'string' || !/^[a-z]+-[a-z]+\d(-[a-z])?$/.test(location)) v.fail(prop, 'must be a Google Cloud region or zone such as \'europe-west1\'', location);
}
