// Any other CSI driver, with its own parameters and what the caller says it can do.
import { Validator } from '../core/errors';
import { AccessMode } from '../core/volumes';
import { ProvisionerSpec } from './provisioner-spec';

/** Options of {@link StorageProvisioner.custom}. */
export interface CustomProvisionerOptions {
  /** The CSI driver name (`provisioner` of the StorageClass), e.g. `cephfs.csi.ceph.com`. */
  readonly provisioner: string;
  /**
   * The driver's StorageClass parameters.
   * @default - none
   */
  readonly parameters?: Record<string, string>;
  /**
   * The access modes the driver can provide; claims asking for others are refused.
   * @default - not checked
   */
  readonly accessModes?: AccessMode[];
  /**
   * Volumes are tied to a zone (or node), so provisioning waits for the first pod.
   * @default true
   */
  readonly topologyConstrained?: boolean;
  /**
   * The driver can grow volumes.
   * @default false
   */
  readonly supportsExpansion?: boolean;
  /**
   * Mount options of the class.
   * @default - none
   */
  readonly mountOptions?: string[];
}

/** The CSI drivers that replaced the in-tree provisioners removed from Kubernetes. */
const REMOVED_IN_TREE: Record<string, string> = {
  'kubernetes.io/aws-ebs': 'ebs.csi.aws.com',
  'kubernetes.io/gce-pd': 'pd.csi.storage.gke.io',
  'kubernetes.io/azure-disk': 'disk.csi.azure.com',
  'kubernetes.io/azure-file': 'file.csi.azure.com',
  'kubernetes.io/cinder': 'cinder.csi.openstack.org',
};

/** Any other CSI driver (see StorageProvisioner.custom). */
export function customSpec(options: CustomProvisionerOptions): ProvisionerSpec {
  const v = Validator.forFactory('StorageProvisioner.custom');
  const name = options?.provisioner;
  if (typeof name === 'string' && REMOVED_IN_TREE[name] !== undefined) {
    v.fail('provisioner', `must be a CSI driver, not an in-tree provisioner removed from Kubernetes (use '${REMOVED_IN_TREE[name]}')`, name);
  }
  // A CSI driver name (a DNS subdomain) or a prefixed name such as `kubernetes.io/no-provisioner` (local volumes).
  if (typeof name !== 'string' || name.length > 253 || !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9_.]*[a-z0-9])?)?$/.test(name)) {
    v.fail('provisioner', 'must be a CSI driver name such as \'cephfs.csi.ceph.com\'', name);
  }
  for (const [key, value] of Object.entries(options.parameters ?? {})) {
    if (typeof value !== 'string') v.fail(`parameters.${key}`, 'must be a string', value);
  }
  return {
    description: name,
    provisioner: name,
    parameters: { ...options.parameters },
    accessModes: options.accessModes,
    topologyConstrained: options.topologyConstrained ?? true,
    supportsExpansion: options.supportsExpansion ?? false,
    mountOptions: options.mountOptions,
  };
}
