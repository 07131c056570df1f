import { Duration } from 'cdk8s';
import { SecretValue, Validator } from '../core';
import { validateCidr, validateImage, validateInteger, validateMountPath, validatePort } from '../core/validation';
import { CustomRuntimeOptions, RuntimeDefinition, RuntimePresetOptions, TfServingOptions, VllmOptions } from './runtime-options';

// The presets carry the real ports, endpoints, arguments and metrics of each server; ServingRuntime wraps them.

/** NVIDIA Triton Inference Server (see {@link ServingRuntime.triton}). */
export function tritonRuntime(options: RuntimePresetOptions = {}): RuntimeDefinition {
  const modelPath = '/models';
  return {
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
  };
}

/** TensorFlow Serving (see {@link ServingRuntime.tfServing}). */
export function tfServingRuntime(options: TfServingOptions): RuntimeDefinition {
  const v = Validator.forFactory('ServingRuntime.tfServing');
  // The name is a directory under /models: no '..'.
  if (!options || typeof options.modelName !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(options.modelName) || options.modelName.includes('..')) {
    v.fail('modelName', 'must be a model name (letters, digits, \'_\', \'.\' and \'-\', without \'..\')', options?.modelName);
  }
  const modelName = options.modelName;
  const modelPath = `/models/${modelName}`;
  const monitoringConfig = '/etc/tfserving/monitoring.config';
  return {
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
  };
}

/** TorchServe (see {@link ServingRuntime.torchServe}). */
export function torchServeRuntime(options: RuntimePresetOptions = {}): RuntimeDefinition {
  const modelPath = '/models';
  const configPath = '/etc/torchserve/config.properties';
  return {
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
  };
}

/** vLLM's OpenAI-compatible server (see {@link ServingRuntime.vllm}). */
export function vllmRuntime(options: VllmOptions = {}): RuntimeDefinition {
  const v = Validator.forFactory('ServingRuntime.vllm');
  if (options.model !== undefined && (typeof options.model !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/.test(options.model))) {
    v.fail('model', 'must be a Hugging Face model id such as \'meta-llama/Llama-3.1-8B-Instruct\'', options.model);
  }
  if (options.huggingFaceToken !== undefined && !(options.huggingFaceToken instanceof SecretValue)) {
    v.fail('huggingFaceToken', 'must be made with SecretValue.fromSecret(name, key)', options.huggingFaceToken);
  }
  if (options.downloadCidr !== undefined) validateCidr(v, 'downloadCidr', options.downloadCidr);
  const modelPath = '/models';
  return {
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
      if (options.tensorParallelSize !== undefined) {
        // vLLM shards the model over the GPUs of its own pod: more shards than GPUs fail at start.
        validateInteger(validator, 'runtime.tensorParallelSize', options.tensorParallelSize, 1, Math.max(1, ctx.gpus));
      }
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
    downloadCidr: options.downloadCidr,
    sharedMemory: true,
    startupBudget: Duration.minutes(30),
    kserveFormat: 'huggingface',
    alerts: {
      latencySeconds: (s) => `histogram_quantile(0.99, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket{${s}}[5m])))`,
      latencyStatistic: 'p99',
      errorRatio: (s) => `sum(rate(http_requests_total{${s},status="5xx"}[5m])) / sum(rate(http_requests_total{${s}}[5m]))`,
    },
  };
}

/** Any other server image, checked (see {@link ServingRuntime.custom}). */
export function customRuntime(options: CustomRuntimeOptions): RuntimeDefinition {
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
  return {
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
  };
}
