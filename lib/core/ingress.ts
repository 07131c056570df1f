import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IValidator } from './errors';
import { PodNetworkPolicy } from './network';
import { rejectInternetSource, validateDnsLabel, validateDnsSubdomain } from './validation';

/** An Ingress in front of a workload's Service. */
export interface IngressOptions {
  /** The host name clients use (`ml-api.example.com`; a leading `*.` makes it a wildcard). */
  readonly host: string;
  /**
   * The path prefix routed to the workload.
   * @default '/'
   */
  readonly path?: string;
  /**
   * The IngressClass.
   * @default - the cluster's default class
   */
  readonly className?: string;
  /**
   * A TLS Secret (`kubernetes.io/tls`) for the host; cert-manager can create it.
   * @default - no TLS (plain HTTP), where the construct allows it
   */
  readonly tlsSecretName?: string;
  /**
   * The namespace of the ingress controller's pods, allowed through the workload's NetworkPolicy.
   * @default 'ingress-nginx'
   */
  readonly controllerNamespace?: string;
  /**
   * Annotations of the Ingress (body size limits, cert-manager issuer...).
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /**
   * Accept annotations that inject controller configuration (`*-snippet`, such as nginx's
   * `configuration-snippet` or `server-snippet`): they run with the controller's privileges and can read every
   * Secret it can (CVE-2021-25742), so they are refused unless set.
   * @default false
   */
  readonly allowConfigurationSnippets?: boolean;
  /**
   * Accept a source allow-list annotation (`nginx.ingress.kubernetes.io/whitelist-source-range`) that admits every
   * address (`0.0.0.0/0`).
   * @default false
   */
  readonly allowInternetSources?: boolean;
  /**
   * Serve plain HTTP when no `tlsSecretName` is given, where the construct otherwise requires TLS (ModelServer).
   * @default false
   */
  readonly allowPlainHttp?: boolean;
}

const HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks every field of `options`, naming them under `prop` (`ingress.host`). */
export function validateIngressOptions(v: IValidator, prop: string, options: IngressOptions): void {
  const at = (field: string) => (prop ? `${prop}.${field}` : field);
  if (!options || typeof options !== 'object') v.fail(prop || 'options', 'must be an object with at least a host', options);
  if (typeof options.host !== 'string' || options.host.length > 253 || !HOST.test(options.host)) {
    v.fail(at('host'), 'must be a lower-case DNS name such as \'ml-api.example.com\' (optionally \'*.\' first)', options.host);
  }
  const path = options.path ?? '/';
  if (typeof path !== 'string' || !path.startsWith('/')) v.fail(at('path'), 'must start with \'/\'', path);
  if (options.className !== undefined) validateDnsSubdomain(v, at('className'), options.className);
  if (options.tlsSecretName !== undefined) validateDnsSubdomain(v, at('tlsSecretName'), options.tlsSecretName);
  validateDnsLabel(v, at('controllerNamespace'), options.controllerNamespace ?? 'ingress-nginx');
  checkAcknowledgedAnnotations(v, at('annotations'), options);
  if (options.annotations?.['kubernetes.io/ingress.class'] !== undefined) {
    // Deprecated since Kubernetes 1.18; controllers that honour ingressClassName may ignore it.
    v.fail(at('annotations'), 'must not set the deprecated \'kubernetes.io/ingress.class\' annotation: use className (spec.ingressClassName)', options.annotations['kubernetes.io/ingress.class']);
  }
}

/** Annotations that inject configuration or open the Ingress to everyone need their acknowledgement. */
function checkAcknowledgedAnnotations(v: IValidator, prop: string, options: IngressOptions): void {
  for (const [key, value] of Object.entries(options.annotations ?? {})) {
    if (/-snippets?$/.test(key) && options.allowConfigurationSnippets !== true) {
      v.fail(`${prop}.${key}`, 'injects configuration into the ingress controller (it runs with the controller\'s access to every Secret); set allowConfigurationSnippets: true to accept it', value);
    }
    if (/(whitelist|allowlist)-source-range$/.test(key) && typeof value === 'string') {
      value.split(',').forEach((cidr) => rejectInternetSource(v, `${prop}.${key}`, cidr, options.allowInternetSources, 'allowInternetSources'));
    }
  }
}

/** The Service port an Ingress routes to: by name or by number. */
export type IngressBackendPort = { readonly name: string } | { readonly number: number };

/** What {@link addIngress} routes to. */
export interface IngressTarget {
  /** The Service's name, also the Ingress's. */
  readonly serviceName: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  /** The Service port. */
  readonly servicePort: IngressBackendPort;
  /** The pods' policy, opened to the controller on `podPort`. */
  readonly networkPolicy: PodNetworkPolicy;
  /** The container port the controller connects to. */
  readonly podPort: number;
}

/** Adds an Ingress for a validated `options` and lets the controller's namespace through the pods' NetworkPolicy. */
export function addIngress(scope: Construct, id: string, options: IngressOptions, target: IngressTarget): k8s.KubeIngress {
  const ingress = new k8s.KubeIngress(scope, id, {
    metadata: { name: target.serviceName, namespace: target.namespace, labels: target.labels, annotations: options.annotations },
    spec: {
      ingressClassName: options.className,
      tls: options.tlsSecretName ? [{ hosts: [options.host], secretName: options.tlsSecretName }] : undefined,
      rules: [{
        host: options.host,
        http: {
          paths: [{
            path: options.path ?? '/',
            pathType: 'Prefix',
            backend: { service: { name: target.serviceName, port: target.servicePort } },
          }],
        },
      }],
    },
  });
  target.networkPolicy.allowFromNamespace(options.controllerNamespace ?? 'ingress-nginx', [{ port: target.podPort }]);
  return ingress;
}
