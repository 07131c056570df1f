import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IValidator } from './errors';
import { childName } from './labels';
import { QuantityInput, quantityToNumber, validateQuantity } from './validation';
import { resolveMount, ResolvedMount, VolumeMount } from './volumes';

/** Hyperparameter values: scalars, or objects and arrays rendered as JSON. */
export type Hyperparameters = Record<string, string | number | boolean | object>;

/** Where hyperparameter files are mounted. */
export const HYPERPARAMETERS_PATH = '/etc/hyperparameters';

/** The data volumes of a training run. */
export interface TrainingMounts {
  /**
   * The dataset, mounted read-only unless `readOnly: false`.
   * @default - no dataset volume
   */
  readonly dataset?: VolumeMount;
  /**
   * Where the trained model is written (writable).
   * @default - no model volume
   */
  readonly modelOutput?: VolumeMount;
  /**
   * Where checkpoints are written (writable); its path is in `CHECKPOINT_DIR`. Required on spot capacity.
   * @default - no checkpoint volume
   */
  readonly checkpoints?: VolumeMount;
  /**
   * Other claims to mount (read-only unless `readOnly: false`).
   * @default - none
   */
  readonly mounts?: VolumeMount[];
}

/** The mounts of a training run with their read-only defaults applied and their fields checked. */
export function resolveTrainingMounts(v: IValidator, props: TrainingMounts): ResolvedMount[] {
  const mounts: ResolvedMount[] = [];
  if (props.dataset) mounts.push(resolveMount(v, 'dataset', props.dataset, true));
  if (props.modelOutput) mounts.push(resolveMount(v, 'modelOutput', props.modelOutput, false));
  if (props.checkpoints) mounts.push(resolveMount(v, 'checkpoints', props.checkpoints, false));
  (props.mounts ?? []).forEach((m, i) => mounts.push(resolveMount(v, `mounts[${i}]`, m, true)));
  for (const m of mounts) {
    if ((m.prop === 'modelOutput' || m.prop === 'checkpoints') && m.readOnly) {
      v.fail(`${m.prop}.readOnly`, 'must be false: the run writes there', m.readOnly);
    }
  }
  return mounts;
}

/** The `/dev/shm` size of a training pod: the given one, else a quarter of the memory up to 16Gi. */
export function trainingSharedMemory(v: IValidator, memory: QuantityInput, sharedMemory?: QuantityInput): string {
  if (sharedMemory !== undefined) return validateQuantity(v, 'sharedMemory', sharedMemory);
  const bytes = quantityToNumber(validateQuantity(v, 'memory', memory));
  const mib = Math.max(64, Math.min(16 * 1024, Math.floor(bytes / 4 / 2 ** 20)));
  return `${mib}Mi`;
}

/** The hyperparameters ConfigMap of a run, with the volume and mount that expose it. */
export function hyperparameterConfigMap(
  scope: Construct, v: IValidator, baseName: string, namespace: string | undefined, labels: Record<string, string>,
  hyperparameters: Hyperparameters | undefined,
): { name: string; volume: k8s.Volume; mount: k8s.VolumeMount } | undefined {
  if (hyperparameters === undefined) return undefined;
  if (typeof hyperparameters !== 'object' || hyperparameters === null || Array.isArray(hyperparameters)) {
    v.fail('hyperparameters', 'must be an object of names to values', hyperparameters);
  }
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(hyperparameters)) {
    // Keys become env var names and file names.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      v.fail('hyperparameters', 'must have keys usable as environment variable and file names (letters, digits and \'_\')', key);
    }
    if (value === undefined || value === null || typeof value === 'function') {
      v.fail(`hyperparameters.${key}`, 'must be a string, number, boolean, object or array', value);
    }
    data[key] = typeof value === 'object' ? JSON.stringify(value, null, 2) : String(value);
  }
  const name = childName(baseName, 'hparams');
  new k8s.KubeConfigMap(scope, 'Hyperparameters', { metadata: { name, namespace, labels }, data });
  return {
    name,
    volume: { name: 'hyperparameters', configMap: { name } },
    mount: { name: 'hyperparameters', mountPath: HYPERPARAMETERS_PATH, readOnly: true },
  };
}
