import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { IValidator, NetworkPeer, PodNetworkPolicy } from '../core';
import { addHttpRoute, GatewayRouteOptions, HttpRouteBackend, validateGatewayRoute } from '../core/gateway';
import { childName } from '../core/labels';
import { validateBoolean, validateDnsLabel, validateEnum, validateLabels, validatePort, validateServiceName } from '../core/validation';
import { ServingRuntime } from './runtime';
import { VariantSpec } from './variants';

/** Who splits the traffic between the variants of a ModelServer. */
export enum VariantSplit {
  /**
   * An Istio VirtualService, applied by the callers' sidecars (callers in the mesh and, with `gateway`, the
   * HTTPRoute too).
   */
  ISTIO = 'istio',
  /**
   * Only the Gateway's HTTPRoute, by weighted backends (a Service per variant): no Istio needed. Callers inside the
   * cluster that `connect()` to the server reach every variant's pods through its Service, unsplit.
   */
  GATEWAY = 'gateway',
}

/**
 * An InferencePool (`inference.networking.k8s.io/v1`, Gateway API Inference Extension) in front of the server: the
 * Gateway asks an endpoint picker (EPP) which pod takes each request, by queue depth, KV-cache use and LoRA
 * adapters. Its selector and target port are the server's, so no pod is left out.
 */
export interface InferencePoolOptions {
  /**
   * The endpoint picker's Service.
   * @default - `<server>-epp` (the name the Inference Extension's chart gives it)
   */
  readonly endpointPickerService?: string;
  /**
   * The endpoint picker's Service port (ext-proc gRPC).
   * @default 9002
   */
  readonly endpointPickerPort?: number;
  /**
   * The endpoint picker's pods, admitted by the server's NetworkPolicy to read the model servers' metrics.
   * @default - pods labelled `inferencepool: <server>-epp` in the server's namespace (the chart's labels)
   */
  readonly endpointPickerPods?: NetworkPeer;
  /**
   * Route requests to any pod of the pool while the endpoint picker does not answer (`FailOpen`), instead of
   * failing them (`FailClose`).
   * @default false
   */
  readonly failOpen?: boolean;
}

/** Options of {@link ModelServerProps.gateway}: an HTTPRoute from a Gateway to the server. */
export interface ModelServerGatewayOptions extends GatewayRouteOptions {
  /**
   * Route to an InferencePool of the server's pods, balanced by an endpoint picker, instead of to its Service.
   * @default - the route's backend is the server's Service
   */
  readonly inferencePool?: InferencePoolOptions;
}

/** Props of {@link InferencePool}: the subset of the spec the library writes. */
export interface InferencePoolProps {
  readonly metadata: ApiObjectMetadata;
  readonly spec: {
    readonly selector: { readonly matchLabels: Record<string, string> };
    readonly targetPorts: Array<{ readonly number: number }>;
    readonly endpointPickerRef: { readonly name: string; readonly port: { readonly number: number }; readonly failureMode?: 'FailOpen' | 'FailClose' };
  };
}

/**
 * A Gateway API Inference Extension `inference.networking.k8s.io/v1` InferencePool, as a small typed class (no CRD
 * class is imported for it).
 */
export class InferencePool extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: 'inference.networking.k8s.io/v1', kind: 'InferencePool' };

  public constructor(scope: Construct, id: string, props: InferencePoolProps) {
    super(scope, id, { ...InferencePool.GVK, metadata: props.metadata, spec: props.spec });
  }
}

/** What {@link renderGateway} exposes. */
export interface GatewayServer {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  /** Labels that select every pod of the server. */
  readonly podSelector: Record<string, string>;
  readonly serviceName: string;
  /** The Service port clients call. */
  readonly port: number;
  readonly runtime: ServingRuntime;
  /** The named variants the route splits between (none: one backend). */
  readonly variants: VariantSpec[];
  readonly networkPolicy: PodNetworkPolicy;
}

/** Checks `variantSplit` against `variants` and `gateway`; the split to apply. */
export function resolveVariantSplit(v: IValidator, split: VariantSplit | undefined, hasVariants: boolean, gateway: ModelServerGatewayOptions | undefined): VariantSplit {
  if (split === undefined) return VariantSplit.ISTIO;
  validateEnum(v, 'variantSplit', split, VariantSplit, 'VariantSplit');
  if (!hasVariants) v.fail('variantSplit', 'applies only with variants', split);
  if (split === VariantSplit.GATEWAY && gateway === undefined) v.fail('variantSplit', 'VariantSplit.GATEWAY needs gateway, the HTTPRoute that splits the traffic', split);
  return split;
}

/** The name of a variant's own Service, which the route's weighted backends name. */
export function variantServiceName(server: string, variant: string): string {
  return `${server}-${variant}`;
}

/**
 * The HTTPRoute (id `HttpRoute`) from the Gateway to the server: to its Service, to one Service per variant with
 * their weights, or to an InferencePool (id `InferencePool`) of its pods with the serving port as target port.
 */
export function renderGateway(scope: Construct, v: IValidator, options: ModelServerGatewayOptions, server: GatewayServer): void {
  validateGatewayRoute(v, 'gateway', options);
  const metadata = { name: server.name, namespace: server.namespace, labels: server.labels };
  const servingPort = { port: server.runtime.servingPort };
  let backends: HttpRouteBackend[];
  if (options.inferencePool !== undefined) {
    if (server.variants.length > 0) {
      v.fail('gateway.inferencePool', `cannot be combined with variants: the endpoint picker balances over every variant's pods by load, ignoring the ${server.variants.map((x) => x.weight).join('/')} split`, server.variants.map((x) => x.name));
    }
    const pool = renderInferencePool(scope, v, options.inferencePool, server, metadata);
    backends = [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: pool.name }];
  } else if (server.variants.length > 0) {
    backends = server.variants.map((x) => ({ name: variantServiceName(server.name, x.name!), port: server.port, weight: x.weight }));
  } else {
    backends = [{ name: server.serviceName, port: server.port }];
  }
  addHttpRoute(scope, 'HttpRoute', options, { metadata, backends, networkPolicy: server.networkPolicy, podPorts: [servingPort] });
}

function renderInferencePool(scope: Construct, v: IValidator, options: InferencePoolOptions, server: GatewayServer, metadata: ApiObjectMetadata): ApiObject {
  if (!options || typeof options !== 'object') v.fail('gateway.inferencePool', 'must be an object (every field has a default: {})', options);
  const epp = options.endpointPickerService ?? childName(server.name, 'epp');
  validateServiceName(v, 'gateway.inferencePool.endpointPickerService', epp);
  const port = validatePort(v, 'gateway.inferencePool.endpointPickerPort', options.endpointPickerPort ?? 9002);
  const failOpen = validateBoolean(v, 'gateway.inferencePool.failOpen', options.failOpen);
  const pods = options.endpointPickerPods ?? { podSelector: { inferencepool: childName(server.name, 'epp') } };
  if (!pods || typeof pods.podSelector !== 'object') v.fail('gateway.inferencePool.endpointPickerPods', 'must be a NetworkPeer with a podSelector', pods);
  validateLabels(v, 'gateway.inferencePool.endpointPickerPods.podSelector', pods.podSelector);
  if (pods.namespace !== undefined) validateDnsLabel(v, 'gateway.inferencePool.endpointPickerPods.namespace', pods.namespace);
  const runtime = server.runtime;
  // The endpoint picker scrapes each pod's metrics (queue depth, KV cache, adapters) on the pod's own port.
  const metricsPort = runtime.metrics === undefined ? runtime.servingPort : runtime.port(runtime.metrics.port);
  server.networkPolicy.allowFrom(pods, [...new Set([runtime.servingPort, metricsPort])].map((p) => ({ port: p })));
  return new InferencePool(scope, 'InferencePool', {
    metadata,
    spec: {
      // Every pod of the server, on the container port it serves on (a pod whose serving port is not listed is dropped).
      selector: { matchLabels: server.podSelector },
      targetPorts: [{ number: runtime.servingPort }],
      endpointPickerRef: { name: epp, port: { number: port }, failureMode: failOpen ? 'FailOpen' : undefined },
    },
  });
}
