import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';

/** Where a request comes from (all given fields must match). */
export interface AuthorizationSource {
  /** Peer identities, `cluster.local/ns/<namespace>/sa/<service account>`. */
  readonly principals?: string[];
  /** Peer namespaces. */
  readonly namespaces?: string[];
}

/** What a request does (all given fields must match). */
export interface AuthorizationOperation {
  /** HTTP methods. */
  readonly methods?: string[];
  /** HTTP paths (`*` as a prefix or suffix wildcard). */
  readonly paths?: string[];
  /** Destination ports. */
  readonly ports?: string[];
}

/** One rule: requests from any of `from` doing any of `to`. */
export interface AuthorizationRule {
  readonly from?: Array<{ readonly source: AuthorizationSource }>;
  readonly to?: Array<{ readonly operation: AuthorizationOperation }>;
}

/** The spec of an Istio AuthorizationPolicy (the subset the library emits). */
export interface AuthorizationPolicySpec {
  /** The workload's pods. */
  readonly selector: { readonly matchLabels: Record<string, string> };
  /** `ALLOW`: only requests matching a rule are let through. */
  readonly action: 'ALLOW' | 'DENY';
  readonly rules: AuthorizationRule[];
}

/** Props of {@link AuthorizationPolicy}. */
export interface AuthorizationPolicyProps {
  readonly metadata: ApiObjectMetadata;
  readonly spec: AuthorizationPolicySpec;
}

/**
 * An Istio `security.istio.io/v1` AuthorizationPolicy. No CRD is imported for it, so this small typed class
 * renders exactly the fields above.
 */
export class AuthorizationPolicy extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy' };

  public constructor(scope: Construct, id: string, props: AuthorizationPolicyProps) {
    super(scope, id, { ...AuthorizationPolicy.GVK, metadata: props.metadata, spec: props.spec });
  }
}
