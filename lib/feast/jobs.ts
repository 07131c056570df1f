import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import {
  checkMounts, childName, DeployPhase, jobRunSpec, PodBuilder, PodNetworkPolicy, QuantityInput, resolveMount, selectorLabels, setDeployPhase,
} from '../core';
import { CONFIG_FILE, configMounts, configVolumes, withRenderedConfig } from './config';
import { FeastContext } from './context';
import { FeatureRepository } from './feature-repository';
import { reachStores, registryMounts } from './stores';

/** One of the Feast jobs: `feast apply`, or the scheduled materialization. */
export interface FeastJob {
  /** The component label and the name suffix of its objects. */
  readonly component: 'apply' | 'materialize';
  /** The prefix of its construct ids (`ApplyServiceAccount`, `ApplyNetworkPolicy`). */
  readonly id: 'Apply' | 'Materialize';
  readonly command: string[];
  readonly resources: { cpu: QuantityInput; memory: QuantityInput };
  /** The feature definitions, if any: their image runs the job, and a claim holding them is mounted. */
  readonly repo?: FeatureRepository;
}

/**
 * The pod of a Feast job, with what surrounds it: its own ServiceAccount (no token, no RBAC: the jobs never call
 * the Kubernetes API) and a NetworkPolicy that reaches every store. Returns the pod and the job's labels.
 */
export function feastJobPod(ctx: FeastContext, job: FeastJob): { pod: PodBuilder; labels: Record<string, string> } {
  const { v, stores } = ctx;
  const name = childName(ctx.name, job.component);
  const labels = ctx.labelsOf(job.component);
  new k8s.KubeServiceAccount(ctx.scope, `${job.id}ServiceAccount`, {
    metadata: { name, namespace: ctx.namespace, labels },
    automountServiceAccountToken: false,
  });
  const selector = selectorLabels({ instance: ctx.name, component: job.component });
  const mounts = registryMounts(v, stores, false);
  if (job.repo?._mount) mounts.push(resolveMount(v, 'featureRepository', job.repo._mount, true));
  checkMounts(v, mounts, { podsMaySpanNodes: true, namespace: ctx.namespace, why: 'the Feast jobs write the registry while the feature server reads it, on any node' });
  const pod = new PodBuilder(v, { serviceAccountName: name, restartPolicy: 'Never', labels: { ...labels, ...selector } });
  for (const volume of configVolumes(ctx)) pod.addVolume(volume);
  pod.addContainer({
    name: job.component,
    image: job.repo?.image ?? ctx.image,
    command: withRenderedConfig(job.command),
    env: { ...stores.registry.env, ...stores.online.env, ...stores.offline.env },
    secretEnv: { ...stores.registry.secretEnv, ...stores.online.secretEnv, ...stores.offline.secretEnv },
    resources: job.resources,
    mounts,
    volumeMounts: configMounts(),
  });
  const policy = new PodNetworkPolicy(ctx.scope, `${job.id}NetworkPolicy`, { name, namespace: ctx.namespace, podSelector: selector, labels });
  reachStores(stores, policy, true);
  return { pod, labels };
}

/** `feast` with the repository's directory and feature_store.yaml, then `args`. */
export function feastCommand(repo: FeatureRepository | undefined, ...args: string[]): string[] {
  return ['feast', ...(repo?.path ? ['--chdir', repo.path] : []), '--feature-store-yaml', CONFIG_FILE, ...args];
}

/** The Job `<name>-apply` that registers the feature definitions (`feast apply`). */
export function renderApplyJob(ctx: FeastContext, repo: FeatureRepository): void {
  const { pod, labels } = feastJobPod(ctx, {
    component: 'apply', id: 'Apply', command: feastCommand(repo, 'apply'), resources: { cpu: 1, memory: '1Gi' }, repo,
  });
  const job = new k8s.KubeJob(ctx.scope, 'Apply', {
    metadata: { name: childName(ctx.name, 'apply'), namespace: ctx.namespace, labels },
    spec: jobRunSpec(ctx.v, { activeDeadline: Duration.minutes(30) }, 'apply', { template: pod.template() }),
  });
  setDeployPhase(job, DeployPhase.SETUP);
}
