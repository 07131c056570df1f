import { IValidator, SecretValue, validateDnsLabel } from '../core';
import { lazyModule } from '../core/lazy';
import { checkSecret } from './checks';
import { MlflowContext } from './context';

const serviceMonitorCrd = lazyModule(() => require('../../imports/prometheus-servicemonitor-monitoring.coreos.com') as typeof import('../../imports/prometheus-servicemonitor-monitoring.coreos.com'));

/** Where `--expose-prometheus` keeps its multiprocess files (writable: the root filesystem is read-only). */
export const METRICS_DIR = '/mlflow-metrics';
/** RFC 1918 addresses as MLflow's Host patterns (fnmatch): what a scraper sends as Host when it scrapes a pod. */
export const PRIVATE_ADDRESS_PATTERNS = ['10.*', '172.1[6-9].*', '172.2[0-9].*', '172.3[0-1].*', '192.168.*'];

/** Prometheus metrics of the tracking server. */
export interface MlflowMetricsOptions {
  /** The namespace of the Prometheus that scrapes `/metrics` (allowed through the NetworkPolicy). */
  readonly scraperNamespace: string;
  /**
   * Add a Prometheus Operator ServiceMonitor for the Service (needs the monitoring.coreos.com CRDs).
   * @default false
   */
  readonly serviceMonitor?: boolean;
  /**
   * The MLflow user the ServiceMonitor scrapes as, in a Secret in the server's namespace: with `auth`, MLflow
   * answers `/metrics` only to a signed-in user. Required with `auth` and `serviceMonitor`.
   * @default - none (scrapes without credentials)
   */
  readonly username?: SecretValue;
  /**
   * The password of `username`, in a Secret in the server's namespace. Required with `auth` and `serviceMonitor`.
   * @default - none
   */
  readonly password?: SecretValue;
}

export function checkMetrics(v: IValidator, metrics: MlflowMetricsOptions, auth: boolean): void {
  validateDnsLabel(v, 'metrics.scraperNamespace', metrics.scraperNamespace);
  for (const prop of ['username', 'password'] as const) {
    if (metrics[prop] !== undefined) checkSecret(v, `metrics.${prop}`, metrics[prop]);
  }
  if (metrics.username !== undefined && metrics.password === undefined) v.fail('metrics.password', 'must be given with \'metrics.username\'', undefined);
  if (metrics.password !== undefined && metrics.username === undefined) v.fail('metrics.username', 'must be given with \'metrics.password\'', undefined);
  if (auth && metrics.serviceMonitor && metrics.username === undefined) {
    v.fail('metrics.username', 'and \'metrics.password\' must be given with auth and serviceMonitor: MLflow answers /metrics only to a signed-in user', undefined);
  }
  if (!metrics.serviceMonitor && metrics.username !== undefined) {
    v.fail('metrics.serviceMonitor', 'must be true when \'metrics.username\' is given (the ServiceMonitor scrapes with those credentials)', metrics.serviceMonitor);
  }
}

/** Lets the scraper's namespace reach the server port, and adds the ServiceMonitor if asked for. */
export function renderMetrics(ctx: MlflowContext, metrics: MlflowMetricsOptions, server: { labels: Record<string, string>; selector: Record<string, string>; port: number }): void {
  const { name, namespace } = ctx;
  ctx.networkPolicy.allowFromNamespace(metrics.scraperNamespace, [{ port: server.port }]);
  if (!metrics.serviceMonitor) return;
  const { username, password } = metrics;
  const credentials: SecretValue[] = username && password ? [username, password] : [];
  for (const value of credentials) {
    ctx.secretUses.push({ value, namespace, purpose: 'MLflow user and password the ServiceMonitor scrapes /metrics as' });
  }
  const basicAuth = username && password
    ? { username: { name: username.secretName, key: username.key }, password: { name: password.secretName, key: password.key } }
    : undefined;
  new (serviceMonitorCrd().ServiceMonitor)(ctx.scope, 'ServiceMonitor', {
    metadata: { name, namespace, labels: server.labels },
    spec: { selector: { matchLabels: server.selector }, endpoints: [{ port: 'http', path: '/metrics', interval: '30s', basicAuth }] },
  });
}
