/** How KServe runs the predictor. */
export enum KServeDeploymentMode {
  /** Plain Deployment + Service + HPA (no Knative). Canary traffic splitting is not available. */
  RAW_DEPLOYMENT = 'RawDeployment',
  /**
   * Knative revisions: request-based autoscaling (concurrency by default, or `ScalingMetric.requestsPerSecond`),
   * canary traffic splitting. An explicit `autoscaling.cpuUtilization` selects Knative's HPA autoscaler class,
   * which needs Knative's optional HPA extension installed.
   */
  SERVERLESS = 'Serverless',
}

/** Model formats of KServe's built-in ClusterServingRuntimes. */
export enum ModelFormat {
  SKLEARN = 'sklearn',
  XGBOOST = 'xgboost',
  LIGHTGBM = 'lightgbm',
  TENSORFLOW = 'tensorflow',
  PYTORCH = 'pytorch',
  ONNX = 'onnx',
  TRITON = 'triton',
  HUGGINGFACE = 'huggingface',
  PMML = 'pmml',
  PADDLE = 'paddle',
}

/** Options of {@link ServingBackend.kserve}. */
export interface KServeOptions {
  /**
   * Raw Deployment or Knative (Serverless).
   * @default KServeDeploymentMode.RAW_DEPLOYMENT
   */
  readonly mode?: KServeDeploymentMode;
  /**
   * The model format KServe picks a serving runtime for.
   * @default - the format of the ModelServer's runtime preset
   */
  readonly modelFormat?: ModelFormat;
  /**
   * The format's version (e.g. `'1'` for sklearn 1.x).
   * @default - any version
   */
  readonly modelFormatVersion?: string;
  /**
   * A ServingRuntime or ClusterServingRuntime to use explicitly.
   * @default - KServe selects one that supports the model format
   */
  readonly runtimeName?: string;
  /**
   * Percent of traffic the latest revision receives during a canary rollout (Serverless mode only; KServe
   * ignores it in RawDeployment mode).
   * @default - all traffic to the latest revision
   */
  readonly canaryTrafficPercent?: number;
}

/** Where a ModelServer runs: plain Kubernetes Deployments or a KServe InferenceService. */
export class ServingBackend {
  /** Deployments, Service, PDB and autoscaler made by the library. */
  public static deployment(): ServingBackend {
    return new ServingBackend(undefined);
  }

  /** A KServe `InferenceService` (`serving.kserve.io/v1beta1`), for clusters that run KServe. */
  public static kserve(options: KServeOptions = {}): ServingBackend {
    return new ServingBackend({ ...options, mode: options.mode ?? KServeDeploymentMode.RAW_DEPLOYMENT });
  }

  private constructor(
    /** The KServe options, when the backend is KServe. */
    public readonly kserve: (KServeOptions & { readonly mode: KServeDeploymentMode }) | undefined,
  ) {}
}
