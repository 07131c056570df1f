import { Duration, Size } from 'cdk8s';
import { IValidator } from './errors';
import { lazyModule } from './lazy';

/** RFC 1123 label: what Kubernetes requires of namespace, Service and most other object names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: ConfigMap, Secret, claim and StorageClass names. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A Kubernetes resource quantity (`500m`, `16Gi`, `1.5`, `1e3`). */
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/;
/** A C identifier, which is what a shell expands as `$(NAME)` and what env var names should be. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Env var names whose literal values would put a credential in the manifest. */
const CREDENTIAL_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
/** Names that point to a mounted credential file rather than hold a credential (`GOOGLE_APPLICATION_CREDENTIALS`). */
const CREDENTIAL_FILE_NAME = /(_FILE|_PATH|_DIR|^GOOGLE_APPLICATION_CREDENTIALS)$/;
/** `scheme://user:password@host`: a URI that carries a password. */
const URI_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Checks that `value` is a DNS-1123 label of at most `maxLength` characters (63 by default). */
export function validateDnsLabel(v: IValidator, prop: string, value: string, maxLength = 63): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || !DNS_LABEL.test(value)) {
    v.fail(prop, `must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most ${maxLength} characters)`, value);
  }
  return value;
}

/** Checks that `value` is a DNS-1123 subdomain (at most 253 characters). */
export function validateDnsSubdomain(v: IValidator, prop: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    v.fail(prop, 'must be a DNS-1123 subdomain (lower-case letters, digits, \'-\' and \'.\', at most 253 characters)', value);
  }
  return value;
}

/** A label key: an optional DNS subdomain prefix and `/`, then a name of 1-63 characters. */
const LABEL_KEY = /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label value: empty, or 1-63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit. */
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Whether `value` is a Kubernetes label value (also the form of toleration and node-requirement values). */
export function isLabelValue(value: unknown): boolean {
  return typeof value === 'string' && LABEL_VALUE.test(value);
}

/** Why a map key `constructor` is refused: cdk8s renders a map only while `map.constructor` is `Object`. */
export const UNRENDERABLE_KEY = 'must not have a key \'constructor\' (cdk8s cannot render a map with that key)';

/** Checks a label map (keys `[prefix/]name`, values label values), as Kubernetes does for labels and selectors. */
export function validateLabels(v: IValidator, prop: string, labels: Record<string, string> | undefined): Record<string, string> | undefined {
  if (labels === undefined) return labels;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) v.fail(prop, 'must be an object of label keys to values', labels);
  for (const [key, value] of Object.entries(labels)) {
    if (key === 'constructor') v.fail(prop, UNRENDERABLE_KEY, key);
    if (!LABEL_KEY.test(key) || key.indexOf('/') > 253) {
      v.fail(prop, 'must have label keys of the form [prefix/]name (a DNS subdomain prefix; a name of at most 63 letters, digits, \'-\', \'_\' or \'.\')', key);
    }
    if (!isLabelValue(value)) {
      v.fail(`${prop}.${key}`, 'must be a label value (at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit)', value);
    }
  }
  return labels;
}

/**
 * Checks that `value` is a member of the string enum `members` (named `enumName` in messages), and lists the members
 * as a user writes them (`ClaimPurpose.DATASET, ClaimPurpose.MODEL`) when it is not.
 */
export function validateEnum<T extends string>(v: IValidator, prop: string, value: unknown, members: Record<string, T>, enumName: string): T {
  if (!(Object.values(members) as unknown[]).includes(value)) {
    v.fail(prop, `must be one of ${Object.keys(members).map((key) => `${enumName}.${key}`).join(', ')}`, value);
  }
  return value as T;
}

/** Checks that `value` is a whole number in `[min, max]`. */
export function validateInteger(v: IValidator, prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    v.fail(prop, `must be a whole number ${range}`, value);
  }
  return value;
}

/**
 * Checks a cdk8s Duration of whole seconds from `min` to `max` and returns the seconds.
 * @internal the one duration rule; `durationSeconds` (core/job.ts) and its `validateInteger` callers move onto it
 */
export function validateDuration(v: IValidator, prop: string, duration: Duration, min: number, max = MAX_DURATION_SECONDS): number {
  if (!(duration instanceof Duration)) v.fail(prop, 'must be a cdk8s Duration such as Duration.hours(12)', duration);
  const seconds = duration.toSeconds({ integral: false });
  if (!Number.isInteger(seconds)) v.fail(prop, 'must be a whole number of seconds', `${seconds}s`);
  return validateInteger(v, prop, seconds, min, max);
}

/** The longest Duration a manifest can carry: Kubernetes' seconds fields are int32 (2^31-1 s, about 68 years). */
export const MAX_DURATION_SECONDS = 2147483647;

/** Checks that an optional flag is `true`, `false` or not given (plain JavaScript can pass anything). */
export function validateBoolean(v: IValidator, prop: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') v.fail(prop, 'must be true or false', value);
  return value as boolean | undefined;
}

/** Checks a TCP/UDP port number. */
export function validatePort(v: IValidator, prop: string, value: number): number {
  return validateInteger(v, prop, value, 1, 65535);
}

/** A registry host (`ghcr.io`, `registry:5000`, `localhost`): the first path component when it has a '.' or ':'. */
const IMAGE_DOMAIN = /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*(:\d+)?$/;
/** A repository path component as the distribution reference grammar takes it: lower-case, separators inside. */
const IMAGE_PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
/** A tag: `[\w][\w.-]{0,127}`. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** A digest `algorithm:hex`; the registered algorithms have fixed lengths (sha256: 64, sha512: 128). */
const IMAGE_DIGEST = /^[a-z0-9]+([+._-][a-z0-9]+)*:[a-f0-9]{32,}$/;
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * Checks a container image reference against the distribution reference grammar the runtime parses
 * (`[host[:port]/]path[:tag][@algorithm:hex]`, lower-case repository), and that it is pinned, with a tag other than
 * `latest` or a digest, so that a rollout or a retraining run uses the image that was tested.
 */
export function validateImage(v: IValidator, prop: string, image: string): string {
  const example = '(e.g. \'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\')';
  if (typeof image !== 'string' || image.length === 0 || /\s|[\x00-\x1f\x7f]/.test(image)) {
    v.fail(prop, `must be an image reference with a pinned tag or digest ${example}`, image);
  }
  const at = image.indexOf('@');
  const digest = at < 0 ? undefined : image.slice(at + 1);
  const nameAndTag = at < 0 ? image : image.slice(0, at);
  if (digest !== undefined) {
    const algorithm = digest.slice(0, digest.indexOf(':'));
    const hex = digest.slice(digest.indexOf(':') + 1);
    if (!IMAGE_DIGEST.test(digest) || (DIGEST_HEX_LENGTH[algorithm] !== undefined && hex.length !== DIGEST_HEX_LENGTH[algorithm])) {
      v.fail(prop, 'must end in a valid digest \'@algorithm:hex\' (e.g. \'@sha256:\' and 64 lower-case hex digits)', image);
    }
  }
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const tag = colon > slash ? nameAndTag.slice(colon + 1) : undefined;
  const name = tag === undefined ? nameAndTag : nameAndTag.slice(0, colon);
  const components = name.split('/');
  const domain = components.length > 1 && /[.:]|^localhost$/.test(components[0]) ? components.shift() : undefined;
  if (name.length > 255 || (domain !== undefined && !IMAGE_DOMAIN.test(domain)) || !components.every((c) => IMAGE_PATH_COMPONENT.test(c))) {
    v.fail(prop, `must name a repository of lower-case letters, digits and separators ('.', '_', '-') between '/', after an optional registry host ${example}`, image);
  }
  if (tag === undefined && digest === undefined) {
    v.fail(prop, 'must pin a tag or a digest (an image without a tag means \'latest\')', image);
  }
  if (tag === 'latest' && digest === undefined) {
    v.fail(prop, 'must pin a tag other than \'latest\' or a digest', image);
  }
  if (tag !== undefined && !IMAGE_TAG.test(tag)) {
    v.fail(prop, 'must end in a valid tag (letters, digits, \'_\', \'.\', \'-\', not starting with \'.\' or \'-\', at most 128 characters)', image);
  }
  return image;
}

/** A quantity given as a string (`'16Gi'`, `'500m'`), a number (cores, bytes) or a cdk8s `Size`. */
export type QuantityInput = string | number | Size;

/** Checks and normalises a resource quantity; `positive` rejects zero. */
export function validateQuantity(v: IValidator, prop: string, value: QuantityInput, positive = true): string {
  let text: string;
  if (value instanceof Size) {
    text = value.asString();
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) v.fail(prop, 'must be a non-negative quantity', value);
    text = String(value);
  } else {
    text = value;
  }
  if (typeof text !== 'string' || !QUANTITY.test(text)) {
    v.fail(prop, 'must be a Kubernetes quantity such as \'500m\', \'2\', \'16Gi\' or \'1Ti\'', value);
  }
  if (positive && quantityToNumber(text) <= 0) {
    v.fail(prop, 'must be a quantity greater than zero', value);
  }
  // Kubernetes stores quantities as 64-bit integers and silently caps larger ones (and `1e400` is not a number here).
  if (!(quantityToNumber(text) <= MAX_QUANTITY)) {
    v.fail(prop, 'must be a quantity of at most 2^63-1 (about 8Ei), the largest Kubernetes stores', value);
  }
  return text;
}

const MAX_QUANTITY = 2 ** 63 - 1;

const SUFFIX: Record<string, number> = {
  '': 1, 'n': 1e-9, 'u': 1e-6, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** The numeric value of a valid quantity string (bytes for memory, cores for cpu). */
export function quantityToNumber(quantity: string): number {
  const match = /^[+]?(\d+(?:\.\d*)?|\.\d+)(.*)$/.exec(quantity);
  if (!match) return NaN;
  const [, number, suffix] = match;
  if (/^[eE]/.test(suffix)) return Number(`${number}${suffix}`);
  const factor = SUFFIX[suffix];
  return factor === undefined ? NaN : Number(number) * factor;
}

/** Checks an environment variable name. */
export function validateEnvName(v: IValidator, prop: string, name: string): string {
  if (!ENV_NAME.test(name)) {
    v.fail(prop, 'must be an environment variable name (letters, digits and \'_\', not starting with a digit)', name);
  }
  return name;
}

/**
 * Refuses a literal value that would put a credential into the manifest: a credential-like env var name with a
 * plain value, or a URI with a password in it. A file-pointer name (`TOKEN_FILE`, `GOOGLE_APPLICATION_CREDENTIALS`)
 * with an absolute path is fine: the file is a mounted Secret.
 */
export function rejectInlineCredential(v: IValidator, prop: string, name: string | undefined, value: string): void {
  // A file-pointer name with an absolute path, or any path of a file mounted from a Secret
  // (`GOOGLE_APPLICATION_CREDENTIALS=/var/run/secrets/...`), is no credential: the file is a mounted Secret.
  const pointsToFile = name !== undefined && CREDENTIAL_FILE_NAME.test(name) && /^\/\S*$/.test(value);
  const mountedSecretPath = /^\/var\/run\/secrets\/\S+$/.test(value);
  if (name !== undefined && CREDENTIAL_NAME.test(name) && value !== '' && !pointsToFile && !mountedSecretPath) {
    v.fail(prop, 'looks like a credential and must come from a Secret (pass it with SecretValue.fromSecret), not a literal value', name);
  }
  if (URI_WITH_PASSWORD.test(value)) {
    v.fail(prop, 'must not carry a password inside a URI; pass the password from a Secret', redactUri(value));
  }
}

/** Hides the password of `scheme://user:password@host` for error messages. */
function redactUri(value: string): string {
  return value.replace(/(:\/\/[^/\s:@]+:)[^/\s@]+@/i, '$1***@');
}

/** A field of a standard cron expression, with the bounds and names Kubernetes' parser (robfig/cron v3) takes. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names for min, min + 1, ...: matched in any case. */
  readonly names?: readonly string[];
}

const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  // 0-6 only: unlike Vixie cron, Kubernetes refuses 7 for Sunday.
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** A Go duration (`1h30m`, `90s`, `1.5h`) as `@every` takes it; the capture groups are number and unit. */
const GO_DURATION = /^((\d+(\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/;
const GO_DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g;
const GO_DURATION_UNIT_SECONDS: Record<string, number> = { 'ns': 1e-9, 'us': 1e-6, '\u00b5s': 1e-6, '\u03bcs': 1e-6, 'ms': 1e-3, 's': 1, 'm': 60, 'h': 3600 };

/**
 * Checks a cron schedule as a Kubernetes CronJob takes it (the API server parses it with robfig/cron v3's standard
 * parser): five fields (minute hour day-of-month month day-of-week), each `*` or `?`, a number, a range `a-b`, a
 * step (`*\/n`, `a/n`, `a-b/n`) or a comma-separated list of them, months and weekdays also by name (`JAN`,
 * `MON-FRI`, any case); or a macro (`@daily`, `@hourly`, ...) or `@every <duration>` (`@every 1h30m`). A time
 * zone inside the schedule (`TZ=`, `CRON_TZ=`) is refused, as Kubernetes does: the CronJob's `timeZone` sets it.
 * An out-of-range value names its field and the field's range.
 */
export function validateCron(v: IValidator, prop: string, expression: string): string {
  const form = 'must be a cron expression with five fields (minute hour day-of-month month day-of-week, e.g. \'0 2 * * *\') or a macro such as \'@daily\'';
  if (typeof expression !== 'string' || expression.trim() === '') v.fail(prop, form, expression);
  if (expression.includes('TZ')) {
    v.fail(prop, 'must not set a time zone (TZ= or CRON_TZ=, which Kubernetes refuses): give it as the schedule\'s timeZone', expression);
  }
  if (expression.startsWith('@')) {
    if (CRON_MACROS.includes(expression)) return expression;
    const every = /^@every (.*)$/.exec(expression);
    if (!every) v.fail(prop, `must be a cron expression or one of the macros ${CRON_MACROS.join(', ')} or '@every <duration>'`, expression);
    const seconds = GO_DURATION.test(every[1])
      ? [...every[1].matchAll(GO_DURATION_PART)].reduce((sum, m) => sum + Number(m[1]) * GO_DURATION_UNIT_SECONDS[m[2]], 0)
      : NaN;
    if (!(seconds >= 1)) v.fail(prop, 'must be \'@every\' and a duration of at least 1s in Go\'s form, such as \'@every 1h30m\'', expression);
    return expression;
  }
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) v.fail(prop, form, expression);
  fields.forEach((text, i) => {
    const field = CRON_FIELDS[i];
    const problem = cronFieldProblem(text, field);
    if (problem !== undefined) {
      const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`;
      v.fail(prop, `must be a cron expression whose field '${field.name}' is ${range} (${problem})`, expression);
    }
  });
  return expression;
}

/** What is wrong with one field of a cron expression, as robfig/cron v3 would refuse it; undefined when nothing. */
function cronFieldProblem(text: string, field: CronField): string | undefined {
  const value = (token: string): number => {
    const named = field.names?.indexOf(token.toUpperCase()) ?? -1;
    if (named >= 0) return field.min + named;
    return /^\d+$/.test(token) ? Number(token) : NaN;
  };
  const outOfRange = (token: string, n: number): string | undefined => {
    if (n >= field.min && n <= field.max) return undefined;
    return field.name === 'day-of-week' && n === 7 ? '7 is out of range: Sunday is 0 or SUN' : `${token} is out of range`;
  };
  for (const item of text.split(',')) {
    const form = `'${item}' is not a number${field.names ? ', name' : ''}, range a-b or step /n`;
    if (item === '') return `'${text}' has an empty list item`;
    const [range, step, ...moreSteps] = item.split('/');
    if (moreSteps.length > 0 || (step !== undefined && !/^\d+$/.test(step))) return form;
    if (step !== undefined && Number(step) === 0) return `'${item}' has a step of 0`;
    if (range === '*' || range === '?') continue;
    const [from, to, ...more] = range.split('-');
    if (more.length > 0) return form;
    const low = value(from);
    // `a/n` runs from a to the field's maximum.
    const high = to !== undefined ? value(to) : step !== undefined ? field.max : low;
    if (Number.isNaN(low) || Number.isNaN(high)) return form;
    const problem = outOfRange(from, low) ?? (to !== undefined ? outOfRange(to, high) : undefined);
    if (problem !== undefined) return problem;
    if (low > high) return `'${range}' runs backwards`;
  }
  return undefined;
}

/** The time zone names Kubernetes takes, loaded on first use (lib/core/time-zones.ts, generated from tzdata). */
const timeZoneNames = lazyModule(() => {
  const { TIME_ZONES_BY_AREA } = require('./time-zones') as typeof import('./time-zones');
  const names = new Set<string>();
  for (const line of TIME_ZONES_BY_AREA.split('\n')) {
    const [area, ...locations] = line.split(' ');
    for (const location of locations) names.add(area ? `${area}/${location}` : location);
  }
  return names;
});

/**
 * Checks a CronJob time zone against the IANA tz database names Kubernetes accepts (`Europe/Berlin`, `Etc/UTC`,
 * backward-compatible links such as `US/Pacific`), not the runtime's: JavaScript also takes abbreviations such as
 * `PST` that Kubernetes refuses. The names come from tzdata (see lib/core/time-zones.ts for the release).
 */
export function validateTimeZone(v: IValidator, prop: string, timeZone: string): string {
  const requirement = 'must be an IANA time zone name such as \'Europe/Berlin\', \'America/New_York\' or \'Etc/UTC\'';
  if (typeof timeZone !== 'string' || timeZone === '') v.fail(prop, requirement, timeZone);
  if (timeZone.toLowerCase() === 'local') v.fail(prop, `${requirement} (Kubernetes refuses 'Local', the controller's own zone)`, timeZone);
  if (!timeZoneNames().has(timeZone)) {
    const sameButCase = [...timeZoneNames()].find((name) => name.toLowerCase() === timeZone.toLowerCase());
    const hint = sameButCase !== undefined
      ? ` (names are case-sensitive: '${sameButCase}')`
      : /^[A-Z]{3,5}$/.test(timeZone) ? ' (abbreviations such as \'PST\' are not zone names)' : '';
    v.fail(prop, requirement + hint, timeZone);
  }
  return timeZone;
}

/** An IPv4 address: four decimal octets from 0 to 255 without leading zeros. */
const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `${IPV4_OCTET}\\.${IPV4_OCTET}\\.${IPV4_OCTET}\\.${IPV4_OCTET}`;
const IPV4_ADDRESS = new RegExp(`^${IPV4}$`);
const IPV4_CIDR = new RegExp(`^${IPV4}/(3[0-2]|[12]?\\d)$`);

/**
 * Checks an IPv4 CIDR (`10.0.0.0/8`) strictly: decimal octets from 0 to 255 and a prefix from 0 to 32, neither with
 * leading zeros (Go reads `010` as ten, other tools as eight), and no address bits beyond the prefix
 * (`10.1.2.3/8` is a typo for `10.0.0.0/8` or `10.1.2.3/32`: the message says both). The one CIDR rule of the library;
 * its short message keeps to one line what the examples make plain.
 */
export function validateCidr(v: IValidator, prop: string, cidr: string): string {
  const match = typeof cidr === 'string' ? IPV4_CIDR.exec(cidr) : null;
  if (!match) {
    v.fail(prop, 'must be an IPv4 CIDR such as \'10.0.0.0/8\'', cidr);
  }
  const [address, prefix] = [ipv4Number(cidr.split('/')[0]), Number(cidr.split('/')[1])];
  const network = prefix === 0 ? 0 : (address & (~0 << (32 - prefix))) >>> 0;
  if (network !== address) {
    v.fail(prop, `must have no address bits beyond its /${prefix} prefix: '${ipv4String(network)}/${prefix}' for the range, or '${cidr.split('/')[0]}/32' for the one address`, cidr);
  }
  return cidr;
}

/** Checks an IPv4 address (`169.254.20.10`), by the octet rule of {@link validateCidr}. */
export function validateIpv4Address(v: IValidator, prop: string, address: string): string {
  if (typeof address !== 'string' || !IPV4_ADDRESS.test(address)) {
    v.fail(prop, 'must be an IPv4 address: four numbers from 0 to 255 without leading zeros, such as \'169.254.20.10\'', address);
  }
  return address;
}

/** A DNS host name: labels of 1-63 letters, digits and '-' (not at either end), at most 253 characters in all. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Checks a server's address outside the cluster: a DNS host name or an IPv4 address. Four dotted numbers are read as
 * an address, so `999.0.0.1` is refused rather than taken for a host name.
 */
export function validateHost(v: IValidator, prop: string, host: string): string {
  const dottedNumbers = typeof host === 'string' && /^[\d.]+$/.test(host);
  if (typeof host !== 'string' || !HOST_NAME.test(host) || (dottedNumbers && !IPV4_ADDRESS.test(host))) {
    v.fail(prop, 'must be a host name (labels of letters, digits and \'-\', at most 253 characters) or an IPv4 address such as \'10.0.0.5\'', host);
  }
  return host;
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function ipv4String(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/**
 * Refuses a source range that admits every address (`0.0.0.0/0`, any `/0`) unless the user said so with the prop
 * named `acknowledgement`: a Service or Ingress open to the whole internet is a choice, never a default.
 */
export function rejectInternetSource(v: IValidator, prop: string, cidr: string, acknowledged: boolean | undefined, acknowledgement: string): void {
  if (typeof cidr === 'string' && /\/0$/.test(cidr.trim()) && acknowledged !== true) {
    v.fail(prop, `admits every address on the internet; list the client ranges, or set ${acknowledgement}: true if the server is meant to be public`, cidr);
  }
}

/** Checks an absolute, normalised path in a container. */
export function validateMountPath(v: IValidator, prop: string, path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('..') || /\s/.test(path) || CONTROL_CHARACTER.test(path) || path.includes(':')) {
    v.fail(prop, 'must be an absolute path without \'..\', \':\' or spaces', path);
  }
  return path;
}

/**
 * Checks a relative path inside a volume or repository (`feast/registry.db`): not empty, not starting with '/',
 * without '..' segments, ':' or spaces.
 * @internal the rule next to {@link validateMountPath}; core/volumes.ts checks `subPath` with a weaker copy of it
 */
export function validateRelativePath(v: IValidator, prop: string, path: string): string {
  if (typeof path !== 'string' || path.length === 0 || path.startsWith('/') || path.split('/').includes('..') || /\s|:/.test(path)) {
    v.fail(prop, 'must be a relative path without \'..\', \':\' or spaces', path);
  }
  return path;
}

/** Control characters other than tab: a NUL ends a C string in the runtime, a newline breaks a one-line field. */
const CONTROL_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Checks that `value` is a string on one line: no NUL, newline or other control character (tab aside). */
export function validateSingleLine(v: IValidator, prop: string, value: string): string {
  if (typeof value !== 'string' || CONTROL_CHARACTER.test(value)) {
    v.fail(prop, 'must be a single-line string without control characters (NUL, newlines)', value);
  }
  return value;
}

/** Checks that `value` has no NUL character, which no process argument can carry (newlines are fine in a script). */
export function rejectNulCharacter(v: IValidator, prop: string, value: string): string {
  if (typeof value === 'string' && value.includes('\0')) v.fail(prop, 'must not contain a NUL character', value);
  return value;
}

/** RFC 1035 label: what Kubernetes requires of Service names (a letter first, so the name is never an address). */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks a name that becomes a Service (or the prefix of one): an RFC 1035 label of at most `maxLength`
 * characters, where `maxLength` leaves room for the suffixes the construct appends.
 */
export function validateServiceName(v: IValidator, prop: string, value: string, maxLength = 63): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || !DNS_1035_LABEL.test(value)) {
    v.fail(prop, `must be a DNS-1035 label, as Service names are (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most ${maxLength} characters)`, value);
  }
  return value;
}

/** Checks mount options (`nfsvers=4.1`, `allow-other`): a list of single-line strings, as `mount -o` takes them. */
export function validateMountOptions(v: IValidator, prop: string, options: string[] | undefined): string[] | undefined {
  if (options === undefined) return options;
  if (!Array.isArray(options)) v.fail(prop, 'must be a list of mount options', options);
  options.forEach((option, i) => {
    validateSingleLine(v, `${prop}[${i}]`, option);
    if (option.trim() === '' || option.includes(',')) v.fail(`${prop}[${i}]`, 'must be one non-empty mount option (no \',\'; give each option its own entry)', option);
  });
  return options;
}
