// The identifiers of the clouds' workload identities, checked once for every construct that annotates a
// ServiceAccount with one (MLflow's artifact credentials, external secret stores).
import { IValidator } from './errors';

/** The ServiceAccount annotation of EKS IAM roles for service accounts (IRSA). */
export const AWS_ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';
/** The ServiceAccount annotation of GKE Workload Identity. */
export const GKE_SERVICE_ACCOUNT_ANNOTATION = 'iam.gke.io/gcp-service-account';
/** The ServiceAccount annotations of Azure Workload Identity. */
export const AZURE_CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';
export const AZURE_TENANT_ID_ANNOTATION = 'azure.workload.identity/tenant-id';

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const GCP_SERVICE_ACCOUNT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks an IAM role ARN (`arn:aws:iam::123456789012:role/mlflow`). */
export function validateIamRoleArn(v: IValidator, prop: string, roleArn: string): string {
  if (typeof roleArn !== 'string' || !IAM_ROLE_ARN.test(roleArn)) {
    v.fail(prop, 'must be an IAM role ARN such as \'arn:aws:iam::123456789012:role/mlflow\'', roleArn);
  }
  return roleArn;
}

/** Checks a Google service account e-mail (`mlflow@my-project.iam.gserviceaccount.com`). */
export function validateGcpServiceAccountEmail(v: IValidator, prop: string, email: string): string {
  if (typeof email !== 'string' || !GCP_SERVICE_ACCOUNT.test(email)) {
    v.fail(prop, 'must be a Google service account e-mail such as \'mlflow@my-project.iam.gserviceaccount.com\'', email);
  }
  return email;
}

/** Checks an Azure client or tenant ID (a GUID). */
export function validateAzureId(v: IValidator, prop: string, id: string): string {
  if (typeof id !== 'string' || !UUID.test(id)) v.fail(prop, 'must be a GUID such as \'00000000-0000-0000-0000-000000000000\'', id);
  return id;
}
