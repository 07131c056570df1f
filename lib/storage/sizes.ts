// Volume sizes in bytes, for the size limits of the clouds' volume types and their messages.
import { IValidator } from '../core/errors';

export const GIB = 2 ** 30;
export const TIB = 2 ** 40;

/** Checks that a claim of `bytes` fits a volume type that is `min` to `max` bytes (`why` says which). */
export function checkSizeRange(v: IValidator, prop: string, bytes: number, min: number, max: number, why: string): void {
  if (bytes < min || bytes > max) v.fail(prop, `must be from ${formatBytes(min)} to ${formatBytes(max)} (${why})`, formatBytes(bytes));
}

/** `64Ti`, `500Gi`, `0.5Gi`: how a user writes the size. */
export function formatBytes(bytes: number): string {
  if (bytes >= TIB && bytes % TIB === 0) return `${bytes / TIB}Ti`;
  if (bytes % GIB === 0) return `${bytes / GIB}Gi`;
  return `${Math.round((bytes / GIB) * 1000) / 1000}Gi`;
}
