import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { PrometheusRuleSpecGroupsRules } from '../../imports/prometheus-prometheusrule-monitoring.coreos.com';
import { IValidator, PodNetworkPolicy } from '../core';
import { durationSeconds } from '../core/job';
import { lazyModule } from '../core/lazy';
import { validateDnsLabel, validateEnum, validateInteger } from '../core/validation';
import { ServingRuntime } from './runtime';

// Generated CRD classes, loaded when first used (see lazyModule).
const prometheusRuleCrd = lazyModule(() => require('../../imports/prometheus-prometheusrule-monitoring.coreos.com') as typeof import('../../imports/prometheus-prometheusrule-monitoring.coreos.com'));
const serviceMonitorCrd = lazyModule(() => require('../../imports/prometheus-servicemonitor-monitoring.coreos.com') as typeof import('../../imports/prometheus-servicemonitor-monitoring.coreos.com'));

/** Alert severities. */
export enum AlertSeverity {
  WARNING = 'warning',
  CRITICAL = 'critical',
}

/**
 * An alert on a metric of your own model (accuracy drift, prediction distribution, feature freshness), next to the
 * runtime's latency and error-rate alerts.
 */
export interface CustomAlert {
  /** The alert's name, in Prometheus' `CamelCase` style (`ModelAccuracyDrop`). */
  readonly name: string;
  /**
   * The PromQL condition. `$selector` is replaced with the label matchers of this server's series
   * (`job="ranker",namespace="recsys"`), e.g. `increase(model_accuracy_drop_count{$selector}[1h]) > 10`.
   */
  readonly expr: string;
  /** One line for the people paged (the `summary` annotation). */
  readonly summary: string;
  /**
   * More detail (the `description` annotation).
   * @default - none
   */
  readonly description?: string;
  /**
   * How long the condition must hold before the alert fires.
   * @default - the `for` of the alerts
   */
  readonly for?: Duration;
  /**
   * The alert's `severity` label.
   * @default - the `severity` of the alerts
   */
  readonly severity?: AlertSeverity;
}

/** Thresholds of the PrometheusRule alerts. */
export interface AlertThresholds {
  /**
   * Alert when request latency (the runtime's p99, or its mean where it only exports totals) exceeds this.
   * @default - no latency alert
   */
  readonly latencyAbove?: Duration;
  /**
   * Alert when the fraction of failed requests exceeds this (0 to 1, e.g. 0.05).
   * @default - no error-rate alert
   */
  readonly errorRateAbove?: number;
  /**
   * How long a threshold must be exceeded before the alert fires.
   * @default Duration.minutes(10)
   */
  readonly for?: Duration;
  /**
   * The alerts' `severity` label.
   * @default AlertSeverity.WARNING
   */
  readonly severity?: AlertSeverity;
  /**
   * Alerts on the model's own metrics, which the runtime's presets cannot know.
   * @default - none
   */
  readonly custom?: CustomAlert[];
}

/** Metrics scraping and alerts. */
export interface MonitoringOptions {
  /**
   * The namespace of the Prometheus that scrapes the metrics port (allowed through the NetworkPolicy).
   * @default 'monitoring'
   */
  readonly scraperNamespace?: string;
  /**
   * Emit a ServiceMonitor for the metrics port.
   * @default true
   */
  readonly serviceMonitor?: boolean;
  /**
   * Scrape interval.
   * @default Duration.seconds(15)
   */
  readonly interval?: Duration;
  /**
   * Latency and error-rate alerts as a PrometheusRule.
   * @default - no alerts
   */
  readonly alerts?: AlertThresholds;
}

/** The server that {@link renderMonitoring} scrapes and alerts on. */
export interface MonitoredServer {
  /** The server's name: of the ServiceMonitor, the PrometheusRule and the alerts' `model_server` label. */
  readonly name: string;
  readonly namespace?: string;
  /** The Service Prometheus names the series' `job` after. */
  readonly serviceName: string;
  readonly podSelector: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly networkPolicy: PodNetworkPolicy;
  readonly runtime: ServingRuntime;
}

/**
 * Lets the scraper's namespace reach the metrics port (always, so that a Prometheus can scrape it without a
 * ServiceMonitor), and with `monitoring` a ServiceMonitor and the PrometheusRule of the alerts.
 */
export function renderMonitoring(scope: Construct, v: IValidator, monitoringProp: MonitoringOptions | undefined, server: MonitoredServer): void {
  const monitoring = monitoringProp ?? {};
  const runtime = server.runtime;
  const scraper = validateDnsLabel(v, 'monitoring.scraperNamespace', monitoring.scraperNamespace ?? 'monitoring');
  const metrics = runtime.metrics;
  if (metrics !== undefined) server.networkPolicy.allowFromNamespace(scraper, [{ port: runtime.port(metrics.port) }]);
  if (monitoringProp === undefined) return;
  if (metrics === undefined) v.fail('monitoring', `needs a runtime that serves metrics; runtime '${runtime.kind}' has none (give ServingRuntime.custom a 'metrics' port)`, monitoringProp);
  const metadata = { name: server.name, namespace: server.namespace, labels: server.labels };
  if (monitoring.serviceMonitor ?? true) {
    const interval = validateInteger(v, 'monitoring.interval', durationSeconds(v, 'monitoring.interval', monitoring.interval ?? Duration.seconds(15)), 1, 3600);
    new (serviceMonitorCrd().ServiceMonitor)(scope, 'ServiceMonitor', {
      metadata,
      spec: {
        selector: { matchLabels: server.podSelector },
        endpoints: [{ port: metrics.port, path: metrics.path ?? '/metrics', interval: `${interval}s` }],
      },
    });
  }
  const alerts = monitoring.alerts;
  if (alerts === undefined) return;
  const rules = alertRules(v, alerts, server);
  new (prometheusRuleCrd().PrometheusRule)(scope, 'Alerts', { metadata, spec: { groups: [{ name: `${server.name}.rules`, rules }] } });
}

/** The rules of the alerts: the runtime's latency and error rate, and the custom ones. */
function alertRules(v: IValidator, alerts: AlertThresholds, server: MonitoredServer): PrometheusRuleSpecGroupsRules[] {
  const matcher = [`job="${server.serviceName}"`, ...(server.namespace ? [`namespace="${server.namespace}"`] : [])].join(',');
  const severity = alerts.severity ?? AlertSeverity.WARNING;
  const forSeconds = validateInteger(v, 'monitoring.alerts.for', durationSeconds(v, 'monitoring.alerts.for', alerts.for ?? Duration.minutes(10)), 0);
  const rules: PrometheusRuleSpecGroupsRules[] = [];
  const rule = (alert: string, expr: string, seconds: number, labelSeverity: AlertSeverity, annotations: Record<string, string | undefined>) => rules.push({
    alert,
    expr: prometheusRuleCrd().PrometheusRuleSpecGroupsRulesExpr.fromString(expr),
    for: `${seconds}s`,
    labels: { severity: labelSeverity, model_server: server.name },
    annotations: annotations as Record<string, string>,
  });
  const runtime = server.runtime;
  const name = server.name;
  if (alerts.latencyAbove !== undefined) {
    if (!(alerts.latencyAbove instanceof Duration)) v.fail('monitoring.alerts.latencyAbove', 'must be a Duration such as Duration.millis(500)', alerts.latencyAbove);
    if (!runtime.alerts.latencySeconds) v.fail('monitoring.alerts.latencyAbove', `needs a runtime that exports request latency; runtime '${runtime.kind}' has no latency query`, alerts.latencyAbove.toHumanString());
    const seconds = alerts.latencyAbove.toMilliseconds() / 1000;
    if (!(seconds > 0)) v.fail('monitoring.alerts.latencyAbove', 'must be a Duration greater than zero', alerts.latencyAbove.toHumanString());
    rule('ModelServerLatencyHigh', `${runtime.alerts.latencySeconds(matcher)} > ${seconds}`, forSeconds, severity, {
      summary: `Model server ${name}: high inference latency`,
      description: `The ${runtime.alerts.latencyStatistic ?? ''} inference latency of ${name} has been above ${seconds}s for ${forSeconds}s.`.replace('  ', ' '),
    });
  }
  if (alerts.errorRateAbove !== undefined) {
    if (!runtime.alerts.errorRatio) v.fail('monitoring.alerts.errorRateAbove', `needs a runtime that exports failed requests; runtime '${runtime.kind}' has no error-rate query`, alerts.errorRateAbove);
    if (typeof alerts.errorRateAbove !== 'number' || !(alerts.errorRateAbove > 0 && alerts.errorRateAbove < 1)) {
      v.fail('monitoring.alerts.errorRateAbove', 'must be a fraction between 0 and 1 (0.05 is 5%)', alerts.errorRateAbove);
    }
    rule('ModelServerErrorRateHigh', `${runtime.alerts.errorRatio(matcher)} > ${alerts.errorRateAbove}`, forSeconds, severity, {
      summary: `Model server ${name}: high error rate`,
      description: `More than ${alerts.errorRateAbove * 100}% of the requests to ${name} have failed for ${forSeconds}s.`,
    });
  }
  if (alerts.custom !== undefined && !Array.isArray(alerts.custom)) v.fail('monitoring.alerts.custom', 'must be a list of alerts', alerts.custom);
  const names = new Set(rules.map((r) => r.alert));
  (alerts.custom ?? []).forEach((alert, i) => {
    const seconds = checkCustomAlert(v, `monitoring.alerts.custom[${i}]`, alert, names, forSeconds);
    rule(alert.name, alert.expr.split('$selector').join(matcher), seconds, alert.severity ?? severity, { summary: alert.summary, description: alert.description });
  });
  if (rules.length === 0) v.fail('monitoring.alerts', 'must set latencyAbove, errorRateAbove or custom', alerts);
  return rules;
}

/** Checks a custom alert (its name against `names`, which it joins); its `for` in seconds. */
function checkCustomAlert(v: IValidator, at: string, alert: CustomAlert, names: Set<string | undefined>, forSeconds: number): number {
  if (!alert || typeof alert !== 'object') v.fail(at, 'must be { name, expr, summary }', alert);
  if (typeof alert.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(alert.name)) v.fail(`${at}.name`, 'must be a Prometheus alert name (letters, digits and \'_\', not starting with a digit)', alert.name);
  if (names.has(alert.name)) v.fail(`${at}.name`, 'must differ from the names of the other alerts', alert.name);
  names.add(alert.name);
  if (typeof alert.expr !== 'string' || alert.expr.trim() === '') v.fail(`${at}.expr`, 'must be a PromQL expression', alert.expr);
  if (typeof alert.summary !== 'string' || alert.summary.trim() === '') v.fail(`${at}.summary`, 'must be a one-line summary', alert.summary);
  if (alert.description !== undefined && typeof alert.description !== 'string') v.fail(`${at}.description`, 'must be a string', alert.description);
  if (alert.severity !== undefined) validateEnum(v, `${at}.severity`, alert.severity, AlertSeverity, 'AlertSeverity');
  return alert.for === undefined ? forSeconds : validateInteger(v, `${at}.for`, durationSeconds(v, `${at}.for`, alert.for), 0);
}
