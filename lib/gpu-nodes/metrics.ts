// GPU metrics of GpuNodeSetup: the DCGM exporter (device-plugin mode; the GPU Operator runs its own), its Service
// and ServiceMonitor, a NetworkPolicy that lets only the scraper's namespace reach it, and a PrometheusRule of GPU
// alerts. Settings from NVIDIA/dcgm-exporter's chart (deployment/) and the GPU Operator v26.7.0's pinned exporter.
import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { durationSeconds } from '../core/job';
import { lazyModule } from '../core/lazy';
import { PodNetworkPolicy } from '../core/network';
import { rejectUnknownProps } from '../core/props';
import { validateDnsLabel, validateImage, validateInteger } from '../core/validation';
import { addDaemonSet } from './daemon';
import { DaemonPlacement } from './device-plugin';

const prometheusRuleCrd = lazyModule(() => require('../../imports/prometheus-prometheusrule-monitoring.coreos.com') as typeof import('../../imports/prometheus-prometheusrule-monitoring.coreos.com'));
const serviceMonitorCrd = lazyModule(() => require('../../imports/prometheus-servicemonitor-monitoring.coreos.com') as typeof import('../../imports/prometheus-servicemonitor-monitoring.coreos.com'));

/** The DCGM exporter the GPU Operator v26.7.0 ships. */
export const DCGM_EXPORTER_IMAGE = 'nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless';
/** The exporter's name: of its DaemonSet, Service and so of the `job` label of its series (in both modes). */
export const DCGM_EXPORTER = 'nvidia-dcgm-exporter';
const METRICS_PORT = 9400;

/** Thresholds of the GPU alerts. */
export interface GpuAlertOptions {
  /**
   * Alert when a GPU is hotter than this, in °C (`GpuTemperatureHigh`).
   * @default 85
   */
  readonly temperatureAbove?: number;
  /**
   * Alert when more than this percentage of a GPU's memory is used (`GpuMemoryAlmostFull`).
   * @default 95
   */
  readonly memoryUsedAbovePercent?: number;
  /**
   * Alert when a GPU allocated to a pod is busy less than this percentage of the time on average over an hour
   * (`GpuUtilizationLow`): a workload that holds more GPU than it uses.
   * @default 10
   */
  readonly utilizationBelowPercent?: number;
  /**
   * Alert when a GPU allocated to a pod does nothing at all for this long (`GpuRequestedButIdle`).
   * @default Duration.minutes(30)
   */
  readonly idleFor?: Duration;
  /**
   * How long temperature and memory must be over their thresholds before the alert fires.
   * @default Duration.minutes(5)
   */
  readonly for?: Duration;
}

/** GPU metrics: the DCGM exporter, its scraping and its alerts. */
export interface GpuMetricsOptions {
  /**
   * Run the DCGM exporter (device-plugin mode) or keep the GPU Operator's (operator mode), with a ServiceMonitor
   * and the alerts. False leaves GPU metrics out altogether.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The DCGM exporter image (device-plugin mode).
   * @default 'nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless'
   */
  readonly image?: string;
  /**
   * The namespace of the Prometheus that scrapes the exporter: only its pods may reach the metrics port.
   * @default 'monitoring'
   */
  readonly scraperNamespace?: string;
  /**
   * Emit a ServiceMonitor for the exporter.
   * @default true
   */
  readonly serviceMonitor?: boolean;
  /**
   * Scrape interval.
   * @default Duration.seconds(15)
   */
  readonly interval?: Duration;
  /**
   * The GPU alerts (`GpuXidError`, `GpuTemperatureHigh`, `GpuMemoryAlmostFull`, `GpuUtilizationLow`,
   * `GpuRequestedButIdle`) as a PrometheusRule; false for none.
   * @default - the alerts with their default thresholds
   */
  readonly alerts?: GpuAlertOptions | false;
}

/** The metrics options, checked and with their defaults. */
export interface ResolvedMetrics {
  readonly enabled: boolean;
  readonly image: string;
  readonly scraperNamespace: string;
  readonly serviceMonitor: boolean;
  readonly intervalSeconds: number;
  readonly alerts?: Required<Omit<GpuAlertOptions, 'idleFor' | 'for'>> & { idleMinutes: number; forMinutes: number };
}

/** Checks the `metrics` prop. */
export function resolveMetrics(v: Validator, options: GpuMetricsOptions | undefined): ResolvedMetrics {
  const o = options ?? {};
  if (o === null || typeof o !== 'object') v.fail('metrics', 'must be an object of GpuMetricsOptions', o);
  rejectUnknownProps(v.nested('metrics'), o, ['enabled', 'image', 'scraperNamespace', 'serviceMonitor', 'interval', 'alerts']);
  const bool = (prop: string, value: unknown, fallback: boolean) => {
    if (value !== undefined && typeof value !== 'boolean') v.fail(`metrics.${prop}`, 'must be true or false', value);
    return (value as boolean | undefined) ?? fallback;
  };
  const intervalSeconds = validateInteger(v, 'metrics.interval', durationSeconds(v, 'metrics.interval', o.interval ?? Duration.seconds(15)), 1, 3600);
  return {
    enabled: bool('enabled', o.enabled, true),
    image: validateImage(v, 'metrics.image', o.image ?? DCGM_EXPORTER_IMAGE),
    scraperNamespace: validateDnsLabel(v, 'metrics.scraperNamespace', o.scraperNamespace ?? 'monitoring'),
    serviceMonitor: bool('serviceMonitor', o.serviceMonitor, true),
    intervalSeconds,
    alerts: o.alerts === false ? undefined : resolveAlerts(v, o.alerts ?? {}),
  };
}

function resolveAlerts(v: Validator, a: GpuAlertOptions): ResolvedMetrics['alerts'] {
  if (a === null || typeof a !== 'object') v.fail('metrics.alerts', 'must be GpuAlertOptions or false', a);
  rejectUnknownProps(v.nested('metrics.alerts'), a, ['temperatureAbove', 'memoryUsedAbovePercent', 'utilizationBelowPercent', 'idleFor', 'for']);
  const minutes = (prop: string, d: Duration, min: number) => {
    const seconds = validateInteger(v, `metrics.alerts.${prop}`, durationSeconds(v, `metrics.alerts.${prop}`, d), min * 60, 7 * 24 * 3600);
    if (seconds % 60 !== 0) v.fail(`metrics.alerts.${prop}`, 'must be whole minutes', `${seconds}s`);
    return seconds / 60;
  };
  return {
    temperatureAbove: validateInteger(v, 'metrics.alerts.temperatureAbove', a.temperatureAbove ?? 85, 40, 120),
    memoryUsedAbovePercent: validateInteger(v, 'metrics.alerts.memoryUsedAbovePercent', a.memoryUsedAbovePercent ?? 95, 1, 100),
    utilizationBelowPercent: validateInteger(v, 'metrics.alerts.utilizationBelowPercent', a.utilizationBelowPercent ?? 10, 1, 100),
    idleMinutes: minutes('idleFor', a.idleFor ?? Duration.minutes(30), 5),
    forMinutes: minutes('for', a.for ?? Duration.minutes(5), 0),
  };
}

/** What the exporter is rendered with. */
export interface ExporterRenderProps {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly placement: DaemonPlacement;
  readonly metrics: ResolvedMetrics;
}

/** The DCGM exporter DaemonSet, its Service and its NetworkPolicy (device-plugin mode). */
export function renderDcgmExporter(scope: Construct, props: ExporterRenderProps): k8s.KubeDaemonSet {
  const policy = new PodNetworkPolicy(scope, 'DcgmExporterNetworkPolicy', { name: DCGM_EXPORTER, namespace: props.namespace, podSelector: props.selector, labels: props.labels });
  policy.allowFromNamespace(props.metrics.scraperNamespace, [{ port: METRICS_PORT }]);
  new k8s.KubeService(scope, 'DcgmExporterService', {
    metadata: { name: DCGM_EXPORTER, namespace: props.namespace, labels: props.labels },
    spec: { selector: props.selector, ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: k8s.IntOrString.fromNumber(METRICS_PORT), protocol: 'TCP' }] },
  });
  const health: k8s.Probe = { httpGet: { path: '/health', port: k8s.IntOrString.fromNumber(METRICS_PORT) }, initialDelaySeconds: 45, periodSeconds: 10 };
  return addDaemonSet(scope, 'DcgmExporter', {
    ...props.placement,
    name: DCGM_EXPORTER,
    namespace: props.namespace,
    labels: props.labels,
    selector: props.selector,
    serviceAccountName: 'nvidia-device-plugin',
    automountServiceAccountToken: false,
    containers: [{
      name: 'dcgm-exporter',
      image: props.metrics.image,
      // Root with SYS_ADMIN only, for the profiling metrics (DCGM_FI_PROF_*), as the exporter's own chart.
      root: true,
      addCapabilities: ['SYS_ADMIN'],
      env: [
        { name: 'DCGM_EXPORTER_LISTEN', value: `:${METRICS_PORT}` },
        // Series of GPUs allocated to pods carry the pod's `pod`, `namespace` and `container` (from the kubelet's
        // pod-resources socket, no API access).
        { name: 'DCGM_EXPORTER_KUBERNETES', value: 'true' },
        { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        // The root filesystem is read-only: DCGM's embedded host engine would log to /var/log/nv-hostengine.log
        // (which grows without bound); this sends its log to stdout (`__DCGM_DBG_FILE=-`), errors only. The
        // exporter writes nothing else but to /tmp (an emptyDir), and the distroless image's entrypoint only execs it.
        { name: 'DCGM_EXPORTER_ENABLE_DCGM_LOG', value: 'true' },
        { name: 'DCGM_EXPORTER_DCGM_LOG_LEVEL', value: 'ERROR' },
      ],
      ports: [{ name: 'metrics', containerPort: METRICS_PORT }],
      mounts: [{ name: 'pod-gpu-resources', mountPath: '/var/lib/kubelet/pod-resources', readOnly: true }],
      resources: { cpu: '100m', memory: '128Mi', cpuLimit: '500m', memoryLimit: '512Mi' },
      readinessProbe: health,
      livenessProbe: health,
    }],
    volumes: [{ name: 'pod-gpu-resources', hostPath: { path: '/var/lib/kubelet/pod-resources', type: 'Directory' } }],
  });
}

/** The ServiceMonitor of the exporter's Service (`selector`: its labels) and the PrometheusRule of the alerts. */
export function renderScrapingAndAlerts(scope: Construct, namespace: string, labels: Record<string, string>, serviceSelector: Record<string, string>, metrics: ResolvedMetrics): void {
  const metadata = { name: DCGM_EXPORTER, namespace, labels };
  if (metrics.serviceMonitor) {
    new (serviceMonitorCrd().ServiceMonitor)(scope, 'ServiceMonitor', {
      metadata,
      spec: {
        selector: { matchLabels: serviceSelector },
        // Keep the exporter's `pod`/`namespace`/`container` labels (the workload's), not the exporter pod's.
        endpoints: [{ port: 'metrics', path: '/metrics', interval: `${metrics.intervalSeconds}s`, honorLabels: true }],
      },
    });
  }
  if (metrics.alerts === undefined) return;
  new (prometheusRuleCrd().PrometheusRule)(scope, 'Alerts', { metadata: { ...metadata, name: 'nvidia-gpu-alerts' }, spec: { groups: [{ name: 'nvidia-gpu.rules', rules: gpuAlertRules(metrics.alerts) }] } });
}

function gpuAlertRules(a: NonNullable<ResolvedMetrics['alerts']>) {
  const job = `job="${DCGM_EXPORTER}"`;
  const gpu = '{{ $labels.gpu }} ({{ $labels.modelName }}) on {{ $labels.Hostname }}';
  const rule = (alert: string, expr: string, forMinutes: number, severity: string, summary: string, description: string) => ({
    alert, expr: prometheusRuleCrd().PrometheusRuleSpecGroupsRulesExpr.fromString(expr), for: `${forMinutes}m`, labels: { severity }, annotations: { summary, description },
  });
  return [
    rule('GpuXidError', `DCGM_FI_DEV_XID_ERRORS{${job}} > 0`, 0, 'critical', `GPU ${gpu} reported XID error {{ $value }}`,
      'The driver reported an XID error (a GPU, driver or application fault). Check the XID catalogue; drain the node if it is a hardware XID (48, 63, 64, 79, 92, 94, 95).'),
    rule('GpuTemperatureHigh', `DCGM_FI_DEV_GPU_TEMP{${job}} > ${a.temperatureAbove}`, a.forMinutes, 'warning', `GPU ${gpu} is at {{ $value }} °C`,
      `Above ${a.temperatureAbove} °C the GPU throttles its clocks; check the node's cooling.`),
    rule('GpuMemoryAlmostFull', `100 * DCGM_FI_DEV_FB_USED{${job}} / (DCGM_FI_DEV_FB_USED{${job}} + DCGM_FI_DEV_FB_FREE{${job}}) > ${a.memoryUsedAbovePercent}`, a.forMinutes, 'warning',
      `GPU ${gpu} memory is {{ $value | humanize }}% used`, 'The next allocation may fail with CUDA out of memory (with time-slicing, every pod sharing the GPU sees all of its memory).'),
    rule('GpuUtilizationLow', `avg_over_time(DCGM_FI_DEV_GPU_UTIL{${job},pod!=""}[1h]) < ${a.utilizationBelowPercent}`, 0, 'warning',
      'Pod {{ $labels.namespace }}/{{ $labels.pod }} uses its GPU {{ $value | humanize }}% of the time',
      `The GPU was busy less than ${a.utilizationBelowPercent}% of the last hour: a shared GPU (time-slicing, MPS) or a smaller one would do.`),
    rule('GpuRequestedButIdle', `max_over_time(DCGM_FI_DEV_GPU_UTIL{${job},pod!=""}[${a.idleMinutes}m]) == 0`, 0, 'warning',
      'Pod {{ $labels.namespace }}/{{ $labels.pod }} holds GPU {{ $labels.gpu }} and does not use it',
      `The GPU allocated to the pod did nothing for ${a.idleMinutes} minutes: a finished or stuck process keeps it from other workloads.`),
  ];
}
