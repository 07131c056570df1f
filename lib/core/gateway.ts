import { ApiObject, ApiObjectMetadata, Duration, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator } from './errors';
import { durationSeconds } from './job';
import { NetworkPeer, NetworkPort, PodNetworkPolicy } from './network';
import { validateDnsLabel, validateDnsSubdomain, validateInteger, validateLabels } from './validation';

/** A Gateway API `Gateway` that a route attaches to, and where its proxies run. */
export interface GatewayReference {
  /** The Gateway's name. */
  readonly name: string;
  /**
   * The Gateway's namespace (its listener must admit routes from the server's namespace: `allowedRoutes`).
   * @default - the route's namespace
   */
  readonly namespace?: string;
  /**
   * The listener the route attaches to (`https`).
   * @default - every listener of the Gateway that admits the route
   */
  readonly sectionName?: string;
  /**
   * The Gateway's proxy pods, which the server's NetworkPolicy admits on the ports the route sends to.
   * @default - every pod of the Gateway's namespace (Istio, GKE and kgateway run the proxies there; Envoy Gateway
   * runs them in `envoy-gateway-system`: give `{ podSelector: {}, namespace: 'envoy-gateway-system' }`)
   */
  readonly proxies?: NetworkPeer;
}

/** An HTTPRoute (`gateway.networking.k8s.io/v1`) from a Gateway to a server. */
export interface GatewayRouteOptions {
  /** The Gateway the route attaches to. */
  readonly gateway: GatewayReference;
  /**
   * The host names the route answers (`ml.example.com`, `*.example.com`).
   * @default - every host name of the Gateway's listener
   */
  readonly hostnames?: string[];
  /**
   * The path prefix routed to the server.
   * @default '/'
   */
  readonly pathPrefix?: string;
  /**
   * How long the Gateway waits for a whole response (`timeouts.request`); generations of large models take minutes.
   * @default - the Gateway implementation's default
   */
  readonly requestTimeout?: Duration;
}

/** A backend of an HTTPRoute rule: a Service port, or another kind (an InferencePool) by group and kind. */
export interface HttpRouteBackend {
  readonly name: string;
  readonly port?: number;
  readonly weight?: number;
  readonly group?: string;
  readonly kind?: string;
}

/** Props of {@link HttpRoute}: the subset of the spec the library writes. */
export interface HttpRouteProps {
  readonly metadata: ApiObjectMetadata;
  readonly spec: {
    readonly parentRefs: Array<{ readonly group: string; readonly kind: string; readonly name: string; readonly namespace?: string; readonly sectionName?: string }>;
    readonly hostnames?: string[];
    readonly rules: Array<{
      readonly matches: Array<{ readonly path: { readonly type: 'PathPrefix'; readonly value: string } }>;
      readonly backendRefs: HttpRouteBackend[];
      readonly timeouts?: { readonly request: string };
    }>;
  };
}

/**
 * A Gateway API `gateway.networking.k8s.io/v1` HTTPRoute. No CRD class is imported for it (the generated module
 * would add hundreds of kilobytes for a handful of fields): this small typed class renders exactly the fields above.
 */
export class HttpRoute extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' };

  public constructor(scope: Construct, id: string, props: HttpRouteProps) {
    super(scope, id, { ...HttpRoute.GVK, metadata: props.metadata, spec: props.spec });
  }
}

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// The characters the HTTPRoute CRD's CEL rule allows in a PathPrefix.
const PATH_CHARACTERS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;

/** Checks the options of a route (named under `prop`, e.g. `gateway`), as the HTTPRoute CRD's rules would. */
export function validateGatewayRoute(v: IValidator, prop: string, options: GatewayRouteOptions): void {
  const at = (field: string): string => (prop ? `${prop}.${field}` : field);
  if (!options || typeof options !== 'object') v.fail(prop || 'options', 'must be an object with at least a gateway', options);
  const gw = options.gateway;
  if (!gw || typeof gw !== 'object') v.fail(at('gateway'), 'must reference a Gateway: { name, namespace?, sectionName? }', gw);
  validateDnsSubdomain(v, at('gateway.name'), gw.name);
  if (gw.namespace !== undefined) validateDnsLabel(v, at('gateway.namespace'), gw.namespace);
  if (gw.sectionName !== undefined) validateDnsSubdomain(v, at('gateway.sectionName'), gw.sectionName);
  if (gw.proxies !== undefined) {
    if (!gw.proxies || typeof gw.proxies.podSelector !== 'object') v.fail(at('gateway.proxies'), 'must be a NetworkPeer with a podSelector', gw.proxies);
    validateLabels(v, at('gateway.proxies.podSelector'), gw.proxies.podSelector);
    if (gw.proxies.namespace !== undefined) validateDnsLabel(v, at('gateway.proxies.namespace'), gw.proxies.namespace);
  }
  const hostnames = options.hostnames;
  if (hostnames !== undefined && (!Array.isArray(hostnames) || hostnames.length === 0 || hostnames.length > 16)) {
    v.fail(at('hostnames'), 'must list 1 to 16 host names', hostnames);
  }
  (hostnames ?? []).forEach((host, i) => {
    // The HTTPRoute's pattern would let an IPv4 address through, which Gateway API does not allow as a host name.
    if (typeof host !== 'string' || host.length > 253 || !HOSTNAME.test(host) || /^[0-9.]+$/.test(host)) {
      v.fail(at(`hostnames[${i}]`), 'must be a lower-case DNS name such as \'ml.example.com\' (optionally \'*.\' first; no IP address)', host);
    }
  });
  validatePathPrefix(v, at('pathPrefix'), options.pathPrefix ?? '/');
  if (options.requestTimeout !== undefined) validateInteger(v, at('requestTimeout'), durationSeconds(v, at('requestTimeout'), options.requestTimeout), 1, 99999);
}

/** A PathPrefix as the HTTPRoute CRD accepts it: absolute, no `//`, dot segments, `#`, encoded slashes. */
function validatePathPrefix(v: IValidator, prop: string, path: string): void {
  const bad = typeof path !== 'string' || !path.startsWith('/') || path.length > 1024 || !PATH_CHARACTERS.test(path)
    || ['//', '/./', '/../', '%2f', '%2F', '#'].some((s) => path.includes(s)) || path.endsWith('/..') || path.endsWith('/.');
  if (bad) v.fail(prop, 'must be an absolute path such as \'/v1\' without \'//\', \'.\' or \'..\' segments, \'#\' or encoded slashes', path);
}

/** What {@link addHttpRoute} routes to. */
export interface HttpRouteTarget {
  /** The route's name, namespace and labels. */
  readonly metadata: ApiObjectMetadata;
  /** Its backends (weighted when several). */
  readonly backends: HttpRouteBackend[];
  /** The server pods' policy, opened to the Gateway's proxies on `podPorts`. */
  readonly networkPolicy: PodNetworkPolicy;
  /** The container ports the proxies connect to. */
  readonly podPorts: NetworkPort[];
}

/**
 * Adds an HTTPRoute (validated options) from the Gateway to the backends, and lets the Gateway's proxies through the
 * pods' NetworkPolicy.
 */
export function addHttpRoute(scope: Construct, id: string, options: GatewayRouteOptions, target: HttpRouteTarget): HttpRoute {
  const gw = options.gateway;
  const timeout = options.requestTimeout === undefined ? undefined : `${options.requestTimeout.toSeconds()}s`;
  const route = new HttpRoute(scope, id, {
    metadata: target.metadata,
    spec: {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gw.name, namespace: gw.namespace, sectionName: gw.sectionName }],
      hostnames: options.hostnames,
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: options.pathPrefix ?? '/' } }],
        backendRefs: target.backends,
        timeouts: timeout === undefined ? undefined : { request: timeout },
      }],
    },
  });
  const proxies = gw.proxies ?? { podSelector: {}, namespace: gw.namespace ?? target.metadata.namespace };
  target.networkPolicy.allowFrom(proxies, target.podPorts);
  return route;
}
