// A team's share of the cluster: the ResourceQuota of each namespace (every accelerator kind, not only whole GPUs)
// and the LimitRange that gives containers without requests a size.
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator, acceleratorResourceNames } from '../core/accelerator';
import { IValidator } from '../core/errors';
import { childName } from '../core/labels';
import { QuantityInput, validateInteger, validateQuantity } from '../core/validation';


/** A quota on one kind of accelerator other than whole NVIDIA GPUs. */
export interface AcceleratorQuota {
  /**
   * The kind of device, as workloads request it: `Accelerator.mig('1g.10gb')`, `Accelerator.sharedGpu()`,
   * `Accelerator.amdGpu()` or `Accelerator.tpu({...})`. Only its extended resource counts, not its per-pod count.
   */
  readonly accelerator: Accelerator;
  /** Devices (MIG slices, GPU shares, AMD GPUs, TPU chips) requested at once; 0 forbids them. */
  readonly count: number;
}

/**
 * The ResourceQuota of each team namespace (a team with two namespaces may use it twice; the ClusterQueue, when the
 * team has one, caps queued workloads across all of them). Omitted fields are not limited, except accelerators,
 * LoadBalancers and NodePorts (0).
 */
export interface TeamQuota {
  /** Whole NVIDIA GPUs requested at once (`requests.nvidia.com/gpu`); 0 forbids them. */
  readonly gpus: number;
  /**
   * Quotas on MIG slices, shared GPUs, AMD GPUs and TPU chips (`requests.<resource>`). Every accelerator resource the
   * library knows that is not listed gets a quota of 0, so a team cannot get around `gpus` with another kind of
   * device (a MIG node advertises `nvidia.com/mig-*`, not `nvidia.com/gpu`).
   * @default - none of them allowed
   */
  readonly accelerators?: AcceleratorQuota[];
  /**
   * CPU cores (`requests.cpu` and `limits.cpu`).
   * @default - not limited (required when the team has a ClusterQueue)
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory (`requests.memory` and `limits.memory`).
   * @default - not limited (required when the team has a ClusterQueue)
   */
  readonly memory?: QuantityInput;
  /**
   * Storage requested by claims (`requests.storage`).
   * @default - not limited
   */
  readonly storage?: QuantityInput;
  /**
   * Number of PersistentVolumeClaims.
   * @default - not limited
   */
  readonly persistentVolumeClaims?: number;
  /**
   * Number of pods.
   * @default - not limited
   */
  readonly pods?: number;
  /**
   * Number of Jobs (`count/jobs.batch`).
   * @default - not limited
   */
  readonly jobs?: number;
  /**
   * Number of Services.
   * @default - not limited
   */
  readonly services?: number;
  /**
   * Number of ConfigMaps.
   * @default - not limited
   */
  readonly configMaps?: number;
  /**
   * Number of Secrets.
   * @default - not limited
   */
  readonly secrets?: number;
  /**
   * Number of LoadBalancer Services (each one is a public address).
   * @default 0
   */
  readonly loadBalancers?: number;
  /**
   * Node ports (`services.nodeports`): the API server counts one for each port of a NodePort Service and of a
   * LoadBalancer Service (each one opens a port on every node), so LoadBalancers need node ports too.
   * @default 0
   */
  readonly nodePorts?: number;
}

/** Defaults the LimitRange gives containers that set no requests or limits. */
export interface TeamLimitDefaults {
  /**
   * CPU request and limit of a container without one.
   * @default '1'
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory request and limit of a container without one.
   * @default '2Gi'
   */
  readonly memory?: QuantityInput;
}

/** The ResourceQuota `hard` map of a team. */
export function quotaHard(v: IValidator, input: TeamQuota): Record<string, k8s.Quantity> {
  if (!input || typeof input !== 'object') v.fail('quota', 'must be an object with at least gpus', input);
  const hard: Record<string, k8s.Quantity> = {};
  const q = (value: string) => k8s.Quantity.fromString(value);
  hard['requests.nvidia.com/gpu'] = q(String(validateInteger(v, 'quota.gpus', input.gpus, 0)));
  const devices = acceleratorCounts(v, input.accelerators);
  for (const resource of acceleratorResourceNames().filter((r) => r !== 'nvidia.com/gpu')) {
    hard[`requests.${resource}`] = q(String(devices.get(resource) ?? 0));
  }
  if (input.cpu !== undefined) {
    const cpu = validateQuantity(v, 'quota.cpu', input.cpu);
    hard['requests.cpu'] = q(cpu);
    hard['limits.cpu'] = q(cpu);
  }
  if (input.memory !== undefined) {
    const memory = validateQuantity(v, 'quota.memory', input.memory);
    hard['requests.memory'] = q(memory);
    hard['limits.memory'] = q(memory);
  }
  if (input.storage !== undefined) hard['requests.storage'] = q(validateQuantity(v, 'quota.storage', input.storage));
  const counts: Array<[keyof TeamQuota, string, number | undefined]> = [
    ['persistentVolumeClaims', 'persistentvolumeclaims', undefined],
    ['pods', 'pods', undefined],
    ['jobs', 'count/jobs.batch', undefined],
    ['services', 'services', undefined],
    ['configMaps', 'configmaps', undefined],
    ['secrets', 'secrets', undefined],
    ['loadBalancers', 'services.loadbalancers', 0],
    ['nodePorts', 'services.nodeports', 0],
  ];
  for (const [prop, key, fallback] of counts) {
    const value = (input[prop] as number | undefined) ?? fallback;
    if (value !== undefined) hard[key] = q(String(validateInteger(v, `quota.${prop}`, value, 0)));
  }
  return hard;
}

/** The quota of each accelerator resource the team lists (`quota.accelerators`), by resource name. */
export function acceleratorCounts(v: IValidator, quotas: AcceleratorQuota[] | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  if (quotas !== undefined && !Array.isArray(quotas)) v.fail('quota.accelerators', 'must be a list of { accelerator, count }', quotas);
  (quotas ?? []).forEach((entry, i) => {
    const prop = `quota.accelerators[${i}]`;
    if (!(entry?.accelerator instanceof Accelerator)) {
      v.fail(`${prop}.accelerator`, 'must be made with Accelerator.mig(...), .sharedGpu(), .amdGpu() or .tpu(...)', entry?.accelerator);
    }
    const resource = entry.accelerator.resourceName;
    if (resource === 'nvidia.com/gpu') v.fail(`${prop}.accelerator`, 'must not be whole NVIDIA GPUs: set quota.gpus', entry.accelerator.description);
    if (!acceleratorResourceNames().includes(resource)) {
      v.fail(`${prop}.accelerator`, 'must request a device the device plugin advertises', resource || entry.accelerator.description);
    }
    if (counts.has(resource)) v.fail(`${prop}.accelerator`, 'must be listed once per resource', resource);
    counts.set(resource, validateInteger(v, `${prop}.count`, entry.count, 0));
  });
  return counts;
}

/** The container defaults of a team's LimitRange (its request and limit alike), by resource. */
export type LimitDefaultQuantities = Record<'cpu' | 'memory', k8s.Quantity>;

/** Checks `limitDefaults` and applies its defaults (cpu 1, memory 2Gi). */
export function limitDefaults(v: IValidator, input: TeamLimitDefaults | undefined): LimitDefaultQuantities {
  const limits = input ?? {};
  return {
    cpu: k8s.Quantity.fromString(validateQuantity(v, 'limitDefaults.cpu', limits.cpu ?? '1')),
    memory: k8s.Quantity.fromString(validateQuantity(v, 'limitDefaults.memory', limits.memory ?? '2Gi')),
  };
}

/** The ResourceQuota and LimitRange of one team namespace. */
export function addQuotaAndLimits(scope: Construct, teamName: string, namespace: string, labels: Record<string, string>,
  hard: Record<string, k8s.Quantity>, defaults: LimitDefaultQuantities): void {
  new k8s.KubeResourceQuota(scope, 'Quota', { metadata: { name: childName(teamName, 'quota'), namespace, labels }, spec: { hard } });
  new k8s.KubeLimitRange(scope, 'LimitRange', {
    metadata: { name: childName(teamName, 'limits'), namespace, labels },
    spec: { limits: [{ type: 'Container', default: defaults, defaultRequest: defaults }] },
  });
}
