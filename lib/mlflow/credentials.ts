import { SecretValue, Validator } from '../core';
import { AWS_ROLE_ANNOTATION, GKE_SERVICE_ACCOUNT_ANNOTATION, validateGcpServiceAccountEmail, validateIamRoleArn } from '../core/cloud-identity';
import { checkSecret } from './checks';

/** How the tracking server authenticates to object storage. */
export class ArtifactCredentials {
  /** An access key pair in Secrets (AWS, or any S3-compatible store). */
  public static accessKeys(accessKeyId: SecretValue, secretAccessKey: SecretValue): ArtifactCredentials {
    const v = Validator.forFactory('ArtifactCredentials.accessKeys');
    checkSecret(v, 'accessKeyId', accessKeyId);
    checkSecret(v, 'secretAccessKey', secretAccessKey);
    return new ArtifactCredentials({ AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey }, {}, [], undefined);
  }

  /** EKS IAM roles for service accounts: the server's ServiceAccount is annotated with the role. */
  public static awsIamRole(roleArn: string): ArtifactCredentials {
    validateIamRoleArn(Validator.forFactory('ArtifactCredentials.awsIamRole'), 'roleArn', roleArn);
    // STS is reached over HTTPS, which the object-storage egress already allows.
    return new ArtifactCredentials({}, { [AWS_ROLE_ANNOTATION]: roleArn }, [], undefined);
  }

  /** GKE Workload Identity: the server's ServiceAccount is annotated with the Google service account. */
  public static gkeWorkloadIdentity(serviceAccountEmail: string): ArtifactCredentials {
    validateGcpServiceAccountEmail(Validator.forFactory('ArtifactCredentials.gkeWorkloadIdentity'), 'serviceAccountEmail', serviceAccountEmail);
    // Tokens come from the GKE metadata server (169.254.169.254:80; 169.254.169.252:988 with Dataplane V2).
    return new ArtifactCredentials({}, { [GKE_SERVICE_ACCOUNT_ANNOTATION]: serviceAccountEmail }, [
      { cidr: '169.254.169.254/32', port: 80 }, { cidr: '169.254.169.252/32', port: 988 },
    ], undefined);
  }

  /** A Google service account key (JSON) in a Secret, mounted as a file for `GOOGLE_APPLICATION_CREDENTIALS`. */
  public static gcpServiceAccountKey(key: SecretValue): ArtifactCredentials {
    checkSecret(Validator.forFactory('ArtifactCredentials.gcpServiceAccountKey'), 'key', key);
    return new ArtifactCredentials({}, {}, [], key);
  }

  private constructor(
    /** @internal env vars read from Secrets */
    public readonly _env: Record<string, SecretValue>,
    /** @internal ServiceAccount annotations */
    public readonly _serviceAccountAnnotations: Record<string, string>,
    /** @internal extra egress (metadata servers) */
    public readonly _egress: Array<{ cidr: string; port: number }>,
    /** @internal a key file to mount */
    public readonly _keyFile: SecretValue | undefined,
  ) {}
}
