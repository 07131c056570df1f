import { Construct } from 'constructs';
import { IValidator, ISTIO_INJECT_LABEL, IWorkload, NetworkPeer, NetworkPort } from '../core';
import { lazyModule } from '../core/lazy';
import { validateDnsLabel, validateEnum } from '../core/validation';
import { AuthorizationPolicy, AuthorizationRule } from './authorization-policy';
import { ServingRuntime } from './runtime';
import { VARIANT_LABEL, VariantSpec } from './variants';

// Generated CRD classes, loaded when first used (see lazyModule).
const destinationRuleCrd = lazyModule(() => require('../../imports/istio-destinationrule-networking.istio.io') as typeof import('../../imports/istio-destinationrule-networking.istio.io'));
const virtualServiceCrd = lazyModule(() => require('../../imports/istio-virtualservice-networking.istio.io') as typeof import('../../imports/istio-virtualservice-networking.istio.io'));

/** Istio's control plane, which every sidecar gets its configuration and certificates from. */
const ISTIOD: NetworkPeer = { podSelector: { app: 'istiod' }, namespace: 'istio-system' };
const ISTIOD_PORT = 15012;

/** A Kubernetes service account, as an Istio caller identity. */
export interface ServiceAccountRef {
  /** The service account's name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
}

/** HTTP methods for Istio authorization. */
export enum HttpMethod {
  GET = 'GET',
  POST = 'POST',
  PUT = 'PUT',
  DELETE = 'DELETE',
}

/**
 * Callers an Istio AuthorizationPolicy lets through (all others are denied). The server's NetworkPolicy admits
 * their namespaces on the serving ports (it cannot select service accounts); the mesh narrows it to these identities.
 */
export interface AllowedCallers {
  /** Their service accounts (mTLS identities). */
  readonly serviceAccounts: ServiceAccountRef[];
  /**
   * The HTTP methods they may use.
   * @default - any method
   */
  readonly methods?: HttpMethod[];
  /**
   * The paths they may call: exact (`/v1/models/resnet`), a prefix (a trailing `*`: `/v1/models/*`), a suffix (a
   * leading `*`), or an Istio 1.22+ path template, where `{*}` is one path segment and `{**}` any number of
   * segments, as the last operator (`/v1/models/{*}/infer`, `/v2/models/{**}`).
   * @default - any path
   */
  readonly paths?: string[];
}

/** Istio service mesh options. */
export interface IstioOptions {
  /**
   * Require Istio mutual TLS to the server (DestinationRule `ISTIO_MUTUAL`).
   * @default false
   */
  readonly mtls?: boolean;
  /**
   * Restrict callers with an AuthorizationPolicy.
   * @default - no AuthorizationPolicy
   */
  readonly allowedCallers?: AllowedCallers;
}

/**
 * Puts a workload's pods in the mesh: the sidecar is injected whatever the namespace's injection label, and may
 * fetch its configuration and certificates from istiod.
 */
export function joinMesh(workload: IWorkload): void {
  workload.addPodLabel(ISTIO_INJECT_LABEL, 'true');
  workload.networkPolicy.allowTo(ISTIOD, [{ port: ISTIOD_PORT }]);
}

/** The server that {@link renderIstio} puts in the mesh. */
export interface MeshServer extends IWorkload {
  readonly serviceName: string;
}

/** What {@link renderIstio} renders: the options, the server's labels and ports, its named variants and its runtime. */
export interface MeshOptions {
  readonly istio: IstioOptions;
  readonly labels: Record<string, string>;
  /** The ports callers reach on the pods. */
  readonly callerPorts: NetworkPort[];
  /** The named variants the VirtualService splits traffic between (none: no split). */
  readonly variants: VariantSpec[];
  /** The runtime, whose metrics path the AuthorizationPolicy leaves open to the scraper (none with KServe). */
  readonly runtime?: ServingRuntime;
}

/**
 * Puts the server in the mesh and renders its Istio objects: a DestinationRule (mTLS, the variants' subsets), a
 * VirtualService that splits traffic between the variants, an AuthorizationPolicy for the allowed callers.
 */
export function renderIstio(scope: Construct, v: IValidator, server: MeshServer, options: MeshOptions): void {
  const { istio, variants } = options;
  const host = server.namespace ? `${server.serviceName}.${server.namespace}.svc.cluster.local` : server.serviceName;
  const metadata = { name: server.workloadName, namespace: server.namespace, labels: options.labels };
  joinMesh(server);
  if (istio.mtls || variants.length > 0) {
    new (destinationRuleCrd().DestinationRule)(scope, 'DestinationRule', {
      metadata,
      spec: {
        host,
        trafficPolicy: istio.mtls ? { tls: { mode: destinationRuleCrd().DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } } : undefined,
        subsets: variants.length > 0 ? variants.map((x) => ({ name: x.name!, labels: { [VARIANT_LABEL]: x.name! } })) : undefined,
      },
    });
  }
  if (variants.length > 0) {
    new (virtualServiceCrd().VirtualService)(scope, 'VirtualService', {
      metadata,
      spec: {
        hosts: [host],
        // No destination port: each request keeps the port it was sent to (HTTP or gRPC).
        http: [{ route: variants.map((x) => ({ destination: { host, subset: x.name }, weight: x.weight })) }],
      },
    });
  }
  const callers = istio.allowedCallers;
  if (callers === undefined) return;
  new AuthorizationPolicy(scope, 'AuthorizationPolicy', {
    metadata,
    spec: { selector: { matchLabels: server.podSelector }, action: 'ALLOW', rules: authorizationRules(v, server, callers, options) },
  });
}

/**
 * The rules that let the callers' identities through on the caller ports, and the scraper to the metrics path. A
 * NetworkPolicy cannot select a service account: the server's admits the callers' namespaces, the mesh their
 * identities.
 */
function authorizationRules(v: IValidator, server: MeshServer, callers: AllowedCallers, options: MeshOptions): AuthorizationRule[] {
  const { callerPorts, runtime } = options;
  if (!Array.isArray(callers.serviceAccounts) || callers.serviceAccounts.length === 0) {
    v.fail('istio.allowedCallers.serviceAccounts', 'must list at least one service account', callers.serviceAccounts);
  }
  const principals = callers.serviceAccounts.map((sa, i) => {
    if (!sa || typeof sa !== 'object') v.fail(`istio.allowedCallers.serviceAccounts[${i}]`, 'must be { name, namespace }', sa);
    validateDnsLabel(v, `istio.allowedCallers.serviceAccounts[${i}].namespace`, sa.namespace);
    validateDnsLabel(v, `istio.allowedCallers.serviceAccounts[${i}].name`, sa.name);
    server.networkPolicy.allowFromNamespace(sa.namespace, callerPorts);
    return `cluster.local/ns/${sa.namespace}/sa/${sa.name}`;
  });
  if (callers.paths !== undefined && !Array.isArray(callers.paths)) v.fail('istio.allowedCallers.paths', 'must be a list of paths', callers.paths);
  (callers.paths ?? []).forEach((p, i) => validateIstioPath(v, `istio.allowedCallers.paths[${i}]`, p));
  if (callers.methods !== undefined && !Array.isArray(callers.methods)) v.fail('istio.allowedCallers.methods', 'must be a list of HttpMethod', callers.methods);
  (callers.methods ?? []).forEach((m, i) => validateEnum(v, `istio.allowedCallers.methods[${i}]`, m, HttpMethod, 'HttpMethod'));
  const rules: AuthorizationRule[] = [{
    from: [{ source: { principals } }],
    to: [{ operation: { methods: callers.methods, paths: callers.paths, ports: callerPorts.map((p) => String(p.port)) } }],
  }];
  if (runtime?.metrics) {
    // Prometheus usually runs outside the mesh; the NetworkPolicy limits the metrics port to its namespace.
    rules.push({ to: [{ operation: { methods: ['GET'], paths: [runtime.metrics.path ?? '/metrics'], ports: [String(runtime.port(runtime.metrics.port))] } }] });
  }
  return rules;
}

/**
 * Checks a path of an AuthorizationPolicy rule. Istio matches a path exactly, by prefix (`/v1/*`), by suffix
 * (a leading `*`) or, from Istio 1.22, as a path template (Envoy's URI template): `{*}` matches one segment, `{**}` any
 * number and must be the last operator, a segment with an operator holds nothing else, and no `*`, `{` or `}` may
 * appear outside the operators. A `*` anywhere else is literal, and the rule would never match.
 */
export function validateIstioPath(v: IValidator, prop: string, path: unknown): string {
  const allowed = 'an exact path, a prefix \'/v1/models/*\', a suffix \'*/infer\' or an Istio 1.22+ path template with {*} (one segment) and {**} (any number, last operator) such as \'/v1/models/{*}/infer\'';
  if (typeof path !== 'string' || !(path.startsWith('/') || path.startsWith('*'))) v.fail(prop, `must start with '/' or '*' (${allowed})`, path);
  if (/[\u0000-\u0020\u007f]/.test(path)) v.fail(prop, 'must not contain spaces or control characters', path);
  if (path.includes('{') || path.includes('}')) {
    const segments = path.split('/');
    if (!path.startsWith('/')) v.fail(prop, `must start with '/' when it is a path template (${allowed})`, path);
    let operators = 0;
    let lastIsMany = false;
    for (const segment of segments) {
      if (segment === '{*}' || segment === '{**}') {
        if (lastIsMany) v.fail(prop, `must have {**} as its last operator (${allowed})`, path);
        lastIsMany = segment === '{**}';
        operators++;
      } else if (/[*{}]/.test(segment)) {
        v.fail(prop, `must have a path segment of its own for each template operator, {*} or {**}, and no other '*', '{' or '}' (${allowed})`, path);
      }
    }
    if (operators === 0) v.fail(prop, `must use the path template operators {*} or {**} for '{' and '}' (${allowed})`, path);
    return path;
  }
  if (path.length > 1 && path.slice(1, -1).includes('*')) {
    v.fail(prop, `must have '*' only as its first or last character (Istio treats a '*' inside as a literal character, so the rule would never match): use ${allowed}`, path);
  }
  return path;
}
