// The RBAC vocabulary of team Roles: the verbs and the catalog of API resources rules may name.

/** An RBAC verb. Wildcards (`*`) and the privilege-changing verbs (`escalate`, `bind`, `impersonate`) are not offered. */
export enum Verb {
  GET = 'get',
  LIST = 'list',
  WATCH = 'watch',
  CREATE = 'create',
  UPDATE = 'update',
  PATCH = 'patch',
  DELETE = 'delete',
  DELETE_COLLECTION = 'deletecollection',
}

/** Read access: what viewers and monitoring rules grant. */
export const READ = [Verb.GET, Verb.LIST, Verb.WATCH];
/** Every verb the library offers, in the enum's order (the order messages list them in). */
export const ALL_VERBS = Object.values(Verb) as Verb[];

/**
 * A namespaced API resource a team Role may name, with the API group it really lives in and the verbs it serves.
 * Only these can appear in rules, so `jobs` in the core group, a made-up resource or a wildcard cannot be written.
 * `pods/exec` is deliberately absent: it is granted only by `TrainerOptions.allowPodExec`.
 */
export class ApiResource {
  private static readonly catalog: ApiResource[] = [];

  /** Pods (core group). */
  public static readonly PODS = new ApiResource('', 'pods', ALL_VERBS);
  /** Container logs of pods (core group; read only). */
  public static readonly POD_LOGS = new ApiResource('', 'pods/log', [Verb.GET]);
  /** ConfigMaps (core group). */
  public static readonly CONFIG_MAPS = new ApiResource('', 'configmaps', ALL_VERBS);
  /** Secrets (core group); `list`, `watch` and `deletecollection` are refused in team Roles. */
  public static readonly SECRETS = new ApiResource('', 'secrets', ALL_VERBS);
  /** Services (core group). */
  public static readonly SERVICES = new ApiResource('', 'services', ALL_VERBS);
  /** PersistentVolumeClaims (core group). */
  public static readonly PERSISTENT_VOLUME_CLAIMS = new ApiResource('', 'persistentvolumeclaims', ALL_VERBS);
  /** Events (core group; read only). */
  public static readonly EVENTS = new ApiResource('', 'events', READ);
  /** ResourceQuotas (core group; read only: a team must not raise its own quota). */
  public static readonly RESOURCE_QUOTAS = new ApiResource('', 'resourcequotas', READ);
  /** LimitRanges (core group; read only). */
  public static readonly LIMIT_RANGES = new ApiResource('', 'limitranges', READ);
  /** Jobs (group `batch`). */
  public static readonly JOBS = new ApiResource('batch', 'jobs', ALL_VERBS);
  /** CronJobs (group `batch`). */
  public static readonly CRON_JOBS = new ApiResource('batch', 'cronjobs', ALL_VERBS);
  /** Deployments (group `apps`). */
  public static readonly DEPLOYMENTS = new ApiResource('apps', 'deployments', ALL_VERBS);
  /** StatefulSets (group `apps`). */
  public static readonly STATEFUL_SETS = new ApiResource('apps', 'statefulsets', ALL_VERBS);
  /** HorizontalPodAutoscalers (group `autoscaling`). */
  public static readonly HORIZONTAL_POD_AUTOSCALERS = new ApiResource('autoscaling', 'horizontalpodautoscalers', ALL_VERBS);
  /** PodDisruptionBudgets (group `policy`). */
  public static readonly POD_DISRUPTION_BUDGETS = new ApiResource('policy', 'poddisruptionbudgets', ALL_VERBS);
  /** Ingresses (group `networking.k8s.io`). */
  public static readonly INGRESSES = new ApiResource('networking.k8s.io', 'ingresses', ALL_VERBS);
  /** Kubeflow PyTorchJobs (group `kubeflow.org`). */
  public static readonly PYTORCH_JOBS = new ApiResource('kubeflow.org', 'pytorchjobs', ALL_VERBS);
  /** Kubeflow TFJobs (group `kubeflow.org`). */
  public static readonly TF_JOBS = new ApiResource('kubeflow.org', 'tfjobs', ALL_VERBS);
  /** Kubeflow MPIJobs (group `kubeflow.org`). */
  public static readonly MPI_JOBS = new ApiResource('kubeflow.org', 'mpijobs', ALL_VERBS);
  /** JobSets (group `jobset.x-k8s.io`). */
  public static readonly JOB_SETS = new ApiResource('jobset.x-k8s.io', 'jobsets', ALL_VERBS);
  /** KServe InferenceServices (group `serving.kserve.io`). */
  public static readonly INFERENCE_SERVICES = new ApiResource('serving.kserve.io', 'inferenceservices', ALL_VERBS);
  /** Argo Workflows (group `argoproj.io`). */
  public static readonly ARGO_WORKFLOWS = new ApiResource('argoproj.io', 'workflows', ALL_VERBS);
  /** Kueue Workloads, the admission state of queued jobs (group `kueue.x-k8s.io`; read only). */
  public static readonly KUEUE_WORKLOADS = new ApiResource('kueue.x-k8s.io', 'workloads', READ);
  /** Kueue LocalQueues (group `kueue.x-k8s.io`; read only: the platform owns them). */
  public static readonly LOCAL_QUEUES = new ApiResource('kueue.x-k8s.io', 'localqueues', READ);

  /** Every resource rules may name. */
  public static get all(): ApiResource[] {
    return [...ApiResource.catalog];
  }

  private constructor(
    /** The API group (`''` is the core group). */
    public readonly apiGroup: string,
    /** The resource, with its subresource if any (`pods/log`). */
    public readonly resource: string,
    /** The verbs the API serves for it. */
    public readonly verbs: Verb[],
  ) {
    ApiResource.catalog.push(this);
  }

  /** `jobs.batch`, or `pods` for the core group: how kubectl names it. */
  public toString(): string {
    return this.apiGroup === '' ? this.resource : `${this.resource}.${this.apiGroup}`;
  }
}

/** `pods/exec`: outside the catalog so that it cannot be granted by accident, only by `allowPodExec`. */
export const POD_EXEC: Pick<ApiResource, 'apiGroup' | 'resource'> = { apiGroup: '', resource: 'pods/exec' };
