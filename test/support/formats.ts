/**
 * Value formats the apiserver checks in Go code (k8s.io/apimachinery/pkg/util/validation, robfig/cron/v3,
 * resource.Quantity), restated for the semantic checks. Each returns a problem, or undefined when valid.
 */
import * as fs from 'fs';
import * as net from 'net';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
// validation.IsEnvVarName (1.27): letters, digits, "_", "-", "."; not starting with a digit.
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
// validation.IsConfigMapKey.
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
// RFC 7230 token: an HTTP header name (core validation: validateHTTPHeader → IsHTTPHeaderName).
const HTTP_HEADER_NAME = /^[-A-Za-z0-9!#$%&'*+.^_`|~]+$/;
// resource.Quantity grammar: <signedNumber><suffix>, suffix binary (Ki..Ei), decimal (n u m k M G T P E) or an exponent.
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const SUFFIX_SCALE: Record<string, number> = {
  '': 1, 'n': 1e-9, 'u': 1e-6, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

export function dns1123Label(value: string): string | undefined {
  return value.length <= 63 && DNS1123_LABEL.test(value) ? undefined : 'must be a DNS-1123 label (a-z, 0-9, "-", at most 63 characters)';
}

export function dns1123Subdomain(value: string): string | undefined {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value) ? undefined : 'must be a DNS-1123 subdomain (a-z, 0-9, "-", ".", at most 253 characters)';
}

export function dns1035Label(value: string): string | undefined {
  return value.length <= 63 && DNS1035_LABEL.test(value) ? undefined : 'must be a DNS-1035 label (a-z, 0-9, "-", starting with a letter, at most 63 characters)';
}

/** validation.IsQualifiedName: a label or annotation key, a topology key, a resource name. */
export function qualifiedName(value: string): string | undefined {
  const slash = value.indexOf('/');
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  if (prefix !== undefined && (prefix === '' || dns1123Subdomain(prefix))) return 'must be a qualified name: the prefix must be a DNS-1123 subdomain';
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'must be a qualified name: 1-63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric, with an optional DNS-1123 subdomain prefix and "/"';
  }
  return undefined;
}

/** validation.IsValidLabelValue. */
export function labelValue(value: string): string | undefined {
  return value === '' || (value.length <= 63 && QUALIFIED_NAME.test(value)) ? undefined
    : 'must be a label value: at most 63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric';
}

/** validation.IsValidPortName (IANA_SVC_NAME): 1-15 of a-z, 0-9, "-", at least one letter, no "--", no "-" at either end. */
export function portName(value: string): string | undefined {
  const ok = value.length >= 1 && value.length <= 15 && /^[-a-z0-9]+$/.test(value) && /[a-z]/.test(value)
    && !value.includes('--') && !value.startsWith('-') && !value.endsWith('-');
  return ok ? undefined : 'must be an IANA_SVC_NAME (1-15 of a-z, 0-9, "-", with a letter, no "--", not starting or ending with "-")';
}

/** A port number 1-65535. Values that are not integers are the schema's to report. */
export function portNumber(value: unknown): string | undefined {
  if (!Number.isInteger(value)) return undefined;
  return (value as number) >= 1 && (value as number) <= 65535 ? undefined : 'must be a port number between 1 and 65535';
}

/** ValidatePortNumOrName: an int-or-string port, a number 1-65535 or an IANA_SVC_NAME. */
export function portNumOrName(value: unknown): string | undefined {
  return typeof value === 'string' ? portName(value) : portNumber(value);
}

export function envVarName(value: string): string | undefined {
  return ENV_VAR_NAME.test(value) ? undefined : 'must be an environment variable name (letters, digits, "_", "-", ".", not starting with a digit)';
}

export function configMapKey(value: string): string | undefined {
  if (value.length > 253 || !CONFIG_MAP_KEY.test(value)) return 'must be a key of letters, digits, "-", "_" or "." (at most 253)';
  if (value === '.' || value === '..' || value.startsWith('..')) return 'must not be "." or start with ".."';
  return undefined;
}

export function httpHeaderName(value: string): string | undefined {
  return HTTP_HEADER_NAME.test(value) ? undefined : 'must be an HTTP header name (an RFC 7230 token)';
}

/** A quantity (string or number) in base units, or undefined when it does not parse. */
export function quantityValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = QUANTITY.exec(value);
  if (!match) return undefined;
  const suffix = match[2] ?? '';
  const scale = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX_SCALE[suffix];
  return Number(match[1]) * scale;
}

export function isInteger(quantity: number): boolean {
  const milli = quantity * 1000;
  return Math.abs(milli - Math.round(milli)) < 1e-6 && Math.round(milli) % 1000 === 0;
}

/** A percentage of an int-or-string (`"25%"`), or undefined when the value is not a percentage. */
export function percentValue(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^([0-9]+)%$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** IsValidCIDR (net.ParseCIDR): an IPv4 or IPv6 address and a prefix length. */
export function cidr(value: string): string | undefined {
  const parsed = parseCidr(value);
  return parsed ? undefined : 'must be a valid CIDR (e.g. 10.0.0.0/16 or fd00::/8)';
}

export function parseCidr(value: string): { family: 4 | 6; bits: bigint; prefix: number } | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const address = value.slice(0, slash);
  const prefixText = value.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (net.isIPv4(address) && prefix <= 32) {
    // Go rejects leading zeros in IPv4 octets.
    if (address.split('.').some((octet) => octet.length > 1 && octet.startsWith('0'))) return undefined;
    const bits = address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
    return { family: 4, bits, prefix };
  }
  if (net.isIPv6(address) && prefix <= 128 && !address.includes('%')) {
    return { family: 6, bits: ipv6Bits(address), prefix };
  }
  return undefined;
}

/** Whether CIDR `inner` lies strictly within `outer` (NetworkPolicy `except` entries). */
export function strictSubnet(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  if (!a || !b || a.family !== b.family || a.prefix <= b.prefix) return false;
  const width = BigInt(a.family === 4 ? 32 : 128);
  const shift = width - BigInt(b.prefix);
  return (a.bits >> shift) === (b.bits >> shift);
}

function ipv6Bits(address: string): bigint {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const octets = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((octets[0] << 8) | octets[1]).toString(16)}:${((octets[2] << 8) | octets[3]).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const restParts = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const missing = rest === undefined ? 0 : 8 - headParts.length - restParts.length;
  const groups = [...headParts, ...Array(missing).fill('0'), ...restParts];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

// robfig/cron/v3 standard parser (what batch/v1 CronJob validation calls): minute hour day-of-month month day-of-week.
const CRON_FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
const CRON_DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * A CronJob schedule (batch validation validateScheduleFormat: cron.ParseStandard, and no `TZ=` / `CRON_TZ=`
 * in the schedule, which belongs in `timeZone`).
 */
export function cronSchedule(schedule: string): string | undefined {
  if (schedule.includes('TZ')) return 'must not contain TZ or CRON_TZ; use the timeZone field';
  if (schedule.trim() === '') return 'must not be empty';
  if (schedule.startsWith('@')) {
    if (CRON_DESCRIPTORS.has(schedule)) return undefined;
    if (schedule.startsWith('@every ')) return goDuration(schedule.slice('@every '.length)) ? undefined : 'has an invalid @every duration';
    return `unknown descriptor ${JSON.stringify(schedule)}`;
  }
  const fields = schedule.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return `must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  for (let i = 0; i < 5; i++) {
    const problem = cronField(fields[i], CRON_FIELDS[i]);
    if (problem) return `${CRON_FIELDS[i].name} field ${JSON.stringify(fields[i])}: ${problem}`;
  }
  return undefined;
}

function cronField(field: string, bounds: typeof CRON_FIELDS[number]): string | undefined {
  for (const expr of field.split(',')) {
    const rangeAndStep = expr.split('/');
    if (rangeAndStep.length > 2) return 'too many slashes';
    const lowAndHigh = rangeAndStep[0].split('-');
    if (lowAndHigh.length > 2) return 'too many hyphens';
    let start: number | undefined;
    let end: number | undefined;
    if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
      if (lowAndHigh.length > 1) return 'a range cannot start with *';
      start = bounds.min;
      end = bounds.max;
    } else {
      start = cronValue(lowAndHigh[0], bounds);
      end = lowAndHigh.length === 2 ? cronValue(lowAndHigh[1], bounds) : start;
    }
    if (start === undefined || end === undefined) return 'not a number or name';
    if (rangeAndStep.length === 2) {
      const step = cronValue(rangeAndStep[1], { ...bounds, names: undefined });
      if (step === undefined || step <= 0) return 'the step must be a positive number';
      if (lowAndHigh.length === 1 && lowAndHigh[0] !== '*' && lowAndHigh[0] !== '?') end = bounds.max;
    }
    if (start < bounds.min) return `${start} is below ${bounds.min}`;
    if (end > bounds.max) return `${end} is above ${bounds.max}`;
    if (start > end) return `${start} is after ${end}`;
  }
  return undefined;
}

function cronValue(text: string, bounds: { names?: string[]; min: number }): number | undefined {
  const index = bounds.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index >= 0) return index + (bounds.names!.length === 12 ? 1 : 0);
  return /^[0-9]+$/.test(text) ? Number(text) : undefined;
}

/** Go's time.ParseDuration (e.g. `1h30m`, `90s`, `1.5h`). */
export function goDuration(text: string): boolean {
  return /^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$/.test(text) || text === '0';
}

// batch validation validateTimeZone: each part matches this, is not "." or "..", and does not start with "-".
const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** A CronJob timeZone: explicit (not Local), well formed, and known to the tz database (time.LoadLocation). */
export function timeZone(value: string): string | undefined {
  if (value === '') return 'must be nil or a non-empty string';
  if (value.toLowerCase() === 'local') return 'must be an explicit time zone, not Local';
  const malformed = value.split('/').some((part) => part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part));
  if (malformed || !knownTimeZone(value)) return `unknown time zone ${JSON.stringify(value)}`;
  return undefined;
}

const ZONEINFO = '/usr/share/zoneinfo';

function knownTimeZone(value: string): boolean {
  if (value === 'UTC') return true;
  if (fs.existsSync(ZONEINFO)) {
    // time.LoadLocation reads this directory (case-sensitively) when the tz database is installed.
    try {
      return fs.statSync(`${ZONEINFO}/${value}`).isFile();
    } catch {
      return false;
    }
  }
  try {
    // Without a system tz database, ICU's; it matches case-insensitively, so compare the canonical case too.
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
    return resolved.toLowerCase() !== value.toLowerCase() || resolved === value;
  } catch {
    return false;
  }
}
