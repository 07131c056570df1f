/**
 * `value` and everything in it made read-only. For the parts that every pod or policy has alike and that are shared
 * rather than copied: a manifest is rendered from a copy, and freezing keeps code from changing every workload at
 * once by accident.
 */
export function deepFreeze<T extends object>(value: T): T {
  for (const field of Object.values(value)) if (typeof field === 'object' && field !== null) deepFreeze(field);
  return Object.freeze(value);
}
