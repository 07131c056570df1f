import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { componentLabels, imageTag, PodBuilder, selectorLabels, STATEFUL_DATA_VOLUME, StatefulService, Validator } from '../core';
import { quantityToNumber, validateQuantity } from '../core/validation';
import { InClusterRedisOptions, REDIS_IMAGE, REDIS_PORT } from './online-store';

/** The least memory the Redis container may have (64Mi). */
const MIN_REDIS_MEMORY = 64 * 1024 * 1024;

/** Where the in-cluster Redis goes and how it is set up. */
export interface InClusterRedisProps {
  readonly name: string;
  readonly namespace?: string;
  readonly options: InClusterRedisOptions;
  readonly labels?: Record<string, string>;
}

/**
 * Redis as a one-replica StatefulService (StatefulSet with a persistent volume, headless Service, NetworkPolicy).
 * The password is read from the Secret into the environment and handed to redis-server on stdin, so it is in
 * neither the manifest nor the process arguments.
 */
export function inClusterRedis(scope: Construct, v: Validator, props: InClusterRedisProps): StatefulService {
  const o = props.options;
  const image = o.image ?? REDIS_IMAGE;
  const labels = { ...props.labels, ...componentLabels({ name: 'redis', instance: props.name, component: 'online-store', version: imageTag(image) }) };
  const selector = selectorLabels({ instance: props.name, component: 'online-store' });
  const rv = v.nested('onlineStore');
  const memory = validateQuantity(rv, 'memory', o.memory ?? '2Gi');
  if (quantityToNumber(memory) < MIN_REDIS_MEMORY) {
    rv.fail('memory', 'must be at least 64Mi: Redis keeps 80% of it as maxmemory and needs a few MiB for itself and an append-only-file rewrite', o.memory);
  }

  // The official image runs Redis as uid/gid 999; fsGroup 999 makes the volume writable for it.
  const pod = new PodBuilder(rv, { labels: { ...labels, ...selector }, security: { user: 999, group: 999 }, terminationGracePeriodSeconds: 30 });
  // maxmemory below the container limit: Redis evicts old keys instead of being OOM-killed.
  const maxMemory = Math.floor(quantityToNumber(memory) * 0.8);
  // `redis-server -` reads its configuration from stdin: the here-document carries the password, every byte written
  // as `\xHH` inside double quotes (Redis's config syntax), so no quote, backslash or newline in it can end the
  // string or add a directive. An empty password would turn authentication off: refused.
  const script = [
    'set -eu',
    '[ -n "$REDIS_PASSWORD" ] || { echo "The Redis password Secret is empty: Redis would accept every client" >&2; exit 1; }',
    'password=$(printf \'%s\' "$REDIS_PASSWORD" | od -An -v -tx1 | tr -d \' \\n\' | sed \'s/../\\\\x&/g\')',
    `exec redis-server - --dir /data --appendonly yes --maxmemory ${maxMemory} --maxmemory-policy allkeys-lru <<EOF`,
    'requirepass "$password"',
    'EOF',
  ].join('\n');
  pod.addContainer({
    name: 'redis',
    image,
    command: ['/bin/sh', '-c', script],
    secretEnv: { REDIS_PASSWORD: o.password, REDISCLI_AUTH: o.password },
    resources: { cpu: o.cpu ?? 1, memory },
    ports: [{ name: 'redis', port: REDIS_PORT }],
    volumeMounts: [{ name: STATEFUL_DATA_VOLUME, mountPath: '/data' }],
    readinessProbe: { exec: { command: ['/bin/sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'] }, periodSeconds: 10, timeoutSeconds: 5 },
    livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('redis') }, initialDelaySeconds: 15, periodSeconds: 20 },
  });
  return new StatefulService(scope, 'Redis', {
    name: props.name,
    namespace: props.namespace,
    labels,
    selector,
    pod,
    ports: [{ name: 'redis', port: REDIS_PORT }],
    storage: o.storage ?? '10Gi',
    storageClassName: o.storageClassName,
    validator: rv,
  });
}
