import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * A class of API objects: a generated class (`k8s.KubeDeployment`), whose static `GVK` names its kind, or `ApiObject`
 * for any kind.
 */
export type ApiObjectClass<T extends ApiObject> = (abstract new (...args: any[]) => T) & { readonly GVK?: { readonly apiVersion: string; readonly kind: string } };

/**
 * True when `o` is an object of `type`. `instanceof` cannot tell: ApiObject implements it for every subclass alike
 * (any ApiObject is `instanceof k8s.KubeJob`), so a generated class is recognised by its kind and apiVersion.
 */
export function isObjectOf<T extends ApiObject>(o: unknown, type: ApiObjectClass<T>): o is T {
  if (!ApiObject.isApiObject(o)) return false;
  const gvk = type.GVK;
  return gvk === undefined || (o.kind === gvk.kind && o.apiVersion === gvk.apiVersion);
}

/**
 * The API object at `path` (construct ids, from `scope`) when it exists and is a `type`, else undefined. The typed
 * handles of the constructs (`deployment`, `service`, `autoscaler`...) read their objects this way, so that a handle
 * always reports what is in the tree, and never an object the construct did not create.
 */
export function childObject<T extends ApiObject>(scope: IConstruct, path: readonly string[], type: ApiObjectClass<T>): T | undefined {
  let node: IConstruct | undefined = scope;
  for (const id of path) {
    node = node.node.tryFindChild(id);
    if (node === undefined) return undefined;
  }
  return isObjectOf(node, type) ? node : undefined;
}

/** The API objects of `type` at `path` under each child of `scope` whose id starts with `prefix` (one per variant). */
export function childObjects<T extends ApiObject>(scope: IConstruct, prefix: string, path: readonly string[], type: ApiObjectClass<T>): T[] {
  const found: T[] = [];
  for (const child of scope.node.children) {
    if (!child.node.id.startsWith(prefix)) continue;
    const object = childObject(child, path, type);
    if (object !== undefined) found.push(object);
  }
  return found;
}
