// Platform check: connect() between two teams only when acknowledged. A connection hands the workload the service's
// URL and credentials and opens a network path between the two teams' namespaces, which tenancy otherwise keeps
// apart.
import { describeConstruct, PlatformCheck } from '../core/platform';
import { connectionsOf } from '../core/workload';
import { Team } from './team';

/** The cross-team check, registered by MlRbac (which knows the teams' namespaces). */
export const CROSS_TEAM_WIRING: PlatformCheck = {
  id: 'cross-team-wiring',
  check(_objects, root) {
    const connections = connectionsOf(root).filter((c) => !c.acrossTeams);
    if (connections.length === 0) return [];
    const teams = new Map<string, Team>();
    for (const c of root.node.findAll()) if (c instanceof Team) for (const ns of c.namespaces) teams.set(ns, c);
    const messages: string[] = [];
    for (const c of connections) {
      const serverTeam = c.serviceNamespace === undefined ? undefined : teams.get(c.serviceNamespace);
      const clientTeam = c.workload.namespace === undefined ? undefined : teams.get(c.workload.namespace);
      if (serverTeam === undefined || clientTeam === undefined || serverTeam === clientTeam) continue;
      messages.push(`${describeConstruct(c.workload)} of team '${clientTeam.teamName}' (namespace '${c.workload.namespace}') is connected to ${describeConstruct(c.service)} `
        + `of team '${serverTeam.teamName}' (namespace '${c.serviceNamespace}'): connect() hands it the service's URL and credentials and opens a network path between `
        + 'the two teams\' namespaces, which tenancy keeps apart; pass { acrossTeams: true } to connect() if it is meant');
    }
    return messages;
  },
};
