import { ApiObject, JsonPatch } from 'cdk8s';

/** Removes the chart's namespace, which cdk8s puts on every object, from a cluster-scoped one. */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}
