// The POSIX owner of the files of a shared volume (an EFS access point, a mounted S3 bucket), so that the library's
// non-root pods can use them.
import { IValidator } from '../core/errors';
import { validateInteger } from '../core/validation';

/** The user and group the library's pods run as (the same default as the pod security context in core/pod.ts). */
const POD_USER = 1000;
/** The largest POSIX user or group id Kubernetes accepts. */
const MAX_ID = 2147483647;

/** Checks `uid` and `gid` (default: the library's pod user) and returns them. */
export function fileOwner(v: IValidator, options: { readonly uid?: number; readonly gid?: number }): { uid: number; gid: number } {
  const uid = validateInteger(v, 'uid', options.uid ?? POD_USER, 0, MAX_ID);
  const gid = validateInteger(v, 'gid', options.gid ?? POD_USER, 0, MAX_ID);
  return { uid, gid };
}
