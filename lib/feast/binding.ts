import { SecretValue, VolumeClaim } from '../core';

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
  /** A claim the Feast pods mount. */
  readonly claim?: { claim: VolumeClaim; dir: string };
}
