import { allowBetween, NetworkPort, PodNetworkPolicy, resolveMount, ResolvedMount, SecretUse, SecretValue, Validator } from '../core';
import { FeastStores } from './context';
import { REDIS_PORT } from './online-store';

/**
 * Opens the paths from a Feast pod to the stores: every Feast pod reaches the online store and the registry; the
 * jobs (`withOffline`) also reach the offline store.
 */
export function reachStores(stores: FeastStores, policy: PodNetworkPolicy, withOffline: boolean): void {
  if (stores.redisPolicy) {
    allowBetween(policy, stores.redisPolicy, [{ port: REDIS_PORT }]);
  } else {
    policy.allowToCidr(stores.onlineCidr, toPorts(stores.online.externalPorts));
  }
  // One rule per range: the registry's and the offline store's ports share it when their ranges are the same.
  const byCidr = new Map<string, number[]>();
  for (const store of withOffline ? [stores.registry, stores.offline] : [stores.registry]) {
    if (store.externalPorts.length > 0) byCidr.set(store.externalCidr, [...(byCidr.get(store.externalCidr) ?? []), ...store.externalPorts]);
  }
  for (const [cidr, ports] of byCidr) policy.allowToCidr(cidr, toPorts([...new Set(ports)]));
}

/** The mount of a file registry's claim (none for the other registries). */
export function registryMounts(v: Validator, stores: FeastStores, readOnly: boolean): ResolvedMount[] {
  const claim = stores.registry.claim;
  return claim ? [resolveMount(v, 'registry', { claim: claim.claim, path: claim.dir, readOnly }, readOnly)] : [];
}

function toPorts(ports: number[]): NetworkPort[] {
  return ports.map((port) => ({ port }));
}

/** The Secrets the stores read, for `requiredSecrets`. */
export function storeSecretUses(stores: FeastStores, namespace: string | undefined): SecretUse[] {
  const groups: Array<[string, Record<string, SecretValue>]> = [
    ['the Redis password of the Feast online store', stores.online.secretEnv],
    ['the Feast registry', stores.registry.secretEnv],
    ['the Feast offline store', stores.offline.secretEnv],
  ];
  return groups.flatMap(([purpose, env]) => Object.values(env).map((value) => ({ value, namespace, purpose })));
}
