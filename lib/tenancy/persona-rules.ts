// The Roles each persona starts with: least privilege for what the persona does, never Secret listing.
import { IValidator } from '../core/errors';
import { ApiResource, POD_EXEC, READ, Verb } from './api-resource';
import { JobPersonaOptions, ModelServerOptions, Persona, TrainerOptions } from './persona';
import { GroupRule, rules, validateObjectNames } from './rbac-rule';

/** The persona options of a team that shape the built-in rules. */
export interface BuiltInRuleOptions {
  readonly trainer?: TrainerOptions;
  readonly modelServer?: ModelServerOptions;
  readonly pipelineRunner?: JobPersonaOptions;
}

/** The Role rules each persona starts with. */
export function builtInRules(v: IValidator, persona: Persona, options: BuiltInRuleOptions): GroupRule[] {
  switch (persona) {
    case Persona.TRAINER: return trainerRules(v, options.trainer ?? {});
    case Persona.MODEL_SERVER: return modelServerRules(v, options.modelServer ?? {});
    case Persona.PIPELINE_RUNNER: return pipelineRunnerRules(v, options.pipelineRunner ?? {});
    case Persona.VIEWER: return viewerRules();
  }
}

/**
 * ConfigMaps and claims for a persona that creates Jobs: create and read any, change or delete only the named ones
 * (`prop` names the persona's options in messages).
 */
function dataRules(v: IValidator, prop: string, options: JobPersonaOptions, mayDelete: boolean): GroupRule[] {
  const R = ApiResource;
  const configMaps = validateObjectNames(v, `${prop}.editableConfigMaps`, options.editableConfigMaps);
  const claims = validateObjectNames(v, `${prop}.deletableClaims`, options.deletableClaims);
  if (!mayDelete && claims.length > 0) v.fail(`${prop}.deletableClaims`, 'must be empty with allowDelete: false', claims);
  return [
    ...rules([R.PERSISTENT_VOLUME_CLAIMS, R.CONFIG_MAPS], [Verb.CREATE, ...READ]),
    ...(configMaps.length > 0 ? rules([R.CONFIG_MAPS], [Verb.UPDATE, Verb.PATCH, Verb.DELETE], configMaps) : []),
    ...(claims.length > 0 ? rules([R.PERSISTENT_VOLUME_CLAIMS], [Verb.DELETE], claims) : []),
  ];
}

function trainerRules(v: IValidator, trainer: TrainerOptions): GroupRule[] {
  const R = ApiResource;
  const manage = trainer.allowDelete === false ? [Verb.CREATE, ...READ] : [Verb.CREATE, ...READ, Verb.DELETE];
  const pods = trainer.allowDelete === false ? READ : [...READ, Verb.DELETE];
  return [
    // Training pods are made through Jobs so that Kueue admits them; trainers do not create bare pods.
    ...rules([R.JOBS, R.CRON_JOBS], manage),
    ...rules([R.PODS], pods),
    ...rules([R.POD_LOGS], [Verb.GET]),
    ...dataRules(v, 'trainer', trainer, trainer.allowDelete !== false),
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

function pipelineRunnerRules(v: IValidator, runner: JobPersonaOptions): GroupRule[] {
  const R = ApiResource;
  return [
    ...rules([R.JOBS], [Verb.CREATE, ...READ, Verb.DELETE]),
    ...rules([R.CRON_JOBS, R.PODS, R.EVENTS, R.KUEUE_WORKLOADS], READ),
    ...rules([R.POD_LOGS], [Verb.GET]),
    ...dataRules(v, 'pipelineRunner', runner, true),
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
