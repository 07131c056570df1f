import { k8s } from 'cdk8s-plus-27';
import { lazyModule } from '../core/lazy';
import { FeastContext } from './context';

// The YAML writer is needed only when a FeatureStore is built: loading it on first use keeps `require` fast.
const yamlModule = lazyModule(() => require('yaml') as typeof import('yaml'));

/** Where feature_store.yaml is mounted in every Feast container. */
const CONFIG_DIR = '/etc/feast';
export const CONFIG_FILE = `${CONFIG_DIR}/feature_store.yaml`;
const CONFIG_VOLUME = 'feast-config';

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

/** The pod volume of the ConfigMap. */
export function configVolume(ctx: FeastContext): k8s.Volume {
  return { name: CONFIG_VOLUME, configMap: { name: ctx.stores.configMapName } };
}

/** Its mount in every Feast container, read-only. */
export function configMount(): k8s.VolumeMount {
  return { name: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true };
}
