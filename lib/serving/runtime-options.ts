import { Duration } from 'cdk8s';
import { IValidator, PortSpec, SecretValue } from '../core';

/** A probe of a runtime: an HTTP GET of `path` on the named port, or a TCP connect when there is no path. */
export interface RuntimeProbe {
  /** The name of one of the runtime's ports. */
  readonly port: string;
  /**
   * The HTTP path to GET (a 2xx or 3xx answer is healthy).
   * @default - a TCP connect to the port
   */
  readonly path?: string;
}

/** The health checks of a runtime. */
export interface RuntimeProbes {
  /**
   * Checked until the model is loaded; liveness and readiness start only after it succeeds, so a slow load is
   * not killed.
   * @default - the readiness probe
   */
  readonly startup?: RuntimeProbe;
  /** Decides whether the pod receives traffic. */
  readonly readiness: RuntimeProbe;
  /** Restarts a pod that stopped answering. */
  readonly liveness: RuntimeProbe;
}

/** Where a runtime serves Prometheus metrics. */
export interface RuntimeMetrics {
  /** The name of one of the runtime's ports. */
  readonly port: string;
  /**
   * The HTTP path.
   * @default '/metrics'
   */
  readonly path?: string;
}

/** PromQL over a runtime's own metrics, for alerts. `selector` is a label matcher list such as `job="x"`. */
export interface RuntimeAlertQueries {
  /** Request latency in seconds (which statistic depends on what the runtime exports; said in `latencyStatistic`). */
  readonly latencySeconds?: (selector: string) => string;
  /** What `latencySeconds` measures, for alert descriptions (`p99`, `mean`). */
  readonly latencyStatistic?: string;
  /** The fraction of requests that failed, from 0 to 1. */
  readonly errorRatio?: (selector: string) => string;
}

/** Options every preset takes. */
export interface RuntimePresetOptions {
  /**
   * The image, pinned by tag or digest.
   * @default - the preset's pinned image (a GPU build when the server has a GPU, where the runtime publishes one)
   */
  readonly image?: string;
  /**
   * Arguments appended to the preset's.
   * @default - none
   */
  readonly extraArgs?: string[];
}

/** Options of {@link ServingRuntime.tfServing}. */
export interface TfServingOptions extends RuntimePresetOptions {
  /** The model's name: the URL path `/v1/models/<name>` and the directory `/models/<name>` holding its versions. */
  readonly modelName: string;
}

/** Options of {@link ServingRuntime.vllm}. */
export interface VllmOptions extends RuntimePresetOptions {
  /**
   * A Hugging Face model id downloaded when the server starts (`meta-llama/Llama-3.1-8B-Instruct`).
   * @default - the weights come from the ModelServer's `model` source, mounted at `/models`
   */
  readonly model?: string;
  /**
   * The model name clients send in OpenAI API requests.
   * @default - the model id, or the ModelServer's name when the weights come from a model source
   */
  readonly servedModelName?: string;
  /**
   * A Hugging Face token for gated models.
   * @default - no token
   */
  readonly huggingFaceToken?: SecretValue;
  /**
   * The addresses the server downloads `model` from (a Hugging Face mirror or proxy's range), the only ones it may
   * reach on port 443.
   * @default '0.0.0.0/0' (any address, on port 443 only)
   */
  readonly downloadCidr?: string;
  /**
   * GPUs to shard the model over (`--tensor-parallel-size`).
   * @default - every GPU of the pod
   */
  readonly tensorParallelSize?: number;
}

/** Options of {@link ServingRuntime.custom}. */
export interface CustomRuntimeOptions {
  /** The image, pinned by tag or digest. */
  readonly image: string;
  /** The container's ports. The first is the one clients call unless `servingPort` says otherwise. */
  readonly ports: PortSpec[];
  /** Health checks, naming ports of `ports`. */
  readonly probes: RuntimeProbes;
  /**
   * The port clients call (a name from `ports`).
   * @default - the first port
   */
  readonly servingPort?: string;
  /**
   * Where the image serves Prometheus metrics.
   * @default - no metrics
   */
  readonly metrics?: RuntimeMetrics;
  /**
   * The command.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the image's cmd
   */
  readonly args?: string[];
  /**
   * Where the model is placed in the container.
   * @default '/models'
   */
  readonly modelPath?: string;
  /**
   * Writable directories the image needs (the root filesystem is read-only).
   * @default - only /tmp
   */
  readonly writablePaths?: string[];
  /**
   * PromQL for the latency and error-rate alerts.
   * @default - no alerts can be derived
   */
  readonly alertQueries?: RuntimeAlertQueries;
  /**
   * Files the image reads (a model or server config), rendered into a ConfigMap `<name>-config` and mounted
   * read-only at their paths.
   * @default - none
   */
  readonly configFiles?: RuntimeConfigFile[];
}

/** A file a runtime reads, rendered into a ConfigMap by the ModelServer. */
export interface RuntimeConfigFile {
  /** The file's absolute path in the container. */
  readonly path: string;
  /** The content. */
  readonly content: string;
}

/** What a runtime needs from the server it runs in. */
export interface RuntimeContext {
  /** The server's name (the default served model name). */
  readonly serverName: string;
  /** GPUs per pod (0 without). */
  readonly gpus: number;
  /** True when the ModelServer has a `model` source. */
  readonly hasModelSource: boolean;
}

/** Everything a runtime is made of: what the presets and `ServingRuntime.custom` produce. */
export interface RuntimeDefinition {
  readonly kind: string;
  readonly image: string;
  readonly gpuImage?: string;
  readonly imageOverridden: boolean;
  readonly ports: PortSpec[];
  readonly servingPort: string;
  readonly probes: RuntimeProbes;
  readonly metrics?: RuntimeMetrics;
  readonly modelPath: string;
  readonly command?: string[];
  readonly args: (ctx: RuntimeContext, v: IValidator) => string[] | undefined;
  readonly secretEnv?: Record<string, SecretValue>;
  readonly writablePaths?: string[];
  readonly configFiles?: RuntimeConfigFile[];
  readonly sharedMemory?: boolean;
  readonly downloadsFromInternet?: boolean;
  /** The addresses of those downloads (every address when not set). */
  readonly downloadCidr?: string;
  readonly startupBudget?: Duration;
  readonly kserveFormat?: string;
  readonly alerts: RuntimeAlertQueries;
}
