import { ApiObjectMetadata, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { clusterDnsRule } from './dns';

/** A set of pods another workload talks to or hears from: pods with these labels, in this namespace. */
export interface NetworkPeer {
  /** Labels of the peer's pods. An empty object means every pod of the namespace. */
  readonly podSelector: Record<string, string>;
  /**
   * The peer's namespace.
   * @default - the namespace of the policy
   */
  readonly namespace?: string;
}

/** A port a rule opens. */
export interface NetworkPort {
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

/** Options for {@link PodNetworkPolicy}. */
export interface PodNetworkPolicyProps {
  /** The policy's name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace?: string;
  /** Labels of the pods it selects. */
  readonly podSelector: Record<string, string>;
  /** Labels of the policy object. */
  readonly labels?: Record<string, string>;
}

/**
 * The first egress rule of every policy until synth, when it becomes the cluster DNS rule (`ClusterDns`: kube-dns
 * by default), which may be set after the policy was made.
 */
const DNS_PLACEHOLDER: k8s.NetworkPolicyEgressRule = Object.freeze({});

/**
 * One NetworkPolicy per workload that denies every ingress and egress of its pods except the paths that were
 * opened: DNS to the cluster DNS (`ClusterDns`) always, plus what wiring adds (`allowFrom`, `allowTo`). Wiring adds its rules to the policy's own
 * spec object, so rules added after the workload was created are in the manifest.
 */
export class PodNetworkPolicy extends k8s.KubeNetworkPolicy {
  /** The spec the manifest holds: wiring adds rules to it. `ingress` stays unset while empty (no `ingress: []`). */
  private readonly policySpec: { ingress?: k8s.NetworkPolicyIngressRule[]; egress: k8s.NetworkPolicyEgressRule[] };
  /** The selected pods (the props themselves are not kept: their labels are copied into the manifest). */
  private readonly selected: NetworkPeer;
  /** Rules already added; created with the first rule (most policies keep only the DNS rule). */
  private seen?: Set<string>;

  public constructor(scope: Construct, id: string, props: PodNetworkPolicyProps) {
    // The policy is itself the NetworkPolicy object (not a construct around one): a workload is one construct fewer,
    // which cdk8s visits several times at synth.
    const spec = {
      podSelector: { matchLabels: props.podSelector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: undefined as k8s.NetworkPolicyIngressRule[] | undefined,
      egress: [DNS_PLACEHOLDER],
    };
    const metadata: ApiObjectMetadata = { name: props.name, namespace: props.namespace, labels: props.labels };
    super(scope, id, { metadata, spec });
    this.policySpec = spec;
    this.selected = { podSelector: props.podSelector, namespace: props.namespace };
  }

  /** Renders the policy, its first egress rule the DNS of its namespace or scope (`ClusterDns`). */
  public toJson(): any {
    const dns = clusterDnsRule(this, this.selected.namespace ?? Chart.of(this).namespace);
    if (this.policySpec.egress[0] !== dns) {
      const egress = this.policySpec.egress.slice();
      egress[0] = dns;
      this.policySpec.egress = egress;
    }
    return super.toJson();
  }

  /** The namespace of the selected pods. */
  public get namespace(): string | undefined {
    return this.selected.namespace;
  }

  /** The selected pods, as a peer for other policies. */
  public get peer(): NetworkPeer {
    return { ...this.selected };
  }

  /** Lets `peer` open connections to the selected pods on `ports` (all ports when empty). */
  public allowFrom(peer: NetworkPeer, ports: NetworkPort[] = []): void {
    if (this.once('in', peer, ports)) this.addIngress({ from: [this.policyPeer(peer)], ports: toPorts(ports) });
  }

  /** Lets the selected pods open connections to `peer` on `ports` (all ports when empty). */
  public allowTo(peer: NetworkPeer, ports: NetworkPort[] = []): void {
    if (this.once('out', peer, ports)) this.addEgress({ to: [this.policyPeer(peer)], ports: toPorts(ports) });
  }

  /** Lets any pod of the namespaces with these names connect on `ports` (an ingress controller, a metrics scraper). */
  public allowFromNamespace(namespace: string, ports: NetworkPort[] = []): void {
    if (this.once('in-ns', { podSelector: {}, namespace }, ports)) {
      this.addIngress({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }], ports: toPorts(ports) });
    }
  }

  /** Lets the selected pods reach addresses outside the cluster (object storage, package mirrors) on `ports`. */
  public allowToCidr(cidr: string, ports: NetworkPort[] = [], except: string[] = []): void {
    if (this.once('cidr', { podSelector: { cidr } }, ports)) {
      this.addEgress({ to: [{ ipBlock: { cidr, except: except.length > 0 ? except : undefined } }], ports: toPorts(ports) });
    }
  }

  /**
   * Lets clients from addresses outside the cluster connect on `ports` (a LoadBalancer that preserves the client
   * address with `externalTrafficPolicy: Local`).
   */
  public allowFromCidr(cidr: string, ports: NetworkPort[] = []): void {
    if (this.once('cidr-in', { podSelector: { cidr } }, ports)) {
      this.addIngress({ from: [{ ipBlock: { cidr } }], ports: toPorts(ports) });
    }
  }

  /** Lets the selected pods connect to each other on every port (NCCL, Gloo and MPI use ephemeral ports). */
  public allowWithinSelf(): void {
    this.allowFrom(this.selected);
    this.allowTo(this.selected);
  }

  private addIngress(rule: k8s.NetworkPolicyIngressRule): void {
    (this.policySpec.ingress ??= []).push(rule);
  }

  private addEgress(rule: k8s.NetworkPolicyEgressRule): void {
    this.policySpec.egress.push(rule);
  }

  private policyPeer(peer: NetworkPeer): k8s.NetworkPolicyPeer {
    const podSelector = { matchLabels: peer.podSelector };
    if (peer.namespace === undefined || peer.namespace === this.selected.namespace) return { podSelector };
    return { podSelector, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': peer.namespace } } };
  }

  private once(direction: string, peer: NetworkPeer, ports: NetworkPort[]): boolean {
    const key = JSON.stringify([direction, peer.namespace ?? this.selected.namespace, peer.podSelector, ports]);
    this.seen ??= new Set();
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}

/**
 * Opens `ports` from the pods of `client` to the pods of `server`: egress on the client's policy, ingress on the
 * server's (a platform's own components: server to database, setup Job to object store).
 */
export function allowBetween(client: PodNetworkPolicy, server: PodNetworkPolicy, ports: NetworkPort[]): void {
  client.allowTo(server.peer, ports);
  server.allowFrom(client.peer, ports);
}

function toPorts(ports: NetworkPort[]): k8s.NetworkPolicyPort[] | undefined {
  if (ports.length === 0) return undefined;
  return ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' }));
}
