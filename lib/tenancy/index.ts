// Team tenancy (MlRbac): what users write. The render steps in this folder stay internal. Listed in the order the
// API reference was generated from (TypeDoc orders "extended by" lists by export order).
export { Verb, ApiResource } from './api-resource';
export type { RbacRule } from './rbac-rule';
export { Persona, Subject } from './persona';
export type { TeamMember, PersonaOptions, WorkloadPersonaOptions, JobPersonaOptions, TrainerOptions, ModelServerOptions } from './persona';
export type { AcceleratorQuota, TeamQuota, TeamLimitDefaults } from './quota';
export type { ResourceFlavorOptions, ClusterQueueFlavorOptions, TeamClusterQueueOptions } from './cluster-queue';
export type { TeamQueueOptions } from './queue';
export type { WorkloadPriorityOptions } from './priority';
export type { TeamOptions } from './team';
export type { MlRbacProps } from './ml-rbac';
export { MlRbac } from './ml-rbac';
export { Team } from './team';
