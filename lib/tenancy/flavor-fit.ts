// Kueue's flavor assignment, replayed at synth on an empty cluster: a queued workload that does not fit its
// ClusterQueue then (all its pods at once, each pod set on one flavor of each resource group, flavors tried in order,
// node labels and taints matched) is never admitted. Kueue assigns pod sets one after the other without going back,
// and so does this check.
import { describeObject, PlatformObject } from '../core/platform';
import { formatAmount, PodSet, podResources } from '../core/pod-sets';
import { quantityToNumber } from '../core/validation';

/** A ResourceFlavor's node labels and taints, as the app writes it. */
export interface FlavorNodes {
  readonly nodeLabels: Record<string, string>;
  readonly nodeTaints: Array<{ key?: string; value?: string; effect?: string }>;
}

/** A flavor of a resource group: how much of each resource the ClusterQueue can use of it. */
interface FlavorQuota {
  readonly name: string;
  readonly nominal: Map<string, number>;
  /** Nominal quota plus what it may borrow (Infinity in a cohort without a borrowing limit). */
  readonly capacity: Map<string, number>;
}

interface Group {
  readonly covered: string[];
  readonly flavors: FlavorQuota[];
}

const amount = (q: unknown): number => (typeof q === 'number' ? q : quantityToNumber(String(q)));

/** The resource groups of a ClusterQueue manifest, with each flavor's capacity. */
export function resourceGroups(spec: any): Group[] {
  const cohort = (spec?.cohortName ?? spec?.cohort) !== undefined;
  return (spec?.resourceGroups ?? []).map((group: any) => ({
    covered: [...(group?.coveredResources ?? [])],
    flavors: (group?.flavors ?? []).map((f: any) => {
      const nominal = new Map<string, number>();
      const capacity = new Map<string, number>();
      for (const r of f?.resources ?? []) {
        const n = amount(r.nominalQuota);
        nominal.set(r.name, n);
        capacity.set(r.name, !cohort ? n : r.borrowingLimit === undefined ? Infinity : n + amount(r.borrowingLimit));
      }
      return { name: f?.name, nominal, capacity };
    }),
  }));
}

/** Whether a node affinity expression holds for a node with label `key` = `value`. */
function holds(e: any, value: string): boolean {
  const values: string[] = e?.values ?? [];
  switch (e?.operator) {
    case 'In': return values.includes(value);
    case 'NotIn': return !values.includes(value);
    case 'DoesNotExist': return false;
    case 'Gt': return Number(value) > Number(values[0]);
    case 'Lt': return Number(value) < Number(values[0]);
    default: return true;
  }
}

/** Why a flavor's nodes cannot run pods of `spec` (as Kueue decides it), or undefined when they can. */
export function flavorMismatch(flavor: FlavorNodes | undefined, spec: any): string | undefined {
  if (flavor === undefined) return undefined;
  for (const [key, value] of Object.entries(flavor.nodeLabels)) {
    const selected = spec?.nodeSelector?.[key];
    if (selected !== undefined && selected !== value) return `its nodes have ${key}=${value}, but the pods select ${key}=${selected}`;
  }
  const terms: any[] = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const termHolds = (t: any) => (t?.matchExpressions ?? []).every((e: any) => flavor.nodeLabels[e?.key] === undefined || holds(e, flavor.nodeLabels[e.key]));
  if (terms.length > 0 && !terms.some(termHolds)) {
    const labels = Object.entries(flavor.nodeLabels).map(([k, v]) => `${k}=${v}`).join(', ');
    return `the pods' required node affinity excludes its nodes (${labels})`;
  }
  const tolerations: any[] = spec?.tolerations ?? [];
  for (const taint of flavor.nodeTaints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    const tolerated = tolerations.some((t) => (t?.key === taint.key || (!t?.key && t?.operator === 'Exists'))
      && (t?.operator === 'Exists' || (t?.value ?? '') === (taint.value ?? '')) && (!t?.effect || t.effect === taint.effect));
    if (!tolerated) return `its nodes are tainted ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}, which the pods do not tolerate`;
  }
  return undefined;
}

const describeCapacity = (f: FlavorQuota, r: string): string => {
  const nominal = f.nominal.get(r) ?? 0;
  const capacity = f.capacity.get(r) ?? 0;
  return capacity === nominal ? `${formatAmount(r, nominal)}` : `${formatAmount(r, capacity)} (nominal ${formatAmount(r, nominal)} + borrowing limit ${formatAmount(r, capacity - nominal)})`;
};

/** What a workload's pods request in all, by resource. */
function totals(sets: PodSet[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const set of sets) podResources(set.spec).requests.forEach((value, r) => total.set(r, (total.get(r) ?? 0) + value * set.count));
  return total;
}

/** The whole workload against all flavors of the ClusterQueue together: more than they hold is never admitted. */
function checkTotals(o: PlatformObject, via: string, groups: Group[], sets: PodSet[], cohort: boolean): string[] {
  const messages: string[] = [];
  for (const [r, value] of totals(sets)) {
    const group = groups.find((g) => g.covered.includes(r));
    if (value === 0 || group === undefined) continue;
    const held = group.flavors.reduce((sum, f) => sum + (f.capacity.get(r) ?? 0), 0);
    if (value <= held) continue;
    let quota: string;
    if (group.flavors.length === 1) {
      const f = group.flavors[0];
      quota = cohort ? `whose quota is ${describeCapacity(f, r)}` : `whose nominal quota is ${formatAmount(r, f.nominal.get(r) ?? 0)} and which has no cohort to borrow from`;
    } else {
      quota = `whose flavors hold ${formatAmount(r, held)} together (${group.flavors.map((f) => `'${f.name}' ${describeCapacity(f, r)}`).join(', ')})`;
    }
    messages.push(`${o.owner}: ${describeObject(o)} requests ${formatAmount(r, value)} ${r} for all its pods at once, but ${via}, ${quota}: Kueue never admits it`);
  }
  return messages;
}

/** Each pod set on the first flavor that takes it, as Kueue assigns them on an empty cluster. */
function checkAssignment(o: PlatformObject, via: string, groups: Group[], sets: PodSet[], flavors: Map<string, FlavorNodes>): string[] {
  const used = new Map<string, number>();
  const key = (f: FlavorQuota, r: string) => `${f.name}/${r}`;
  for (const set of sets) {
    const one = podResources(set.spec).requests;
    for (const group of groups) {
      const need = [...one].filter(([r, v]) => v > 0 && group.covered.includes(r)).map(([r, v]): [string, number] => [r, v * set.count]);
      if (need.length === 0) continue;
      const reasons: string[] = [];
      const chosen = group.flavors.find((f) => {
        const mismatch = flavorMismatch(flavors.get(f.name), set.spec);
        if (mismatch !== undefined) return reasons.push(`'${f.name}': ${mismatch}`) < 0;
        const short = need.filter(([r, v]) => (used.get(key(f, r)) ?? 0) + v > (f.capacity.get(r) ?? 0));
        if (short.length === 0) return true;
        reasons.push(`'${f.name}': ${short.map(([r, v]) => `holds ${describeCapacity(f, r)} ${r}${used.has(key(f, r)) ? `, ${formatAmount(r, used.get(key(f, r))!)} of it for the pod sets before` : ''}, not ${formatAmount(r, v)}`).join('; ')}`);
        return false;
      });
      if (chosen === undefined) {
        const asked = need.map(([r, v]) => `${formatAmount(r, v)} ${r}`).join(', ');
        return [`${o.owner}: ${describeObject(o)} cannot be admitted: ${via}, and no flavor of it takes its ${set.role} (${set.count} at once, ${asked} in all): ${reasons.join('; ')}: Kueue never admits it`];
      }
      for (const [r, v] of need) used.set(key(chosen, r), (used.get(key(chosen, r)) ?? 0) + v);
    }
  }
  return [];
}

/** A queued workload against its ClusterQueue's flavors: quota of all flavors together, then each pod set's flavor. */
export function checkFlavorFit(o: PlatformObject, cq: PlatformObject, via: string, sets: PodSet[], flavors: Map<string, FlavorNodes>): string[] {
  const spec = cq.manifest().spec ?? {};
  const groups = resourceGroups(spec);
  const totalsMessages = checkTotals(o, via, groups, sets, (spec.cohortName ?? spec.cohort) !== undefined);
  return totalsMessages.length > 0 ? totalsMessages : checkAssignment(o, via, groups, sets, flavors);
}
