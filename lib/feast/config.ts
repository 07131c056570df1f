import { k8s } from 'cdk8s-plus-27';
import { lazyModule } from '../core/lazy';
import { FeastContext } from './context';

// The YAML writer is needed only when a FeatureStore is built: loading it on first use keeps `require` fast.
const yamlModule = lazyModule(() => require('yaml') as typeof import('yaml'));

/** Where the template of feature_store.yaml (the ConfigMap, `${VAR}` where a secret goes) is mounted. */
const CONFIG_DIR = '/etc/feast';
const TEMPLATE_FILE = `${CONFIG_DIR}/feature_store.yaml`;
const CONFIG_VOLUME = 'feast-config';
/** Where each Feast container writes feature_store.yaml with the secrets filled in (memory, never node disk). */
const RENDERED_DIR = '/var/run/feast';
export const CONFIG_FILE = `${RENDERED_DIR}/feature_store.yaml`;
const RENDERED_VOLUME = 'feast-config-rendered';

/**
 * Fills the template's `${VAR}` references from the environment (the Secrets) and runs the command. Feast itself
 * expands `${VAR}` in the *text* of feature_store.yaml before parsing it as YAML (`os.path.expandvars`), so a
 * password with a quote, a `#`, a newline or `${...}` would break the file or inject settings. Here the values go
 * into the parsed document, which is written as JSON (a subset of YAML) with every `$` and non-ASCII character
 * escaped, so Feast's expansion finds nothing to change and the parser reads each value back exactly. Inside the
 * Redis `connection_string` (`host:port,password=...,ssl=true`, which Feast splits at commas and whose values it
 * reads as JSON) a value is written as a JSON string with its commas escaped. The file is readable by its owner
 * only.
 */
const RENDER_CONFIG = [
  'import json, os, re, sys, yaml',
  'src, dst = sys.argv[1], sys.argv[2]',
  "ref = re.compile(r'\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}')",
  'def value(name):',
  "    if name not in os.environ: sys.exit('feature_store.yaml: no environment variable ' + name)",
  '    return os.environ[name]',
  'def fill(node, key=None):',
  '    if isinstance(node, dict): return {k: fill(v, k) for k, v in node.items()}',
  '    if isinstance(node, list): return [fill(v) for v in node]',
  '    if not isinstance(node, str): return node',
  "    if key == 'connection_string': return ref.sub(lambda m: json.dumps(value(m.group(1))).replace(',', '\\\\u002c'), node)",
  '    return ref.sub(lambda m: value(m.group(1)), node)',
  'def esc(c):',
  "    if c != '$' and ' ' <= c <= '~': return c",
  "    return '\\\\u%04x' % ord(c) if ord(c) < 0x10000 else '\\\\U%08x' % ord(c)",
  'with open(src) as f: config = fill(yaml.safe_load(f))',
  'text = "".join(esc(c) for c in json.dumps(config, ensure_ascii=False))',
  'fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)',
  'os.write(fd, text.encode())',
  'os.close(fd)',
  'os.execvp(sys.argv[3], sys.argv[3:])',
].join('\n');

/** `command` run after feature_store.yaml was rendered from its template (see {@link RENDER_CONFIG}). */
export function withRenderedConfig(command: string[]): string[] {
  return ['python', '-c', RENDER_CONFIG, TEMPLATE_FILE, CONFIG_FILE, ...command];
}

/** The Feast provider. */
export enum FeastProvider {
  /** Runs everything in-process (Redis, file and SQL stores): the usual choice on Kubernetes. */
  LOCAL = 'local',
  /** Google Cloud defaults (Datastore, BigQuery). */
  GCP = 'gcp',
  /** AWS defaults (DynamoDB, Redshift). */
  AWS = 'aws',
}

/** The settings of feature_store.yaml besides the stores. */
export interface FeastSettings {
  readonly project: string;
  readonly provider: FeastProvider;
  readonly entityKeySerializationVersion: number;
}

/** feature_store.yaml, from the settings and the stores' sections (which carry `${VAR}` references, never secrets). */
export function renderFeatureStoreYaml(ctx: FeastContext, settings: FeastSettings): string {
  const { stores } = ctx;
  const config = {
    project: settings.project,
    provider: settings.provider,
    registry: stores.registry.config,
    online_store: stores.online.config,
    offline_store: stores.offline.config,
    entity_key_serialization_version: settings.entityKeySerializationVersion,
  };
  return yamlModule().stringify(config, { lineWidth: 0 });
}

/** The ConfigMap `configMapName` that holds feature_store.yaml. */
export function renderConfigMap(ctx: FeastContext, featureStoreYaml: string): void {
  new k8s.KubeConfigMap(ctx.scope, 'Config', {
    metadata: { name: ctx.stores.configMapName, namespace: ctx.namespace, labels: ctx.labelsOf('config') },
    data: { 'feature_store.yaml': featureStoreYaml },
  });
}

/** The pod volumes of the ConfigMap (the template) and of the rendered file (memory-backed, 1Mi). */
export function configVolumes(ctx: FeastContext): k8s.Volume[] {
  return [
    { name: CONFIG_VOLUME, configMap: { name: ctx.stores.configMapName } },
    { name: RENDERED_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
  ];
}

/** Their mounts in every Feast container: the template read-only, the rendered file's directory writable. */
export function configMounts(): k8s.VolumeMount[] {
  return [{ name: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true }, { name: RENDERED_VOLUME, mountPath: RENDERED_DIR }];
}
