// External secrets: what users write. The ESO kinds' typed shapes (crd.ts) stay internal.
export {
  SecretProvider, VaultKvVersion,
  type AwsSecretsManagerOptions, type AzureKeyVaultOptions, type GcpSecretManagerOptions, type GkeClusterOptions, type VaultOptions,
} from './provider';
export { ExternalSecretStore, type ClusterSecretStoreOptions, type ExternalSecretStoreProps } from './external-secret-store';
