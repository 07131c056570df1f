// NFS: a provisioner that makes a sub-directory of an export per claim, and the checks of server and export path
// that existing NFS volumes (PersistentVolumeSource.nfs) share.
import { IValidator, Validator } from '../core/errors';
import { validateHost } from '../core/validation';
import { SHARED_MODES } from './access-modes';
import { ProvisionerSpec } from './provisioner-spec';

/** Options of {@link StorageProvisioner.nfs}. */
export interface NfsProvisionerOptions {
  /** The NFS server's host name or IP. */
  readonly server: string;
  /** The exported directory under which each claim gets a sub-directory. */
  readonly share: string;
  /**
   * NFS mount options, e.g. `['nfsvers=4.1', 'hard']`.
   * @default - the node's defaults
   */
  readonly mountOptions?: string[];
}

/** An NFS server (see StorageProvisioner.nfs). */
export function nfsSpec(options: NfsProvisionerOptions): ProvisionerSpec {
  const v = Validator.forFactory('StorageProvisioner.nfs');
  validateHost(v, 'server', options?.server);
  validateExportPath(v, 'share', options.share);
  return {
    description: 'NFS',
    provisioner: 'nfs.csi.k8s.io',
    parameters: { server: options.server, share: options.share },
    accessModes: SHARED_MODES,
    topologyConstrained: false,
    supportsExpansion: false,
    mountOptions: options.mountOptions,
  };
}


/** Checks an NFS export path: absolute, without `..` or spaces. */
export function validateExportPath(v: IValidator, prop: string, path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/') || path.split('/').includes('..') || /\s/.test(path)) {
    v.fail(prop, 'must be an absolute export path without \'..\' or spaces', path);
  }
}
