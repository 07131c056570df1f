// Schedules and time zones of CronJobs: Schedule.cron takes what Kubernetes' cron parser (robfig/cron v3, standard
// parser) takes and names the field and its range when a value is out of it; scheduleOptions.timeZone takes the
// tz database names Kubernetes' Go runtime loads, not JavaScript's abbreviations.
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { GpuTrainingJob, MlopsValidationError, Schedule } from '../lib';
// Internals, by their file path: they are not part of the public API.
import { validateTimeZone, Validator } from '../lib/core';

function cronJobOf(timeZone: string) {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  new GpuTrainingJob(chart, 'train', { image: 'ghcr.io/acme/train:1.0.0', schedule: Schedule.daily(2), scheduleOptions: { timeZone } });
  return Testing.synth(chart).find((o) => o.kind === 'CronJob');
}

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (e) {
    expect(e).toBeInstanceOf(MlopsValidationError);
    return (e as Error).message;
  }
  throw new Error('no error thrown');
}

describe('Schedule.cron', () => {
  test.each([
    ['every minute', '* * * * *'],
    ['a list, a range and a step', '0,30 8-18 */2 * *'],
    ['a step from a start value (N/n runs to the maximum)', '5/15 * * * *'],
    ['a stepped range', '0 0-12/3 * * *'],
    ['month and weekday names in any case', '0 3 * JAN,jul MON-fri'],
    ['a name with a step', '0 0 1 FEB/3 *'],
    ['? for any value', '0 0 ? * ?'],
    ['Sunday as 0 and Saturday as 6', '0 0 * * 0,6'],
    ['the field maxima', '59 23 31 12 6'],
    ['leading zeros', '05 09 * * *'],
    ['extra spaces between fields', '  0  2 * *   * '],
    ['@hourly', '@hourly'],
    ['@daily', '@daily'],
    ['@midnight', '@midnight'],
    ['@weekly', '@weekly'],
    ['@monthly', '@monthly'],
    ['@yearly', '@yearly'],
    ['@annually', '@annually'],
    ['@every with a Go duration', '@every 1h30m'],
    ['@every with a fraction', '@every 1.5h'],
  ])('takes %s: %p', (_, expression) => {
    expect(Schedule.cron(expression).expressionString).toBe(expression);
  });

  test.each([
    ['an hour out of range', '0 24 * * *', "Schedule.cron: 'expression' must be a cron expression whose field 'hour' is 0-23 (24 is out of range), got '0 24 * * *'"],
    ['a minute out of range', '60 * * * *', "Schedule.cron: 'expression' must be a cron expression whose field 'minute' is 0-59 (60 is out of range), got '60 * * * *'"],
    ['day 0 of the month', '0 0 0 * *', "Schedule.cron: 'expression' must be a cron expression whose field 'day-of-month' is 1-31 (0 is out of range), got '0 0 0 * *'"],
    ['month 13', '0 0 1 13 *', "Schedule.cron: 'expression' must be a cron expression whose field 'month' is 1-12 or JAN-DEC (13 is out of range), got '0 0 1 13 *'"],
    ['7 for Sunday', '0 0 * * 7', "Schedule.cron: 'expression' must be a cron expression whose field 'day-of-week' is 0-6 or SUN-SAT (7 is out of range: Sunday is 0 or SUN), got '0 0 * * 7'"],
    ['the end of a range out of range', '0 9-25 * * *', "Schedule.cron: 'expression' must be a cron expression whose field 'hour' is 0-23 (25 is out of range), got '0 9-25 * * *'"],
    ['a backwards range', '0 18-8 * * *', "Schedule.cron: 'expression' must be a cron expression whose field 'hour' is 0-23 ('18-8' runs backwards), got '0 18-8 * * *'"],
    ['backwards names', '0 0 * * FRI-MON', "Schedule.cron: 'expression' must be a cron expression whose field 'day-of-week' is 0-6 or SUN-SAT ('FRI-MON' runs backwards), got '0 0 * * FRI-MON'"],
    ['a step of 0', '*/0 * * * *', "Schedule.cron: 'expression' must be a cron expression whose field 'minute' is 0-59 ('*/0' has a step of 0), got '*/0 * * * *'"],
    ['a step that is not a number', '*/x * * * *', "Schedule.cron: 'expression' must be a cron expression whose field 'minute' is 0-59 ('*/x' is not a number, range a-b or step /n), got '*/x * * * *'"],
    ['two steps', '*/2/3 * * * *', "Schedule.cron: 'expression' must be a cron expression whose field 'minute' is 0-59 ('*/2/3' is not a number, range a-b or step /n), got '*/2/3 * * * *'"],
    ['two hyphens', '1-2-3 * * * *', "Schedule.cron: 'expression' must be a cron expression whose field 'minute' is 0-59 ('1-2-3' is not a number, range a-b or step /n), got '1-2-3 * * * *'"],
    ['a day name in the month field', '0 0 1 MON *', "Schedule.cron: 'expression' must be a cron expression whose field 'month' is 1-12 or JAN-DEC ('MON' is not a number, name, range a-b or step /n), got '0 0 1 MON *'"],
    ['a name where none are taken', '0 noon * * *', "Schedule.cron: 'expression' must be a cron expression whose field 'hour' is 0-23 ('noon' is not a number, range a-b or step /n), got '0 noon * * *'"],
    ['Quartz\'s L', '0 0 L * *', "Schedule.cron: 'expression' must be a cron expression whose field 'day-of-month' is 1-31 ('L' is not a number, range a-b or step /n), got '0 0 L * *'"],
    ['a negative number', '0 -1 * * *', "Schedule.cron: 'expression' must be a cron expression whose field 'hour' is 0-23 ('-1' is not a number, range a-b or step /n), got '0 -1 * * *'"],
    ['an empty list item', '0 1,,2 * * *', "Schedule.cron: 'expression' must be a cron expression whose field 'hour' is 0-23 ('1,,2' has an empty list item), got '0 1,,2 * * *'"],
    ['six fields (seconds)', '0 0 2 * * *', "Schedule.cron: 'expression' must be a cron expression with five fields (minute hour day-of-month month day-of-week, e.g. '0 2 * * *') or a macro such as '@daily', got '0 0 2 * * *'"],
    ['four fields', '0 2 * *', "Schedule.cron: 'expression' must be a cron expression with five fields (minute hour day-of-month month day-of-week, e.g. '0 2 * * *') or a macro such as '@daily', got '0 2 * *'"],
    ['nothing', '', "Schedule.cron: 'expression' must be a cron expression with five fields (minute hour day-of-month month day-of-week, e.g. '0 2 * * *') or a macro such as '@daily', got ''"],
    ['an unknown macro', '@reboot', "Schedule.cron: 'expression' must be a cron expression or one of the macros @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or '@every <duration>', got '@reboot'"],
    ['a macro in capitals', '@DAILY', "Schedule.cron: 'expression' must be a cron expression or one of the macros @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or '@every <duration>', got '@DAILY'"],
    ['@every without a unit', '@every 90', "Schedule.cron: 'expression' must be '@every' and a duration of at least 1s in Go's form, such as '@every 1h30m', got '@every 90'"],
    ['@every under a second', '@every 500ms', "Schedule.cron: 'expression' must be '@every' and a duration of at least 1s in Go's form, such as '@every 1h30m', got '@every 500ms'"],
    ['a time zone in the schedule', 'CRON_TZ=Europe/Berlin 0 2 * * *', "Schedule.cron: 'expression' must not set a time zone (TZ= or CRON_TZ=, which Kubernetes refuses): give it as the schedule's timeZone, got 'CRON_TZ=Europe/Berlin 0 2 * * *'"],
  ])('refuses %s', (_, expression, message) => {
    expect(messageOf(() => Schedule.cron(expression))).toBe(message);
  });

  test('refuses what is not a string', () => {
    expect(messageOf(() => Schedule.cron(5 as unknown as string))).toMatch(/^Schedule.cron: 'expression' must be a cron expression with five fields .*, got 5$/);
  });
});

describe('scheduleOptions.timeZone', () => {
  test.each([
    'Etc/UTC', 'UTC', 'Europe/Berlin', 'America/New_York', 'America/Argentina/Buenos_Aires', 'America/North_Dakota/New_Salem',
    // backward-compatible links of the tz database, which Go's time.LoadLocation loads too
    'US/Pacific', 'Asia/Calcutta', 'GB', 'Etc/GMT+5', 'EST5EDT', 'PST8PDT',
  ])('takes %p', (timeZone) => {
    expect(cronJobOf(timeZone).spec.timeZone).toBe(timeZone);
  });

  test.each([
    ['an abbreviation JavaScript takes but Kubernetes does not', 'PST', " (abbreviations such as 'PST' are not zone names)"],
    ['another one', 'IST', " (abbreviations such as 'PST' are not zone names)"],
    ['a name in the wrong case', 'europe/berlin', " (names are case-sensitive: 'Europe/Berlin')"],
    ['an unknown zone', 'Mars/Olympus', ''],
    ['a path', '../etc/passwd', ''],
    ['a UTC offset', '+02:00', ''],
    ['nothing', '', ''],
  ])('refuses %s: %p', (_, timeZone, hint) => {
    expect(messageOf(() => cronJobOf(timeZone))).toBe(
      `GpuTrainingJob 'train': 'scheduleOptions.timeZone' must be an IANA time zone name such as 'Europe/Berlin', 'America/New_York' or 'Etc/UTC'${hint}, got '${timeZone}'`,
    );
  });

  test("refuses 'Local', as Kubernetes does", () => {
    expect(messageOf(() => cronJobOf('Local'))).toBe(
      "GpuTrainingJob 'train': 'scheduleOptions.timeZone' must be an IANA time zone name such as 'Europe/Berlin', 'America/New_York' or 'Etc/UTC' (Kubernetes refuses 'Local', the controller's own zone), got 'Local'",
    );
  });

  test('the names are loaded only when a time zone is checked', () => {
    // In a node process of its own: jest's module registry does not show what a plain require loads.
    const script = `
      const loaded = () => Object.keys(require.cache).some((f) => f.endsWith('time-zones.ts'));
      const lib = require('./lib/core');
      const before = loaded();
      lib.validateTimeZone(lib.Validator.forFactory('test'), 'timeZone', 'Etc/UTC');
      console.log(JSON.stringify([before, loaded()]));`;
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([false, true]);
    expect(validateTimeZone(Validator.forFactory('test'), 'timeZone', 'Europe/Paris')).toBe('Europe/Paris');
  }, 30_000);
});
