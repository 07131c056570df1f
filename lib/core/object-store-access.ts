import { ObjectStoreEndpoint } from './object-store';
import { PodNetworkPolicy } from './network';
import { SecretValue } from './secrets';

/**
 * How another construct's pods reach an S3-compatible store that a platform owns (MlflowPlatform's MinIO or S3
 * bucket): the bucket, the endpoint, the credentials as Secret references, and the network path. A pipeline keeps
 * its artifacts there (`ArtifactRepository.fromMlflow`).
 */
export interface IObjectStoreAccess {
  /** The store's URL (`s3://bucket/prefix`), for messages. */
  readonly url: string;
  readonly bucket: string;
  /** A key prefix inside the bucket, if the platform uses one. */
  readonly keyPrefix?: string;
  /** The endpoint; undefined for AWS S3. */
  readonly endpoint?: ObjectStoreEndpoint;
  readonly region?: string;
  /** Access keys, when the store uses them (not with workload identity). */
  readonly accessKeyId?: SecretValue;
  readonly secretAccessKey?: SecretValue;
  /** Opens the path from the pods of `client` to the store (and, for an in-cluster store, into it). */
  allowClient(client: PodNetworkPolicy): void;
}
