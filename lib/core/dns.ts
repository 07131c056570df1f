import { k8s } from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { deepFreeze } from './frozen';
import { describeValue, IValidator, Validator } from './errors';
import { validateCidr, validateDnsLabel, validateIpv4Address, validateLabels, validatePort } from './validation';

/** Options of {@link ClusterDns.kubeDns}. */
export interface KubeDnsOptions {
  /**
   * The namespace of the DNS pods.
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * Labels of the DNS pods (CoreDNS keeps kube-dns's label on kubeadm, EKS, GKE and AKS).
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly podLabels?: Record<string, string>;
  /**
   * The port the DNS pods listen on (a NetworkPolicy sees the pod's port, not the Service's).
   * @default 53
   */
  readonly port?: number;
}

/** Options of {@link ClusterDns.nodeLocalCache}. */
export interface NodeLocalCacheOptions extends KubeDnsOptions {
  /**
   * The link-local address NodeLocal DNSCache listens on.
   * @default '169.254.20.10'
   */
  readonly address?: string;
  /**
   * The kube-dns Service's cluster IP, when the cache also listens on it (NodeLocal DNSCache with kube-proxy in
   * iptables mode): queries to it never reach a pod, so the NetworkPolicy must name the address.
   * @default - none
   */
  readonly serviceIp?: string;
}

const DNS_NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

/**
 * Where the pods resolve names: every NetworkPolicy the library emits allows DNS (UDP and TCP) to these peers only,
 * never to any address on port 53 (a pod could otherwise tunnel data out through a DNS server of its choice).
 * The default is the cluster's kube-dns/CoreDNS pods in `kube-system`; set another for an app or a chart with
 * {@link ClusterDns.use}, or for a team's namespaces with the team's `clusterDns`.
 */
export class ClusterDns {
  /**
   * The cluster DNS pods (CoreDNS or kube-dns): `k8s-app: kube-dns` in `kube-system` unless told otherwise.
   */
  public static kubeDns(options: KubeDnsOptions = {}): ClusterDns {
    const v = Validator.forFactory('ClusterDns.kubeDns');
    return new ClusterDns([kubeDnsPeer(v, options)], dnsPort(v, options.port));
  }

  /**
   * NodeLocal DNSCache: the cache's link-local address (it runs in the host network, so no pod selector matches it)
   * and the cluster DNS pods behind it.
   */
  public static nodeLocalCache(options: NodeLocalCacheOptions = {}): ClusterDns {
    const v = Validator.forFactory('ClusterDns.nodeLocalCache');
    const peers: k8s.NetworkPolicyPeer[] = [kubeDnsPeer(v, options), { ipBlock: { cidr: `${hostAddress(v, 'address', options.address ?? '169.254.20.10')}/32` } }];
    if (options.serviceIp !== undefined) peers.push({ ipBlock: { cidr: `${hostAddress(v, 'serviceIp', options.serviceIp)}/32` } });
    return new ClusterDns(peers, dnsPort(v, options.port));
  }

  /**
   * DNS servers at these addresses (a resolver outside the cluster, a DNS Service's cluster IP).
   * @param cidrs IPv4 ranges such as `10.96.0.10/32`
   * @param port the servers' port (default 53)
   */
  public static addresses(cidrs: string[], port?: number): ClusterDns {
    const v = Validator.forFactory('ClusterDns.addresses');
    if (!Array.isArray(cidrs) || cidrs.length === 0) v.fail('cidrs', 'must list at least one IPv4 range', cidrs);
    cidrs.forEach((cidr, i) => {
      validateCidr(v, `cidrs[${i}]`, cidr);
      if (/\/0$/.test(cidr)) v.fail(`cidrs[${i}]`, 'must not admit every address (DNS would then reach any server)', cidr);
    });
    return new ClusterDns(cidrs.map((cidr) => ({ ipBlock: { cidr } })), dnsPort(v, port));
  }

  /**
   * Makes every NetworkPolicy under `scope` (an App or a Chart) allow DNS to `dns` rather than to kube-dns. The
   * nearest scope wins; a team's `clusterDns` wins over both for the policies in the team's namespaces. May be
   * called before or after the workloads are added.
   */
  public static use(scope: IConstruct, dns: ClusterDns): void {
    const v = Validator.forFactory('ClusterDns.use');
    if (!scope || typeof scope.node !== 'object') v.fail('scope', 'must be a construct (an App or a Chart)', scope);
    if (!(dns instanceof ClusterDns)) v.fail('dns', 'must be made with ClusterDns.kubeDns(), nodeLocalCache() or addresses()', dns);
    scopeSettings.set(scope, dns);
  }

  /** @internal The egress rule every policy carries (one frozen object per setting). */
  public readonly _rule: k8s.NetworkPolicyEgressRule;

  private constructor(peers: k8s.NetworkPolicyPeer[], port: number) {
    const ports = [{ port: k8s.IntOrString.fromNumber(port), protocol: 'UDP' }, { port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' }];
    this._rule = deepFreeze({ to: peers, ports });
  }
}

function kubeDnsPeer(v: IValidator, options: KubeDnsOptions): k8s.NetworkPolicyPeer {
  if (options === null || typeof options !== 'object') v.fail('options', 'must be an object', options);
  const namespace = validateDnsLabel(v, 'namespace', options.namespace ?? 'kube-system');
  const podLabels = validateLabels(v, 'podLabels', options.podLabels ?? { 'k8s-app': 'kube-dns' })!;
  if (Object.keys(podLabels).length === 0) v.fail('podLabels', 'must select the DNS pods (at least one label)', podLabels);
  return { namespaceSelector: { matchLabels: { [DNS_NAMESPACE_LABEL]: namespace } }, podSelector: { matchLabels: podLabels } };
}

function dnsPort(v: IValidator, port: number | undefined): number {
  return port === undefined ? 53 : validatePort(v, 'port', port);
}

function hostAddress(v: IValidator, prop: string, address: string): string {
  return validateIpv4Address(v, prop, address);
}

/** Settings made with `ClusterDns.use`, by scope. */
const scopeSettings = new WeakMap<IConstruct, ClusterDns>();
/** Settings of teams, by the root of their construct tree and namespace. */
const namespaceSettings = new WeakMap<IConstruct, Map<string, { dns: ClusterDns; owner: string }>>();

/**
 * Makes `dns` the DNS of every policy in `namespace` within the construct tree of `scope` (a team's `clusterDns`).
 * Two different settings for one namespace are refused, naming both teams.
 */
export function useClusterDnsInNamespace(v: IValidator, scope: IConstruct, namespace: string, dns: ClusterDns, owner: string): void {
  if (!(dns instanceof ClusterDns)) v.fail('clusterDns', 'must be made with ClusterDns.kubeDns(), nodeLocalCache() or addresses()', dns);
  const root = scope.node.root;
  const settings = namespaceSettings.get(root) ?? new Map<string, { dns: ClusterDns; owner: string }>();
  const existing = settings.get(namespace);
  if (existing !== undefined && existing.dns !== dns && JSON.stringify(existing.dns._rule) !== JSON.stringify(dns._rule)) {
    v.fail('clusterDns', `must match the DNS ${existing.owner} set for namespace '${namespace}'`, describeValue(dns._rule.to));
  }
  settings.set(namespace, { dns, owner });
  namespaceSettings.set(root, settings);
}

const KUBE_DNS = ClusterDns.kubeDns();

/** The DNS rule of a policy in `namespace` at `scope`: the namespace's team setting, else the nearest scope's, else kube-dns. */
export function clusterDnsRule(scope: IConstruct, namespace: string | undefined): k8s.NetworkPolicyEgressRule {
  if (namespace !== undefined) {
    const team = namespaceSettings.get(scope.node.root)?.get(namespace);
    if (team !== undefined) return team.dns._rule;
  }
  for (let s: IConstruct | undefined = scope; s !== undefined; s = s.node.scope) {
    const dns = scopeSettings.get(s);
    if (dns !== undefined) return dns._rule;
  }
  return KUBE_DNS._rule;
}
