import { k8s } from 'cdk8s-plus-27';
import { childName, cronJobFields, jobRunSpec, JobRunOptions, QuantityInput, Schedule, ScheduleOptions } from '../core';
import { validateQuantity } from '../core/validation';
import { FeastContext } from './context';
import { FeatureRepository } from './feature-repository';
import { feastCommand, feastJobPod } from './jobs';

/** The scheduled materialization (`feast materialize-incremental` up to the current time). */
export interface MaterializationOptions extends JobRunOptions {
  /** When to run. */
  readonly schedule: Schedule;
  /**
   * How the CronJob recurs.
   * @default - UTC, Forbid overlapping runs, 1 hour starting deadline, keep 3 successful and 3 failed runs
   */
  readonly scheduleOptions?: ScheduleOptions;
  /**
   * Materialize only these feature views.
   * @default - every feature view
   */
  readonly featureViews?: string[];
  /**
   * CPU of the materialization pod.
   * @default 1
   */
  readonly cpu?: QuantityInput;
  /**
   * Memory of the materialization pod (the local engine holds a batch of rows in memory).
   * @default '2Gi'
   */
  readonly memory?: QuantityInput;
}

/** The CronJob `<name>-materialize`: `feast materialize-incremental` up to the time each run starts. */
export function renderMaterialization(ctx: FeastContext, m: MaterializationOptions, repo: FeatureRepository | undefined): void {
  const mv = ctx.v.nested('materialization');
  if (!(m.schedule instanceof Schedule)) mv.fail('schedule', 'must be made with Schedule.cron(...) or Schedule.daily(...)', m.schedule);
  // Checked here so that a bad value is named 'materialization.cpu', not the feature server's 'cpu'.
  if (m.cpu !== undefined) validateQuantity(mv, 'cpu', m.cpu);
  if (m.memory !== undefined) validateQuantity(mv, 'memory', m.memory);
  const views = (m.featureViews ?? []).map((view, i) => {
    if (typeof view !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(view)) mv.fail(`featureViews[${i}]`, 'must be a feature view name (letters, digits, \'_\', \'-\' and \'.\')', view);
    return `--views ${view}`;
  });
  // The end time must be computed when the run starts, so the command goes through a shell.
  const script = ['exec', ...feastCommand(repo, 'materialize-incremental'), ...views, '"$(date -u +%Y-%m-%dT%H:%M:%S)"'].join(' ');
  const { pod, labels } = feastJobPod(ctx, {
    component: 'materialize', id: 'Materialize', command: ['/bin/sh', '-c', script], resources: { cpu: m.cpu ?? 1, memory: m.memory ?? '2Gi' }, repo,
  });
  new k8s.KubeCronJob(ctx.scope, 'Materialize', {
    metadata: { name: childName(ctx.name, 'materialize'), namespace: ctx.namespace, labels },
    spec: {
      ...cronJobFields(mv, m.schedule, m.scheduleOptions),
      jobTemplate: { metadata: { labels }, spec: jobRunSpec(mv, m, 'materialize', { template: pod.template() }) },
    },
  });
}
