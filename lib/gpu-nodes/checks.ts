// The checks at synth between GpuNodeSetup and the workloads of the same app: every NVIDIA resource a workload
// requests must be one that some node configuration advertises (a shared GPU needs a shared, renamed
// configuration; a MIG profile needs the mixed strategy and a declared GPU model that offers it; whole GPUs need a
// configuration that does not share them), and nothing else may be put in the setup's privileged namespace.
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { GpuModel, migResourceName } from '../core/accelerator';
import { MlopsValidationError } from '../core/errors';
import { GpuSharingStrategy, MigStrategy, NamedGpuNodeConfig } from './sharing';

/** What the checks need of the setup. */
export interface CheckedSetup {
  readonly subject: string;
  readonly namespace: string;
  readonly configs: readonly NamedGpuNodeConfig[];
  readonly gpuModels: readonly GpuModel[];
  /** The setup construct: its own objects are skipped. */
  readonly construct: IConstruct;
}

/** One request of an NVIDIA resource by one container (or container-like object) of one workload. */
interface GpuRequest {
  readonly workload: string;
  readonly resource: string;
  readonly count: number;
}

const SHARED = 'nvidia.com/gpu.shared';
const WHOLE = 'nvidia.com/gpu';

/** Every mismatch between the setup and the other objects of the app, as messages. */
export function checkWorkloads(setup: CheckedSetup, root: IConstruct): string[] {
  const errors = new Set<string>();
  const fail = (prop: string, requirement: string, value: unknown) => errors.add(new MlopsValidationError(setup.subject, prop, requirement, value).message);
  for (const child of root.node.findAll()) {
    if (!(child instanceof ApiObject) || isWithin(child, setup.construct)) continue;
    const json = child.toJson();
    const workload = child.node.scope?.node.path ?? child.node.path;
    if (json?.metadata?.namespace === setup.namespace) {
      fail('namespace', `must hold only the node software: ${workload} puts ${json.kind} '${json.metadata?.name}' in it`, setup.namespace);
    }
    for (const request of gpuRequests(workload, json)) checkRequest(setup, request, fail);
  }
  return [...errors];
}

function checkRequest(setup: CheckedSetup, request: GpuRequest, fail: (prop: string, requirement: string, value: unknown) => void): void {
  const { configs } = setup;
  const at = `${request.workload} requests ${request.count} ${request.resource}`;
  if (request.resource === SHARED) {
    const sharing = configs.filter((c) => c.sharing.resourceName === SHARED);
    if (sharing.length === 0) {
      fail('sharing', `must advertise nvidia.com/gpu.shared in some configuration (GpuSharing.timeSlicing() or .mps() with renameByDefault): ${at} (Accelerator.sharedGpu())`, configSummary(configs));
    } else if (request.count > 1 && sharing.every((c) => c.sharing.failRequestsGreaterThanOne)) {
      fail('sharing', `must allow more than one share per container (failRequestsGreaterThanOne: false) for ${at}: the pod would fail with UnexpectedAdmissionError`, configSummary(sharing));
    }
  } else if (request.resource === WHOLE) {
    checkWholeGpus(configs, request, at, fail);
  } else if (request.resource.startsWith('nvidia.com/mig-')) {
    const mixed = configs.filter((c) => c.migStrategy === MigStrategy.MIXED);
    if (mixed.length === 0) {
      fail('migStrategy', `must be MigStrategy.MIXED in some configuration (nodeConfigs) for ${at} (Accelerator.mig()): only the mixed strategy advertises MIG profiles`, configSummary(configs));
    } else if (!setup.gpuModels.some((m) => m.migProfiles.some((p) => migResourceName(p) === request.resource))) {
      fail('gpuModels', `must include a GPU model that offers the MIG profile of ${at}`, setup.gpuModels.map((m) => m.name));
    }
  }
}

/**
 * Whole GPUs: a configuration must advertise `nvidia.com/gpu` (with `renameByDefault` a shared configuration
 * advertises only `nvidia.com/gpu.shared`), and where every one that does shares it, a pod asking for more than one
 * gets shares, not GPUs (or fails, with failRequestsGreaterThanOne).
 */
function checkWholeGpus(configs: readonly NamedGpuNodeConfig[], request: GpuRequest, at: string, fail: (prop: string, requirement: string, value: unknown) => void): void {
  const advertising = configs.filter((c) => c.sharing.resourceName === WHOLE);
  if (advertising.length === 0) {
    fail('sharing', `must leave whole GPUs (nvidia.com/gpu) in some configuration (GpuSharing.none() in nodeConfigs) for ${at}: every configuration advertises only shares`, configSummary(configs));
  } else if (request.count > 1 && advertising.every((c) => c.sharing.strategy !== GpuSharingStrategy.NONE)) {
    fail('sharing', `must leave whole GPUs (nvidia.com/gpu) in some configuration for ${at}: where nvidia.com/gpu is shared (renameByDefault: false) the pod gets ${request.count} shares, possibly of one GPU, or fails with failRequestsGreaterThanOne`, configSummary(advertising));
  }
}

/** The configurations, for messages: `default: timeSlicing x4 as nvidia.com/gpu.shared, mig: none/mixed`. */
function configSummary(configs: readonly NamedGpuNodeConfig[]): string {
  return configs.map((c) => {
    const sharing = c.sharing.strategy === GpuSharingStrategy.NONE ? 'no sharing' : `${c.sharing.strategy} x${c.sharing.replicas} as ${c.sharing.resourceName}`;
    return `${c.name}: ${sharing}, MIG ${c.migStrategy}`;
  }).join('; ');
}

/** The NVIDIA resources requested anywhere in an object: every `resources.limits` (containers, KServe models...). */
function gpuRequests(workload: string, json: unknown): GpuRequest[] {
  const found: GpuRequest[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const limits = (node as { resources?: { limits?: unknown } }).resources?.limits;
    if (limits !== null && typeof limits === 'object' && !Array.isArray(limits)) {
      for (const [resource, quantity] of Object.entries(limits)) {
        if (resource.startsWith('nvidia.com/')) found.push({ workload, resource, count: Number(quantity) });
      }
    }
    Object.values(node).forEach(visit);
  };
  visit(json);
  return found;
}

function isWithin(child: IConstruct, ancestor: IConstruct): boolean {
  return child.node.scopes.includes(ancestor);
}
