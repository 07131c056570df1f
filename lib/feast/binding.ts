import { IValidator, SecretValue, validateCidr, VolumeClaim } from '../core';

/** Where a store outside the cluster is reached when no `cidr` is given. */
export const ANY_ADDRESS = '0.0.0.0/0';

/** A store's `cidr` option, checked; every address when not given. */
export function externalCidrOf(v: IValidator, cidr: string | undefined): string {
  return cidr === undefined ? ANY_ADDRESS : validateCidr(v, 'cidr', cidr);
}

/** What a store contributes to the Feast pods: config, secret env, mounts and network reach. */
export interface StoreBinding {
  /** The section of feature_store.yaml. */
  readonly config: unknown;
  /** Secret env the `${...}` references of the section read. */
  readonly secretEnv: Record<string, SecretValue>;
  /** Plain env the Feast client libraries read. */
  readonly env: Record<string, string>;
  /** Ports reached on addresses outside the cluster (managed databases, object storage). */
  readonly externalPorts: number[];
  /** The addresses `externalPorts` are opened to (`0.0.0.0/0` unless the store was given a `cidr`). */
  readonly externalCidr: string;
  /** A claim the Feast pods mount. */
  readonly claim?: { claim: VolumeClaim; dir: string };
}
