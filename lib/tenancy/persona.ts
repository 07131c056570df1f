import { Validator } from '../core/errors';
import { RbacRule } from './rbac-rule';

/** The personas a team's Roles are made for. */
export enum Persona {
  /** Data scientists and training runs: manage training Jobs and CronJobs, read their pods and logs, manage claims. */
  TRAINER = 'trainer',
  /** A model server's runtime identity: reads only its own named ConfigMaps and Secrets. */
  MODEL_SERVER = 'model-server',
  /** Pipeline steps and their runners: submit and watch batch Jobs, exchange data through claims and ConfigMaps. */
  PIPELINE_RUNNER = 'pipeline-runner',
  /** People who look but do not touch: read-only access to workloads, logs, events and quotas (never Secrets). */
  VIEWER = 'viewer',
}


/** The personas that run as a workload identity (a ServiceAccount), in the order their accounts are made. */
export const WORKLOAD_PERSONAS = [Persona.TRAINER, Persona.MODEL_SERVER, Persona.PIPELINE_RUNNER];

/** A person or group from the cluster's authenticator (e.g. OIDC claims) that a persona is bound to. */
export class Subject {
  /** A user, as the authenticator names it (`alice@example.com`, `oidc:alice`). */
  public static user(name: string): Subject {
    return new Subject('User', Subject.check('Subject.user', name));
  }

  /** A group, as the authenticator names it (`oidc:ml-vision`, `ml-vision@example.com`). */
  public static group(name: string): Subject {
    return new Subject('Group', Subject.check('Subject.group', name));
  }

  private static check(factory: string, name: string): string {
    if (typeof name !== 'string' || name.trim() === '' || name !== name.trim() || name.startsWith('system:')) {
      Validator.forFactory(factory).fail('name', 'must be a non-empty name without surrounding spaces, not a system: identity', name);
    }
    return name;
  }

  private constructor(
    /** `User` or `Group`. */
    public readonly kind: 'User' | 'Group',
    /** The user or group name. */
    public readonly name: string,
  ) {}
}

/** A human user or group bound to one of the team's personas. */
export interface TeamMember {
  /** Who: `Subject.user(...)` or `Subject.group(...)`. */
  readonly subject: Subject;
  /** The persona whose Role they get. */
  readonly persona: Persona;
}

/** Options shared by every persona. */
export interface PersonaOptions {
  /**
   * The name of the persona's ServiceAccount, Role and RoleBinding.
   * @default - `<team>-<persona>`, e.g. `vision-trainer`
   */
  readonly name?: string;
  /**
   * More permissions for this persona, checked against the {@link ApiResource} catalog.
   * @default - none
   */
  readonly extraRules?: RbacRule[];
}

/** Options of the persona that runs as a workload identity (a ServiceAccount). */
export interface WorkloadPersonaOptions extends PersonaOptions {
  /**
   * The name of the persona's ServiceAccount.
   * @default - the persona's `name`
   */
  readonly serviceAccountName?: string;
  /**
   * Create a long-lived token Secret `<name>-token` for this ServiceAccount (for a client outside the cluster that
   * calls the API). The ServiceAccount is then annotated `kubernetes.io/enforce-mountable-secrets: "true"`: its pods
   * may use only the Secrets in `mountableSecrets` (never the token itself). Pods never mount a token unless they ask
   * for one.
   * @default false
   */
  readonly tokenSecret?: boolean;
  /**
   * With `tokenSecret`, the Secrets the account's pods may use as volumes or env (`secretKeyRef`, `envFrom`): the
   * admission plugin rejects a pod that references any other, such as a workload's MLflow credentials left out here.
   * @default - none (for the model server: its `secrets`)
   */
  readonly mountableSecrets?: string[];
}

/**
 * Options of the personas that create Jobs (trainer, pipeline runner). They may create ConfigMaps and claims and read
 * them all, but change or delete only those named here: never a server's configuration (a feature server's
 * `feature_store.yaml`) or another run's data.
 */
export interface JobPersonaOptions extends WorkloadPersonaOptions {
  /**
   * ConfigMaps the persona may update, patch and delete, by name (RBAC cannot say "the ones it created").
   * @default - none: it creates ConfigMaps and reads them all, and changes none
   */
  readonly editableConfigMaps?: string[];
  /**
   * PersistentVolumeClaims the persona may delete, by name (a trainer with `allowDelete: false` deletes none).
   * @default - none: it creates claims and reads them all, and deletes none
   */
  readonly deletableClaims?: string[];
}

/** Options of the trainer persona. */
export interface TrainerOptions extends JobPersonaOptions {
  /**
   * Allow deleting Jobs, CronJobs and pods. `false` gives "create and monitor, but not delete".
   * @default true
   */
  readonly allowDelete?: boolean;
  /**
   * Allow `kubectl exec` into the team's pods (`pods/exec`): a shell in a pod has everything the pod has.
   * @default false
   */
  readonly allowPodExec?: boolean;
}

/** Options of the model server runtime persona. */
export interface ModelServerOptions extends WorkloadPersonaOptions {
  /**
   * The ConfigMaps the server may read (by name; no listing).
   * @default - none
   */
  readonly configMaps?: string[];
  /**
   * The Secrets the server may read (by name; no listing). They are also the only Secrets its pods may mount
   * when `tokenSecret` enforces mountable secrets.
   * @default - none
   */
  readonly secrets?: string[];
}
