import { Duration } from 'cdk8s';
import { IValidator, PortSpec, SecretValue, Validator } from '../core';
import { validateImage } from '../core/validation';
import {
  CustomRuntimeOptions, RuntimeAlertQueries, RuntimeConfigFile, RuntimeContext, RuntimeDefinition, RuntimeMetrics, RuntimePresetOptions, RuntimeProbes,
  TfServingOptions, VllmOptions,
} from './runtime-options';
import { customRuntime, tfServingRuntime, torchServeRuntime, tritonRuntime, vllmRuntime } from './runtime-presets';

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
    return new ServingRuntime(tritonRuntime(options), options.extraArgs);
  }

  /**
   * TensorFlow Serving: gRPC 8500, REST 8501; the model's versions in `/models/<modelName>`; readiness
   * `/v1/models/<modelName>`; Prometheus metrics on the REST port at `/monitoring/prometheus/metrics` (enabled
   * with a generated monitoring config).
   */
  public static tfServing(options: TfServingOptions): ServingRuntime {
    return new ServingRuntime(tfServingRuntime(options), options.extraArgs);
  }

  /**
   * TorchServe: inference 8080 (`/ping`), management 8081, metrics 8082 (Prometheus mode, from a generated
   * config.properties). Serves every `.mar` archive of the model store at `/models`; token authorization is off
   * (access is restricted by network policy and mesh).
   */
  public static torchServe(options: RuntimePresetOptions = {}): ServingRuntime {
    return new ServingRuntime(torchServeRuntime(options), options.extraArgs);
  }

  /**
   * vLLM's OpenAI-compatible server: port 8000 with `/health` and `/metrics`, a large memory-backed `/dev/shm`
   * (PyTorch shares tensors between processes through it), tensor parallelism over the pod's GPUs, and a
   * longer startup budget (weights are downloaded and loaded before it answers).
   */
  public static vllm(options: VllmOptions = {}): ServingRuntime {
    return new ServingRuntime(vllmRuntime(options), options.extraArgs);
  }

  /** Any other server image, with its ports and health checks (probe and metrics ports must name one of `ports`). */
  public static custom(options: CustomRuntimeOptions): ServingRuntime {
    return new ServingRuntime(customRuntime(options), undefined);
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

  /**
   * The arguments for a server, rendered by ModelServer with its validator.
   * @internal
   */
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

  /** The addresses of those downloads (`0.0.0.0/0` unless the runtime was given a range). */
  public get downloadCidr(): string {
    return this.def.downloadCidr ?? '0.0.0.0/0';
  }

  /** The default startup budget. */
  public get startupBudget(): Duration {
    return this.def.startupBudget ?? Duration.minutes(10);
  }
}
