/**
 * This library's defaults, stricter than Kubernetes: every container sized, read-only root filesystem,
 * pinned images, and no credentials in literal env values, arguments, commands or ConfigMaps.
 */
import { childPath, objectId } from './objects';
import { ContainerLocation, containerGroupsOf, containersOf } from './pods';

const CREDENTIAL_NAME = /PASSWORD|SECRET|TOKEN|API_KEY|ACCESS_KEY|CREDENTIAL/i;
// Names that point to a credential rather than hold one: DB_PASSWORD_FILE, TOKEN_PATH, SECRET_NAME.
const CREDENTIAL_REFERENCE_NAME = /_(FILE|PATH|DIR|NAME)$/i;
// `scheme://user:password@`; group 1 is the password.
const URI_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:([^\s/?#@]+)@/gi;
// `$(VAR)`: Kubernetes expands it from another env var, typically one taken from a Secret.
const ENV_REFERENCE = /^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$/;

/** Every violation, as `Kind/ns/name: path (container "c"): [rule] detail`. */
export function checkLibraryDefaults(objects: any[]): string[] {
  const errors: string[] = [];
  for (const obj of objects) {
    const id = objectId(obj);
    for (const group of containerGroupsOf(obj)) {
      for (const c of containersOf(group)) {
        if (c.type !== 'ephemeralContainer') errors.push(...checkContainer(id, c));
      }
    }
    if (obj?.kind === 'ConfigMap' && obj.apiVersion === 'v1') {
      for (const [key, value] of Object.entries<any>(obj.data ?? {})) {
        for (const uri of urisWithPassword(value)) {
          errors.push(`${id}: ${childPath('data', key)}: [credentialsInUri] contains ${uri}; keep the password in a Secret`);
        }
      }
    }
  }
  return errors;
}

function checkContainer(id: string, c: ContainerLocation): string[] {
  const errors: string[] = [];
  const fail = (path: string, rule: string, detail: string) => errors.push(`${id}: ${path} (container "${c.name}"): [${rule}] ${detail}`);
  const container = c.container;

  const requests = container.resources?.requests ?? {};
  for (const resource of ['cpu', 'memory']) {
    if (requests[resource] === undefined) fail(c.path, 'resources', `resources.requests.${resource} must be set`);
  }
  if (container.resources?.limits?.memory === undefined) fail(c.path, 'resources', 'resources.limits.memory must be set');
  if (container.securityContext?.readOnlyRootFilesystem !== true) {
    fail(c.path, 'readOnlyRootFilesystem', 'securityContext.readOnlyRootFilesystem must be true');
  }
  const imageIssue = imageProblem(container.image, c.shortcut);
  if (imageIssue) fail(c.path, 'image', imageIssue);

  (Array.isArray(container.env) ? container.env : []).forEach((env: any, i: number) => {
    if (typeof env?.value === 'string' && isLiteralCredential(env.name, env.value)) {
      fail(childPath(childPath(c.path, 'env'), i), 'literalCredential', `env ${env.name} has a literal value; take it from a Secret (valueFrom.secretKeyRef)`);
    }
  });
  const texts: Array<[string, unknown]> = [
    ...(Array.isArray(container.env) ? container.env : []).map((env: any, i: number): [string, unknown] => [`${childPath(childPath(c.path, 'env'), i)}.value`, env?.value]),
    ...['command', 'args'].flatMap((field) => (Array.isArray(container[field]) ? container[field] : [])
      .map((arg: unknown, i: number): [string, unknown] => [childPath(childPath(c.path, field), i), arg])),
    [childPath(c.path, 'storageUri'), container.storageUri],
  ];
  for (const [path, text] of texts) {
    for (const uri of urisWithPassword(text)) fail(path, 'credentialsInUri', `contains ${uri}; take the password from a Secret`);
  }
  return errors;
}

function imageProblem(image: unknown, shortcut: boolean): string | undefined {
  if (image === undefined && shortcut) return undefined; // the ServingRuntime supplies it
  if (typeof image !== 'string' || image === '') return 'image must be set';
  if (image.includes('@')) return undefined; // pinned by digest
  const tagStart = image.lastIndexOf(':');
  if (tagStart <= image.lastIndexOf('/')) return `image ${image} has no tag or digest`;
  if (image.slice(tagStart + 1) === 'latest') return `image ${image} uses the "latest" tag`;
  return undefined;
}

function isLiteralCredential(name: unknown, value: string): boolean {
  if (typeof name !== 'string' || !CREDENTIAL_NAME.test(name) || CREDENTIAL_REFERENCE_NAME.test(name)) return false;
  // Empty values, paths, flags, numbers and $(VAR) references are not secrets.
  return value !== '' && !value.startsWith('/') && !/^(true|false|\d+)$/i.test(value) && !ENV_REFERENCE.test(value);
}

/** The URIs in a text that carry a literal password, with the password masked. */
function urisWithPassword(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  return [...text.matchAll(URI_WITH_PASSWORD)]
    .filter((match) => !ENV_REFERENCE.test(match[1]))
    .map((match) => match[0].slice(0, match[0].length - match[1].length - 1) + '***@');
}
