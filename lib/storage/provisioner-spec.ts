// What a StorageProvisioner is made of: the StorageClass fields, the capabilities of its volumes and the limits a
// claim must fit. Each cloud's file turns its options into one.
import { IValidator } from '../core/errors';
import { AccessMode } from '../core/volumes';

/** A size limit of the volumes a provisioner can make, checked against each claim. */
export type ClaimCheck = (v: IValidator, prop: string, bytes: number) => void;

/** The parts of a StorageProvisioner, as its factories make them. */
export interface ProvisionerSpec {
  readonly description: string;
  readonly provisioner: string;
  readonly parameters: Record<string, string>;
  readonly accessModes?: AccessMode[];
  readonly topologyConstrained: boolean;
  readonly supportsExpansion: boolean;
  readonly mountOptions?: string[];
  readonly checkClaim?: ClaimCheck;
}
