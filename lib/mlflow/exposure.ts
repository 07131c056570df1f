import { Construct } from 'constructs';
import { addIngress, IngressOptions, PodNetworkPolicy, rejectInternetSource, validateCidr, Validator, validateIngressOptions } from '../core';
import { addHttpRoute, GatewayRouteOptions, validateGatewayRoute } from '../core/gateway';
import { ServerServiceOptions } from '../core/server';

/** Options of {@link Exposure.loadBalancer}. */
export interface LoadBalancerOptions {
  /** The client address ranges allowed (`loadBalancerSourceRanges` and the NetworkPolicy); never the whole internet by default. */
  readonly sourceRanges: string[];
  /**
   * The host names or addresses clients put in the URL (`mlflow.corp.example.com`, `10.1.2.3`): MLflow checks
   * the Host header against an allow list (DNS rebinding protection) and rejects any other name.
   */
  readonly hosts: string[];
  /**
   * Annotations of the Service (an internal load balancer: `networking.gke.io/load-balancer-type: Internal`...).
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /**
   * Accept a range in `sourceRanges` that admits every address (`0.0.0.0/0`): the tracking server is then open to
   * the internet.
   * @default false
   */
  readonly allowInternetSources?: boolean;
}

/** Options of {@link Exposure.ingress}: an Ingress with TLS, since MLflow carries credentials and artifacts. */
export interface MlflowIngressOptions extends IngressOptions {
  /** The Secret holding the TLS certificate for the host (cert-manager can create it). */
  readonly tlsSecretName: string;
}

/**
 * Options of {@link Exposure.gateway}: an HTTPRoute from a Gateway API Gateway. TLS is the Gateway listener's: attach
 * to an HTTPS listener (`gateway.sectionName`), since MLflow carries credentials and artifacts.
 */
export interface MlflowGatewayOptions extends GatewayRouteOptions {
  /** The host names clients use (MLflow rejects requests for other Host headers, so no wildcard). */
  readonly hostnames: string[];
}

/** How the tracking server is reached from outside its namespace's wired clients. */
export class Exposure {
  /** Inside the cluster only (a ClusterIP Service). */
  public static clusterIp(): Exposure {
    return new Exposure({ kind: 'cluster-ip' });
  }

  /** A LoadBalancer Service restricted to `sourceRanges`, preserving client addresses so the NetworkPolicy can match them. */
  public static loadBalancer(options: LoadBalancerOptions): Exposure {
    const v = Validator.forFactory('Exposure.loadBalancer');
    if (!options || !Array.isArray(options.sourceRanges) || options.sourceRanges.length === 0) {
      v.fail('sourceRanges', 'must list the client address ranges allowed (e.g. [\'10.0.0.0/8\']); a public MLflow without auth is open to anyone', options?.sourceRanges);
    }
    options.sourceRanges.forEach((cidr, i) => {
      validateCidr(v, `sourceRanges[${i}]`, cidr);
      rejectInternetSource(v, `sourceRanges[${i}]`, cidr, options.allowInternetSources, 'allowInternetSources');
    });
    if (!Array.isArray(options.hosts) || options.hosts.length === 0) {
      v.fail('hosts', 'must list the host names or addresses clients use for the load balancer (MLflow rejects requests for other Host headers)', options.hosts);
    }
    options.hosts.forEach((host, i) => {
      if (typeof host !== 'string' || !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host)) {
        v.fail(`hosts[${i}]`, 'must be a lower-case DNS name or an IPv4 address', host);
      }
    });
    return new Exposure({ kind: 'load-balancer', lb: options });
  }

  /** An Ingress with TLS. */
  public static ingress(options: MlflowIngressOptions): Exposure {
    const v = Validator.forFactory('Exposure.ingress');
    validateIngressOptions(v, '', options);
    if ((options.path ?? '/') !== '/') v.fail('path', 'must be \'/\': the tracking server and its UI are served from the root', options.path);
    if (options.tlsSecretName === undefined) v.fail('tlsSecretName', 'must name the TLS Secret for the host: MLflow carries credentials and artifacts', options.tlsSecretName);
    return new Exposure({ kind: 'ingress', ingress: options });
  }

  /**
   * An HTTPRoute (`gateway.networking.k8s.io/v1`) from a Gateway to the tracking server's Service; the server's
   * NetworkPolicy admits the Gateway's proxies.
   */
  public static gateway(options: MlflowGatewayOptions): Exposure {
    const v = Validator.forFactory('Exposure.gateway');
    validateGatewayRoute(v, '', options);
    if (!Array.isArray(options.hostnames) || options.hostnames.length === 0) {
      v.fail('hostnames', 'must list the host names clients use (MLflow rejects requests for other Host headers)', options.hostnames);
    }
    options.hostnames.forEach((host, i) => {
      if (host.startsWith('*.')) v.fail(`hostnames[${i}]`, 'must be an exact host name: MLflow checks the Host header against the names it is given', host);
    });
    if ((options.pathPrefix ?? '/') !== '/') v.fail('pathPrefix', 'must be \'/\': the tracking server and its UI are served from the root', options.pathPrefix);
    return new Exposure({ kind: 'gateway', gateway: options });
  }

  private constructor(
    /** @internal */
    public readonly _config: {
      kind: 'cluster-ip' | 'load-balancer' | 'ingress' | 'gateway'; lb?: LoadBalancerOptions; ingress?: MlflowIngressOptions; gateway?: MlflowGatewayOptions;
    },
  ) {}
}

/** Where the exposure puts the tracking server. */
export interface ExposureTarget {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  /** The port of the pods. */
  readonly port: number;
  /** The port of the Service. */
  readonly servicePort: number;
  readonly networkPolicy: PodNetworkPolicy;
}

/** The Host headers clients send from outside: the Ingress host behind TLS on 443; a load balancer's names with the port. */
export function externalHosts(exposure: Exposure, port: number): string[] {
  const config = exposure._config;
  if (config.kind === 'ingress') return [config.ingress!.host];
  if (config.kind === 'gateway') return [...config.gateway!.hostnames];
  return (config.lb?.hosts ?? []).map((h) => (port === 80 ? h : `${h}:${port}`));
}

/**
 * The options of the tracking server's Service that the exposure decides: the type, and a load balancer's settings
 * (the block keeps the client address of a LoadBalancer, so that the NetworkPolicy's ipBlock rules see it).
 */
export function serviceExposure(exposure: Exposure): Omit<ServerServiceOptions, 'ports'> {
  const lb = exposure._config.kind === 'load-balancer' ? exposure._config.lb! : undefined;
  return { type: lb ? 'LoadBalancer' : 'ClusterIP', sourceRanges: lb?.sourceRanges, annotations: lb?.annotations };
}

/**
 * Opens the server to the load balancer's clients, or adds the Ingress or the HTTPRoute (and opens the server to the
 * ingress controller or the Gateway's proxies).
 */
export function exposeServer(scope: Construct, exposure: Exposure, target: ExposureTarget): void {
  const config = exposure._config;
  for (const cidr of config.lb?.sourceRanges ?? []) target.networkPolicy.allowFromCidr(cidr, [{ port: target.port }]);
  if (config.kind === 'ingress') {
    addIngress(scope, 'Ingress', config.ingress!, {
      serviceName: target.name, namespace: target.namespace, labels: target.labels, servicePort: { number: target.servicePort },
      networkPolicy: target.networkPolicy, podPort: target.port,
    });
  }
  if (config.kind === 'gateway') {
    addHttpRoute(scope, 'HttpRoute', config.gateway!, {
      metadata: { name: target.name, namespace: target.namespace, labels: target.labels },
      backends: [{ name: target.name, port: target.servicePort }],
      networkPolicy: target.networkPolicy,
      podPorts: [{ port: target.port }],
    });
  }
}
