/**
 * Loads a module on first use. The generated CRD modules in imports/ are large (KServe's alone is 5 MB of source)
 * and an app uses few of them, so loading the package must not pay for all of them up front. Callers keep
 * the module's types with `import type` / `typeof import(...)` and reach its classes and enums through the getter.
 */
export function lazyModule<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}
