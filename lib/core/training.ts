import { IValidator } from './errors';
import { QuantityInput, quantityToNumber, validateQuantity } from './validation';

// The training constructs' own building blocks (TrainingRun, mounts, hyperparameters) live in lib/training/; this
// sizing rule stays in core because ModelServer sizes its pods' /dev/shm the same way.

/** The `/dev/shm` size of a training pod: the given one, else a quarter of the memory (at least 64Mi, at most 16Gi and half the memory). */
export function trainingSharedMemory(v: IValidator, memory: QuantityInput, sharedMemory?: QuantityInput): string {
  if (sharedMemory !== undefined) return validateQuantity(v, 'sharedMemory', sharedMemory);
  const bytes = quantityToNumber(validateQuantity(v, 'memory', memory));
  // At most half the memory: the 64Mi floor must not exceed a tiny memory limit (an error about a prop never set).
  const mib = Math.min(Math.max(64, Math.min(16 * 1024, Math.floor(bytes / 4 / 2 ** 20))), Math.floor(bytes / 2 / 2 ** 20));
  if (mib < 1) v.fail('memory', 'must be at least 2Mi (a memory-backed /dev/shm is part of it)', memory);
  return `${mib}Mi`;
}
