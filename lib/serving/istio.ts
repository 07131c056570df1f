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
   * The paths they may call (`/v1/models/*`).
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
  (callers.paths ?? []).forEach((p, i) => {
    if (typeof p !== 'string' || !(p.startsWith('/') || p.startsWith('*'))) v.fail(`istio.allowedCallers.paths[${i}]`, 'must start with \'/\' or \'*\'', p);
    // Istio matches a path exactly, by prefix ('/v1/*') or by suffix ('*/infer'): a '*' inside is literal and
    // the rule would never match.
    if (p.length > 1 && p.slice(1, -1).includes('*')) {
      v.fail(`istio.allowedCallers.paths[${i}]`, 'must have \'*\' only as its first or last character (Istio matches exact, prefix \'/v1/models/*\' or suffix \'*/infer\' paths)', p);
    }
  });
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
