import { IValidator } from '../core';
import { validateDnsLabel, validateInteger } from '../core/validation';
import { ModelSource } from './model-source';
import { ServingRuntime } from './runtime';

/** The pod label that tells the variants of a ModelServer apart. */
export const VARIANT_LABEL = 'serving.cdk8s-mlops.io/variant';

/** A variant of the model for an A/B test or canary: its own Deployment, a share of the traffic. */
export interface ModelVariant {
  /** The variant's name (a DNS label, e.g. `v1`). */
  readonly name: string;
  /** Its share of the traffic in percent; the variants' weights sum to 100. */
  readonly weight: number;
  /**
   * Its model.
   * @default - the server's `model`
   */
  readonly model?: ModelSource;
  /**
   * Its runtime (with the same ports as the server's).
   * @default - the server's `runtime`
   */
  readonly runtime?: ServingRuntime;
}

/** One Deployment of a ModelServer: the server itself (no name), or a named variant. */
export interface VariantSpec {
  /** The variant's name; none for the server's only Deployment. */
  readonly name?: string;
  readonly weight: number;
  readonly runtime: ServingRuntime;
  readonly model?: ModelSource;
  /** The prop that gave the model, for messages. */
  readonly prop: string;
}

/**
 * The Deployments of a server: one unnamed without `variants`; else the variants, checked (unique names that fit
 * in `<server>-<variant>`, the server runtime's ports, weights summing to 100).
 */
export function resolveVariants(v: IValidator, serverName: string, variantsProp: ModelVariant[] | undefined, runtime: ServingRuntime, model: ModelSource | undefined): VariantSpec[] {
  if (variantsProp === undefined) return [{ weight: 100, runtime, model, prop: 'model' }];
  if (!Array.isArray(variantsProp) || variantsProp.length < 2) v.fail('variants', 'must list at least two variants', variantsProp);
  const seen = new Set<string>();
  const variants = variantsProp.map((variant, i): VariantSpec => {
    const at = `variants[${i}]`;
    if (!variant || typeof variant !== 'object') v.fail(at, 'must be a variant { name, weight }', variant);
    validateDnsLabel(v, `${at}.name`, variant.name, 63 - serverName.length - 1);
    if (seen.has(variant.name)) v.fail(`${at}.name`, 'must be unique among the variants', variant.name);
    seen.add(variant.name);
    validateInteger(v, `${at}.weight`, variant.weight, 0, 100);
    const variantRuntime = variant.runtime ?? runtime;
    if (!(variantRuntime instanceof ServingRuntime)) v.fail(`${at}.runtime`, 'must be made with a ServingRuntime factory', variantRuntime);
    if (JSON.stringify(variantRuntime.ports) !== JSON.stringify(runtime.ports)) {
      v.fail(`${at}.runtime`, `must expose the same ports as 'runtime' (${runtime.ports.map((p) => `${p.name}:${p.port}`).join(', ')}), one Service fronts every variant`, variantRuntime.ports.map((p) => `${p.name}:${p.port}`).join(', '));
    }
    return { name: variant.name, weight: variant.weight, runtime: variantRuntime, model: variant.model ?? model, prop: variant.model ? `${at}.model` : 'model' };
  });
  const total = variants.reduce((sum, x) => sum + x.weight, 0);
  if (total !== 100) v.fail('variants', `must have weights that sum to 100 (${variants.map((x) => `${x.name}: ${x.weight}`).join(', ')})`, total);
  return variants;
}
