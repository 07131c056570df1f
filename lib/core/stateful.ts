import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IValidator } from './errors';
import { PodNetworkPolicy } from './network';
import { PodBuilder, PortSpec } from './pod';
import { QuantityInput, validateDnsSubdomain, validateQuantity } from './validation';
import { serviceHost } from './workload';

/** Props of {@link StatefulService}. */
export interface StatefulServiceProps {
  /** The name of the StatefulSet, its headless Service and its NetworkPolicy. */
  readonly name: string;
  /** Their namespace. */
  readonly namespace?: string;
  /** Labels of every object (include the selector labels). */
  readonly labels: Record<string, string>;
  /** Labels that select the pods (the pod template must carry them). */
  readonly selector: Record<string, string>;
  /** The pod, built with its containers; they mount the claim as the volume `data`. */
  readonly pod: PodBuilder;
  /** The ports the Service exposes (the containers' named ports). */
  readonly ports: PortSpec[];
  /** The size of the data volume of each replica. */
  readonly storage: QuantityInput;
  /**
   * The StorageClass of the data volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /** The validator for messages, and the prop prefix of `storage` / `storageClassName`. */
  readonly validator: IValidator;
}

/** The name of the volume the claim template creates; containers mount it. */
export const STATEFUL_DATA_VOLUME = 'data';

/**
 * A single-replica data service in the cluster (a database, an object store, a cache): a StatefulSet with a
 * volume claim template, a headless Service with a stable DNS name, and a deny-by-default NetworkPolicy that the
 * owner opens for its clients.
 */
export class StatefulService extends Construct {
  /** The Service's name. */
  public readonly serviceName: string;
  /** Its namespace. */
  public readonly namespace?: string;
  /** The in-cluster DNS name clients use. */
  public readonly host: string;
  /** The NetworkPolicy of the pods: DNS only until opened. */
  public readonly networkPolicy: PodNetworkPolicy;

  public constructor(scope: Construct, id: string, props: StatefulServiceProps) {
    super(scope, id);
    const v = props.validator;
    const storage = validateQuantity(v, 'storage', props.storage);
    if (props.storageClassName !== undefined) validateDnsSubdomain(v, 'storageClassName', props.storageClassName);
    this.serviceName = props.name;
    this.namespace = props.namespace;
    this.host = serviceHost(props.name, props.namespace);
    const metadata = { name: props.name, namespace: props.namespace, labels: props.labels };
    new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        clusterIp: 'None',
        selector: props.selector,
        ports: props.ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP' })),
      },
    });
    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata,
      spec: {
        serviceName: props.name,
        replicas: 1,
        selector: { matchLabels: props.selector },
        template: props.pod.template(),
        volumeClaimTemplates: [{
          // A StatefulSet's claim templates cannot change once created: leave out the version label, which changes
          // with the image, or the next image upgrade would be refused.
          metadata: { name: STATEFUL_DATA_VOLUME, labels: withoutVersion(props.labels) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(storage) } },
          },
        }],
      },
    });
    this.networkPolicy = new PodNetworkPolicy(this, 'NetworkPolicy', {
      name: props.name,
      namespace: props.namespace,
      podSelector: props.selector,
      labels: props.labels,
    });
  }
}

function withoutVersion(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => key !== 'app.kubernetes.io/version'));
}
