// Which access modes a volume can offer, and the check every claim and volume makes of its own.
import { IValidator } from '../core/errors';
import { AccessMode } from '../core/volumes';

/** Block disks attach to one node at a time. */
export const BLOCK_MODES = [AccessMode.READ_WRITE_ONCE, AccessMode.READ_WRITE_ONCE_POD];
/** Network file systems can be mounted by any number of nodes. */
export const SHARED_MODES = [AccessMode.READ_WRITE_ONCE, AccessMode.READ_WRITE_ONCE_POD, AccessMode.READ_ONLY_MANY, AccessMode.READ_WRITE_MANY];

/** Checks a non-empty list of modes (ReadWriteOncePod alone) and drops repeats. */
export function checkAccessModes(v: IValidator, modes: AccessMode[]): AccessMode[] {
  const known = Object.values(AccessMode);
  if (!Array.isArray(modes) || modes.length === 0 || modes.some((m) => !known.includes(m))) {
    v.fail('accessModes', `must be a non-empty list of ${known.join(', ')}`, modes);
  }
  if (modes.includes(AccessMode.READ_WRITE_ONCE_POD) && modes.length > 1) {
    v.fail('accessModes', 'must not combine ReadWriteOncePod with other modes', modes);
  }
  return [...new Set(modes)];
}
