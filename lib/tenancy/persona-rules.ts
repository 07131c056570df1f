// The Roles each persona starts with: least privilege for what the persona does, never Secret listing.
import { IValidator } from '../core/errors';
import { ApiResource, POD_EXEC, READ, Verb } from './api-resource';
import { ModelServerOptions, Persona, TrainerOptions } from './persona';
import { GroupRule, rules, validateObjectNames } from './rbac-rule';

/** The persona options of a team that shape the built-in rules. */
export interface BuiltInRuleOptions {
  readonly trainer?: TrainerOptions;
  readonly modelServer?: ModelServerOptions;
}

/** The Role rules each persona starts with. */
export function builtInRules(v: IValidator, persona: Persona, options: BuiltInRuleOptions): GroupRule[] {
  switch (persona) {
    case Persona.TRAINER: return trainerRules(options.trainer ?? {});
    case Persona.MODEL_SERVER: return modelServerRules(v, options.modelServer ?? {});
    case Persona.PIPELINE_RUNNER: return pipelineRunnerRules();
    case Persona.VIEWER: return viewerRules();
  }
}

function trainerRules(trainer: TrainerOptions): GroupRule[] {
  const R = ApiResource;
  const manage = trainer.allowDelete === false ? [Verb.CREATE, ...READ] : [Verb.CREATE, ...READ, Verb.DELETE];
  const pods = trainer.allowDelete === false ? READ : [...READ, Verb.DELETE];
  return [
    // Training pods are made through Jobs so that Kueue admits them; trainers do not create bare pods.
    ...rules([R.JOBS, R.CRON_JOBS], manage),
    ...rules([R.PODS], pods),
    ...rules([R.POD_LOGS], [Verb.GET]),
    ...rules([R.PERSISTENT_VOLUME_CLAIMS], [Verb.CREATE, ...READ, Verb.DELETE]),
    ...rules([R.CONFIG_MAPS], [Verb.CREATE, ...READ, Verb.UPDATE, Verb.PATCH, Verb.DELETE]),
    ...rules([R.EVENTS, R.KUEUE_WORKLOADS, R.LOCAL_QUEUES], READ),
    // kubectl exec opens pods/exec with a POST, which RBAC sees as create.
    ...(trainer.allowPodExec === true ? [{ apiGroup: POD_EXEC.apiGroup, resources: [POD_EXEC.resource], verbs: [Verb.CREATE] }] : []),
  ];
}

/** A server reads only the ConfigMaps and Secrets it is given, by name. */
function modelServerRules(v: IValidator, server: ModelServerOptions): GroupRule[] {
  const R = ApiResource;
  const configMaps = validateObjectNames(v, 'modelServer.configMaps', server.configMaps);
  const secrets = validateObjectNames(v, 'modelServer.secrets', server.secrets);
  return [
    ...(configMaps.length > 0 ? rules([R.CONFIG_MAPS], [Verb.GET], configMaps) : []),
    ...(secrets.length > 0 ? rules([R.SECRETS], [Verb.GET], secrets) : []),
  ];
}

function pipelineRunnerRules(): GroupRule[] {
  const R = ApiResource;
  return [
    ...rules([R.JOBS], [Verb.CREATE, ...READ, Verb.DELETE]),
    ...rules([R.CRON_JOBS, R.PODS, R.EVENTS, R.KUEUE_WORKLOADS], READ),
    ...rules([R.POD_LOGS], [Verb.GET]),
    ...rules([R.PERSISTENT_VOLUME_CLAIMS], [Verb.CREATE, ...READ, Verb.DELETE]),
    ...rules([R.CONFIG_MAPS], [Verb.CREATE, ...READ, Verb.UPDATE, Verb.PATCH, Verb.DELETE]),
  ];
}

function viewerRules(): GroupRule[] {
  const R = ApiResource;
  return [
    ...rules([R.PODS, R.JOBS, R.CRON_JOBS, R.PERSISTENT_VOLUME_CLAIMS, R.CONFIG_MAPS, R.SERVICES, R.EVENTS, R.DEPLOYMENTS,
      R.KUEUE_WORKLOADS, R.LOCAL_QUEUES, R.RESOURCE_QUOTAS, R.LIMIT_RANGES], READ),
    ...rules([R.POD_LOGS], [Verb.GET]),
  ];
}
