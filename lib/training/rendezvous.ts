import { ContainerSpec } from '../core/pod';
import { Role } from './roles';
import { RunLayout } from './contracts';

/** The small image of the init container that waits for rank 0 (it only runs `nc`, `date` and `sleep`). */
export const RENDEZVOUS_WAIT_IMAGE = 'busybox:1.36.1';

/**
 * Waits until rank 0 accepts TCP connections, for at most TIMEOUT_SECONDS; rank 0 itself (POD_INDEX 0) does not
 * wait.
 */
const WAIT_SCRIPT = [
  'if [ "${POD_INDEX:-}" = "0" ]; then exit 0; fi',
  'deadline=$(( $(date +%s) + TIMEOUT_SECONDS ))',
  'until nc -z -w 2 "$RANK0_HOST" "$RANK0_PORT"; do',
  '  if [ "$(date +%s)" -ge "$deadline" ]; then echo "rank 0 at $RANK0_HOST:$RANK0_PORT not reachable after ${TIMEOUT_SECONDS}s" >&2; exit 1; fi',
  '  sleep 2',
  'done',
].join('\n');

/**
 * The init container that holds a pod of `role` until rank 0 listens on `port` (DNS alone is not enough, the
 * process must listen), failing after `timeoutSeconds`. In rank 0's own role, the pod of index 0 skips the wait.
 */
export function waitForRank0(layout: RunLayout, role: Role, port: number, timeoutSeconds: number): ContainerSpec {
  const skipsIndex0 = role === layout.rank0;
  return {
    name: 'wait-for-rank-0',
    image: RENDEZVOUS_WAIT_IMAGE,
    command: ['sh', '-c', WAIT_SCRIPT],
    envFirst: skipsIndex0 ? [{ name: 'POD_INDEX', valueFrom: { fieldRef: { fieldPath: layout.indexField } } }] : undefined,
    env: { RANK0_HOST: layout.hostOf(layout.rank0, 0), RANK0_PORT: String(port), TIMEOUT_SECONDS: String(timeoutSeconds) },
    resources: { cpu: '50m', memory: '32Mi' },
  };
}
