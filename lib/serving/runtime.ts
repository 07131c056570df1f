import { Duration } from 'cdk8s';
import { IValidator, PortSpec, SecretValue, Validator } from '../core';
import { validateImage, validateMountPath, validatePort } from '../core/validation';

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

/**
 * The model server software: its image, ports, arguments, health endpoints and metrics. Presets carry the real
 * ports and endpoints of Triton, TensorFlow Serving, TorchServe and vLLM; `custom` describes any other image.
 */
export class ServingRuntime {
  /**
   * NVIDIA Triton Inference Server: HTTP 8000, gRPC 8001, metrics 8002; health `/v2/health/live` and
   * `/v2/health/ready` (ready once the models are loaded). Serves the model repository at `/models`.
   */
  public static triton(options: RuntimePresetOptions = {}): ServingRuntime {
    const modelPath = '/models';
    return new ServingRuntime({
      kind: 'triton',
      image: options.image ?? 'nvcr.io/nvidia/tritonserver:24.08-py3',
      imageOverridden: options.image !== undefined,
      ports: [{ name: 'http', port: 8000 }, { name: 'grpc', port: 8001 }, { name: 'metrics', port: 8002 }],
      servingPort: 'http',
      probes: {
        startup: { port: 'http', path: '/v2/health/ready' },
        readiness: { port: 'http', path: '/v2/health/ready' },
        liveness: { port: 'http', path: '/v2/health/live' },
      },
      metrics: { port: 'metrics', path: '/metrics' },
      modelPath,
      // The image's entrypoint sets up the environment and runs its arguments.
      args: () => ['tritonserver', `--model-repository=${modelPath}`, '--http-port=8000', '--grpc-port=8001', '--metrics-port=8002', ...(options.extraArgs ?? [])],
      kserveFormat: 'triton',
      alerts: {
        // Triton exports cumulative durations and counts, so the alert uses the mean.
        latencySeconds: (s) => `sum(rate(nv_inference_request_duration_us{${s}}[5m])) / sum(rate(nv_inference_request_success{${s}}[5m])) / 1e6`,
        latencyStatistic: 'mean',
        errorRatio: (s) => `sum(rate(nv_inference_request_failure{${s}}[5m])) / (sum(rate(nv_inference_request_success{${s}}[5m])) + sum(rate(nv_inference_request_failure{${s}}[5m])))`,
      },
    }, options.extraArgs);
  }

  /**
   * TensorFlow Serving: gRPC 8500, REST 8501; the model's versions in `/models/<modelName>`; readiness
   * `/v1/models/<modelName>`; Prometheus metrics on the REST port at `/monitoring/prometheus/metrics` (enabled
   * with a generated monitoring config).
   */
  public static tfServing(options: TfServingOptions): ServingRuntime {
    const v = Validator.forFactory('ServingRuntime.tfServing');
    // The name is a directory under /models: no '..'.
    if (!options || typeof options.modelName !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(options.modelName) || options.modelName.includes('..')) {
      v.fail('modelName', 'must be a model name (letters, digits, \'_\', \'.\' and \'-\', without \'..\')', options?.modelName);
    }
    const modelName = options.modelName;
    const modelPath = `/models/${modelName}`;
    const monitoringConfig = '/etc/tfserving/monitoring.config';
    return new ServingRuntime({
      kind: 'tf-serving',
      image: options.image ?? 'tensorflow/serving:2.18.0',
      gpuImage: options.image ?? 'tensorflow/serving:2.18.0-gpu',
      imageOverridden: options.image !== undefined,
      ports: [{ name: 'grpc', port: 8500 }, { name: 'http', port: 8501 }],
      servingPort: 'http',
      probes: {
        startup: { port: 'http', path: `/v1/models/${modelName}` },
        readiness: { port: 'http', path: `/v1/models/${modelName}` },
        liveness: { port: 'grpc' },
      },
      metrics: { port: 'http', path: '/monitoring/prometheus/metrics' },
      modelPath,
      command: ['tensorflow_model_server'],
      args: () => [
        '--port=8500', '--rest_api_port=8501', `--model_name=${modelName}`, `--model_base_path=${modelPath}`,
        `--monitoring_config_file=${monitoringConfig}`, ...(options.extraArgs ?? []),
      ],
      configFiles: [{ path: monitoringConfig, content: 'prometheus_config {\n  enable: true,\n  path: "/monitoring/prometheus/metrics"\n}\n' }],
      kserveFormat: 'tensorflow',
      alerts: {
        latencySeconds: (s) => `histogram_quantile(0.99, sum by (le) (rate(:tensorflow:serving:request_latency_bucket{${s}}[5m]))) / 1e6`,
        latencyStatistic: 'p99',
        errorRatio: (s) => `sum(rate(:tensorflow:serving:request_count{${s},status!="OK"}[5m])) / sum(rate(:tensorflow:serving:request_count{${s}}[5m]))`,
      },
    }, options.extraArgs);
  }

  /**
   * TorchServe: inference 8080 (`/ping`), management 8081, metrics 8082 (Prometheus mode, from a generated
   * config.properties). Serves every `.mar` archive of the model store at `/models`; token authorization is off
   * (access is restricted by network policy and mesh).
   */
  public static torchServe(options: RuntimePresetOptions = {}): ServingRuntime {
    const modelPath = '/models';
    const configPath = '/etc/torchserve/config.properties';
    return new ServingRuntime({
      kind: 'torchserve',
      image: options.image ?? 'pytorch/torchserve:0.12.0-cpu',
      gpuImage: options.image ?? 'pytorch/torchserve:0.12.0-gpu',
      imageOverridden: options.image !== undefined,
      ports: [{ name: 'http', port: 8080 }, { name: 'management', port: 8081 }, { name: 'metrics', port: 8082 }],
      servingPort: 'http',
      probes: {
        startup: { port: 'http', path: '/ping' },
        readiness: { port: 'http', path: '/ping' },
        liveness: { port: 'http', path: '/ping' },
      },
      metrics: { port: 'metrics', path: '/metrics' },
      modelPath,
      command: ['torchserve'],
      // --ncs stops it writing config snapshots into the read-only image.
      args: () => [
        '--start', '--foreground', '--ts-config', configPath, '--model-store', modelPath,
        '--models', 'all', '--disable-token-auth', '--ncs', ...(options.extraArgs ?? []),
      ],
      // TorchServe binds its APIs to localhost by default, and in its default 'log' metrics mode the metrics port
      // serves none of the inference metrics the alerts and ServiceMonitor read.
      configFiles: [{
        path: configPath,
        content: [
          'inference_address=http://0.0.0.0:8080', 'management_address=http://0.0.0.0:8081', 'metrics_address=http://0.0.0.0:8082',
          'metrics_mode=prometheus', '',
        ].join('\n'),
      }],
      writablePaths: ['/home/model-server/logs', '/home/model-server/tmp'],
      kserveFormat: 'pytorch',
      alerts: {
        latencySeconds: (s) => `sum(rate(ts_inference_latency_microseconds{${s}}[5m])) / sum(rate(ts_inference_requests_total{${s}}[5m])) / 1e6`,
        latencyStatistic: 'mean',
      },
    }, options.extraArgs);
  }

  /**
   * vLLM's OpenAI-compatible server: port 8000 with `/health` and `/metrics`, a large memory-backed `/dev/shm`
   * (PyTorch shares tensors between processes through it), tensor parallelism over the pod's GPUs, and a
   * longer startup budget (weights are downloaded and loaded before it answers).
   */
  public static vllm(options: VllmOptions = {}): ServingRuntime {
    const v = Validator.forFactory('ServingRuntime.vllm');
    if (options.model !== undefined && (typeof options.model !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/.test(options.model))) {
      v.fail('model', 'must be a Hugging Face model id such as \'meta-llama/Llama-3.1-8B-Instruct\'', options.model);
    }
    if (options.huggingFaceToken !== undefined && !(options.huggingFaceToken instanceof SecretValue)) {
      v.fail('huggingFaceToken', 'must be made with SecretValue.fromSecret(name, key)', options.huggingFaceToken);
    }
    const modelPath = '/models';
    return new ServingRuntime({
      kind: 'vllm',
      image: options.image ?? 'vllm/vllm-openai:v0.8.5',
      imageOverridden: options.image !== undefined,
      ports: [{ name: 'http', port: 8000 }],
      servingPort: 'http',
      probes: {
        startup: { port: 'http', path: '/health' },
        readiness: { port: 'http', path: '/health' },
        liveness: { port: 'http', path: '/health' },
      },
      metrics: { port: 'http', path: '/metrics' },
      modelPath,
      args: (ctx, validator) => {
        if (options.model === undefined && !ctx.hasModelSource) {
          validator.fail('model', 'must be set for a vLLM server without ServingRuntime.vllm({ model }) (the weights must come from somewhere)', undefined);
        }
        const tensorParallel = options.tensorParallelSize ?? Math.max(1, ctx.gpus);
        return [
          '--model', ctx.hasModelSource ? modelPath : options.model!,
          '--served-model-name', options.servedModelName ?? (ctx.hasModelSource ? ctx.serverName : options.model!),
          '--port', '8000',
          ...(tensorParallel > 1 ? ['--tensor-parallel-size', String(tensorParallel)] : []),
          ...(options.extraArgs ?? []),
        ];
      },
      secretEnv: options.huggingFaceToken ? { HF_TOKEN: options.huggingFaceToken } : undefined,
      downloadsFromInternet: options.model !== undefined,
      sharedMemory: true,
      startupBudget: Duration.minutes(30),
      kserveFormat: 'huggingface',
      alerts: {
        latencySeconds: (s) => `histogram_quantile(0.99, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket{${s}}[5m])))`,
        latencyStatistic: 'p99',
        errorRatio: (s) => `sum(rate(http_requests_total{${s},status="5xx"}[5m])) / sum(rate(http_requests_total{${s}}[5m]))`,
      },
    }, options.extraArgs);
  }

  /** Any other server image, with its ports and health checks (probe and metrics ports must name one of `ports`). */
  public static custom(options: CustomRuntimeOptions): ServingRuntime {
    const v = Validator.forFactory('ServingRuntime.custom');
    if (!options || typeof options !== 'object') v.fail('options', 'must give image, ports and probes', options);
    validateImage(v, 'image', options.image);
    if (!Array.isArray(options.ports) || options.ports.length === 0) v.fail('ports', 'must list at least one port', options.ports);
    const names = options.ports.map((p) => p.name);
    options.ports.forEach((p, i) => {
      validatePort(v, `ports[${i}].port`, p.port);
      // Probes, the Service and the ServiceMonitor refer to ports by name: an IANA service name.
      if (typeof p.name !== 'string' || !/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(p.name) || !/[a-z]/.test(p.name)) {
        v.fail(`ports[${i}].name`, 'must be an IANA service name (at most 15 lower-case letters, digits and \'-\', with a letter)', p.name);
      }
    });
    if (new Set(names).size !== names.length) v.fail('ports', 'must have unique names', names);
    const known = (prop: string, name: string | undefined) => {
      if (!names.includes(name as string)) v.fail(prop, `must name one of the ports (${names.join(', ')})`, name);
    };
    if (!options.probes || !options.probes.readiness || !options.probes.liveness) {
      v.fail('probes', 'must give readiness and liveness probes', options.probes);
    }
    for (const kind of ['startup', 'readiness', 'liveness'] as const) {
      const probe = options.probes[kind];
      if (probe === undefined) continue;
      known(`probes.${kind}.port`, probe.port);
      if (probe.path !== undefined && !probe.path.startsWith('/')) v.fail(`probes.${kind}.path`, 'must start with \'/\'', probe.path);
    }
    if (options.servingPort !== undefined) known('servingPort', options.servingPort);
    if (options.metrics !== undefined) known('metrics.port', options.metrics.port);
    const modelPath = validateMountPath(v, 'modelPath', options.modelPath ?? '/models');
    const configFiles = options.configFiles ?? [];
    if (!Array.isArray(configFiles)) v.fail('configFiles', 'must be a list of { path, content }', configFiles);
    configFiles.forEach((file, i) => {
      validateMountPath(v, `configFiles[${i}].path`, file?.path);
      // The file name becomes part of a ConfigMap key.
      if (!/^[-._a-zA-Z0-9]+$/.test(file.path.split('/').pop() ?? '')) {
        v.fail(`configFiles[${i}].path`, 'must end in a file name of letters, digits, \'-\', \'_\' and \'.\'', file.path);
      }
      if (typeof file.content !== 'string') v.fail(`configFiles[${i}].content`, 'must be a string', file.content);
    });
    if (new Set(configFiles.map((f) => f.path)).size !== configFiles.length) {
      v.fail('configFiles', 'must have unique paths', configFiles.map((f) => f.path));
    }
    return new ServingRuntime({
      kind: 'custom',
      image: options.image,
      imageOverridden: true,
      ports: options.ports.map((p) => ({ name: p.name, port: p.port })),
      servingPort: options.servingPort ?? names[0],
      probes: options.probes,
      metrics: options.metrics ? { port: options.metrics.port, path: options.metrics.path ?? '/metrics' } : undefined,
      modelPath,
      command: options.command,
      args: () => options.args,
      writablePaths: options.writablePaths,
      configFiles: configFiles.map((f) => ({ path: f.path, content: f.content })),
      alerts: options.alertQueries ?? {},
    }, undefined);
  }

  /** `triton`, `tf-serving`, `torchserve`, `vllm` or `custom`. */
  public readonly kind: string;
  /** The container ports. */
  public readonly ports: PortSpec[];
  /** The name of the port clients call. */
  public readonly servingPortName: string;
  /** The health checks. */
  public readonly probes: RuntimeProbes;
  /** Where metrics are served, if anywhere. */
  public readonly metrics?: RuntimeMetrics;
  /** Where the model is placed in the container. */
  public readonly modelPath: string;
  /** The KServe model format this runtime serves, for presets. */
  public readonly kserveFormat?: string;
  /** PromQL for alerts. */
  public readonly alerts: RuntimeAlertQueries;
  /** True when the image was given explicitly (not the preset's default). */
  public readonly imageOverridden: boolean;

  private constructor(private readonly def: RuntimeDefinition, extraArgs: string[] | undefined) {
    const v = Validator.forFactory(`ServingRuntime.${def.kind}`);
    if (def.image !== undefined) validateImage(v, 'image', def.image);
    if (extraArgs !== undefined && (!Array.isArray(extraArgs) || extraArgs.some((a) => typeof a !== 'string'))) {
      v.fail('extraArgs', 'must be a list of strings', extraArgs);
    }
    this.kind = def.kind;
    this.ports = def.ports;
    this.servingPortName = def.servingPort;
    this.probes = def.probes;
    this.metrics = def.metrics;
    this.modelPath = def.modelPath;
    this.kserveFormat = def.kserveFormat;
    this.alerts = def.alerts;
    this.imageOverridden = def.imageOverridden;
  }

  /** The image for a pod with or without GPUs. */
  public image(gpu: boolean): string {
    return gpu && this.def.gpuImage ? this.def.gpuImage : this.def.image;
  }

  /** The command, if the preset replaces the image's entrypoint. */
  public get command(): string[] | undefined {
    return this.def.command;
  }

  /** The arguments for a server. */
  public args(ctx: RuntimeContext, v: IValidator): string[] | undefined {
    return this.def.args(ctx, v);
  }

  /** The serving port's number. */
  public get servingPort(): number {
    return this.port(this.servingPortName);
  }

  /** The number of a named port. */
  public port(name: string): number {
    const found = this.ports.find((p) => p.name === name);
    if (!found) throw new Error(`runtime ${this.kind} has no port named ${name}`);
    return found.port;
  }

  /** Secret env the runtime needs (tokens). */
  public get secretEnv(): Record<string, SecretValue> | undefined {
    return this.def.secretEnv;
  }

  /** Writable directories besides /tmp. */
  public get writablePaths(): string[] {
    return this.def.writablePaths ?? [];
  }

  /** Files the runtime reads, from a generated ConfigMap. */
  public get configFiles(): RuntimeConfigFile[] {
    return this.def.configFiles ?? [];
  }

  /** True when the runtime needs a large memory-backed /dev/shm. */
  public get needsSharedMemory(): boolean {
    return this.def.sharedMemory ?? false;
  }

  /** True when the server itself downloads the model from the internet at start. */
  public get downloadsFromInternet(): boolean {
    return this.def.downloadsFromInternet ?? false;
  }

  /** The default startup budget. */
  public get startupBudget(): Duration {
    return this.def.startupBudget ?? Duration.minutes(10);
  }
}

interface RuntimeDefinition {
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
  readonly startupBudget?: Duration;
  readonly kserveFormat?: string;
  readonly alerts: RuntimeAlertQueries;
}
