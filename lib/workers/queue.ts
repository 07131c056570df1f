import { IValidator, Validator } from '../core/errors';
import { NetworkPeer, NetworkPort, PodNetworkPolicy } from '../core/network';
import { SecretValue } from '../core/secrets';
import { rejectInlineCredential, validateCidr, validateDnsLabel, validateLabels } from '../core/validation';

/**
 * Where a queue's brokers run, for the worker's NetworkPolicy: pods in the cluster (by labels and namespace), or
 * an address range outside it (a managed Redis, Kafka or SQS endpoint).
 */
export class QueueLocation {
  /**
   * The broker pods with these labels, in `namespace`.
   * @param podSelector labels of the broker's pods
   * @param namespace their namespace (default: the worker's)
   */
  public static inCluster(podSelector: Record<string, string>, namespace?: string): QueueLocation {
    const v = Validator.forFactory('QueueLocation.inCluster');
    if (!podSelector || typeof podSelector !== 'object' || Object.keys(podSelector).length === 0) {
      v.fail('podSelector', 'must be a non-empty set of labels of the broker\'s pods', podSelector);
    }
    validateLabels(v, 'podSelector', podSelector);
    if (namespace !== undefined) validateDnsLabel(v, 'namespace', namespace);
    return new QueueLocation({ podSelector: { ...podSelector }, namespace });
  }

  /**
   * Addresses in `cidr` (outside the cluster, or a managed service's subnet).
   * @param cidr an IPv4 range such as `10.20.0.0/16`
   */
  public static cidr(cidr: string): QueueLocation {
    return new QueueLocation(undefined, validateCidr(Validator.forFactory('QueueLocation.cidr'), 'cidr', cidr));
  }

  private constructor(private readonly peer?: NetworkPeer, private readonly range?: string) {}

  /** Opens egress from the worker's pods to the brokers on `ports`. */
  public allowFrom(policy: PodNetworkPolicy, ports: NetworkPort[]): void {
    if (this.peer !== undefined) policy.allowTo(this.peer, ports);
    else policy.allowToCidr(this.range!, ports);
  }

  /** What the location is, for messages and docs. */
  public get description(): string {
    return this.peer !== undefined ? `pods ${JSON.stringify(this.peer.podSelector)} in ${this.peer.namespace ?? 'the worker\'s namespace'}` : this.range!;
  }
}

/** What every queue factory takes. */
export interface QueueCommonOptions {
  /** Where the brokers run (opened in the worker's NetworkPolicy on the brokers' ports). */
  readonly location: QueueLocation;
}

/** A Redis server: its address and credentials. */
export interface RedisQueueOptions extends QueueCommonOptions {
  /** `host:port` of the Redis server (no credentials: they go in `password`). */
  readonly address: string;
  /**
   * The Redis password, read by KEDA from this Secret.
   * @default - no password
   */
  readonly password?: SecretValue;
  /**
   * Connect with TLS.
   * @default false
   */
  readonly tls?: boolean;
  /**
   * The database index.
   * @default 0
   */
  readonly databaseIndex?: number;
}

/** Options of {@link WorkerQueue.redisList}. */
export interface RedisListOptions extends RedisQueueOptions {
  /** The list the workers pop work from. */
  readonly listName: string;
}

/** Options of {@link WorkerQueue.redisStream}. */
export interface RedisStreamOptions extends RedisQueueOptions {
  /** The stream. */
  readonly stream: string;
  /** The consumer group the workers read in (scaling counts its pending entries). */
  readonly consumerGroup: string;
}

/** SASL mechanisms of {@link KafkaOptions.sasl}. */
export enum KafkaSaslMechanism {
  PLAIN = 'plaintext',
  SCRAM_SHA_256 = 'scram_sha256',
  SCRAM_SHA_512 = 'scram_sha512',
}

/** Options of {@link WorkerQueue.kafka}. */
export interface KafkaOptions extends QueueCommonOptions {
  /** The bootstrap brokers, `host:port` each. */
  readonly bootstrapServers: string[];
  /** The topic. */
  readonly topic: string;
  /** The consumer group the workers join (scaling follows its lag). */
  readonly consumerGroup: string;
  /**
   * SASL authentication, with the user name and password read by KEDA from Secrets.
   * @default - none
   */
  readonly sasl?: { readonly mechanism: KafkaSaslMechanism; readonly username: SecretValue; readonly password: SecretValue };
  /**
   * Connect with TLS.
   * @default false
   */
  readonly tls?: boolean;
}

/** Options of {@link WorkerQueue.sqs}. */
export interface SqsOptions extends QueueCommonOptions {
  /** The queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
  readonly queueUrl: string;
  /** The AWS region. */
  readonly region: string;
  /**
   * Access keys KEDA reads the queue length with. Without them, KEDA uses its own AWS identity (IRSA or EKS Pod
   * Identity of the KEDA operator).
   * @default - KEDA's own identity
   */
  readonly credentials?: { readonly accessKeyId: SecretValue; readonly secretAccessKey: SecretValue };
}

/** Options of {@link WorkerQueue.rabbitmq}. */
export interface RabbitMqOptions extends QueueCommonOptions {
  /** The AMQP address without credentials: `amqp://host:5672/vhost` or `amqps://...`. */
  readonly host: string;
  /** The queue. */
  readonly queueName: string;
  /**
   * User name and password, read by KEDA from Secrets.
   * @default - none
   */
  readonly credentials?: { readonly username: SecretValue; readonly password: SecretValue };
}

/** A KEDA trigger's parameters: metadata, and the parameters read from Secrets. */
export interface QueueTriggerSpec {
  /** The KEDA scaler type. */
  readonly type: string;
  /** The trigger metadata (without the per-replica target). */
  readonly metadata: Record<string, string>;
  /** The metadata key of the per-replica target. */
  readonly targetKey: string;
  /** KEDA parameters read from Secrets (a TriggerAuthentication's `secretTargetRef`). */
  readonly secrets: Record<string, SecretValue>;
  /** KEDA reads the queue with its own AWS identity (a TriggerAuthentication's `podIdentity`). */
  readonly awsIdentity?: boolean;
}

/**
 * The queue a worker consumes: its scaler for KEDA, its credentials (Secret references only) and where its
 * brokers run, for the NetworkPolicy.
 */
export class WorkerQueue {
  /** A Redis list the workers pop from; scaling follows the list length. */
  public static redisList(options: RedisListOptions): WorkerQueue {
    const v = Validator.forFactory('WorkerQueue.redisList');
    const base = redisBase(v, options);
    return new WorkerQueue(v, options.location, base.ports, {
      type: 'redis', metadata: { ...base.metadata, listName: name(v, 'listName', options.listName) },
      targetKey: 'listLength', secrets: base.secrets,
    });
  }

  /** A Redis stream read in a consumer group; scaling follows the group's pending entries. */
  public static redisStream(options: RedisStreamOptions): WorkerQueue {
    const v = Validator.forFactory('WorkerQueue.redisStream');
    const base = redisBase(v, options);
    return new WorkerQueue(v, options.location, base.ports, {
      type: 'redis-streams',
      metadata: { ...base.metadata, stream: name(v, 'stream', options.stream), consumerGroup: name(v, 'consumerGroup', options.consumerGroup) },
      targetKey: 'pendingEntriesCount', secrets: base.secrets,
    });
  }

  /** A Kafka topic read in a consumer group; scaling follows the group's lag. */
  public static kafka(options: KafkaOptions): WorkerQueue {
    const v = Validator.forFactory('WorkerQueue.kafka');
    if (!Array.isArray(options?.bootstrapServers) || options.bootstrapServers.length === 0) {
      v.fail('bootstrapServers', 'must list at least one broker as host:port', options?.bootstrapServers);
    }
    const ports = options.bootstrapServers.map((s, i) => hostPort(v, `bootstrapServers[${i}]`, s).port);
    const secrets: Record<string, SecretValue> = {};
    const metadata: Record<string, string> = {
      bootstrapServers: options.bootstrapServers.join(','),
      topic: name(v, 'topic', options.topic),
      consumerGroup: name(v, 'consumerGroup', options.consumerGroup),
    };
    if (options.sasl !== undefined) {
      if (!Object.values(KafkaSaslMechanism).includes(options.sasl.mechanism)) v.fail('sasl.mechanism', 'must be a KafkaSaslMechanism', options.sasl.mechanism);
      metadata.sasl = options.sasl.mechanism;
      secrets.username = secret(v, 'sasl.username', options.sasl.username);
      secrets.password = secret(v, 'sasl.password', options.sasl.password);
    }
    if (options.tls) metadata.tls = 'enable';
    return new WorkerQueue(v, options.location, ports, { type: 'kafka', metadata, targetKey: 'lagThreshold', secrets });
  }

  /** An AWS SQS queue; scaling follows the visible and in-flight messages. */
  public static sqs(options: SqsOptions): WorkerQueue {
    const v = Validator.forFactory('WorkerQueue.sqs');
    if (typeof options?.queueUrl !== 'string' || !/^https:\/\/[a-z0-9.-]+\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(options.queueUrl)) {
      v.fail('queueUrl', 'must be an SQS queue URL https://sqs.<region>.amazonaws.com/<account id>/<queue name>', options?.queueUrl);
    }
    if (typeof options.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region)) v.fail('region', 'must be an AWS region such as \'eu-west-1\'', options.region);
    const secrets: Record<string, SecretValue> = {};
    if (options.credentials !== undefined) {
      secrets.awsAccessKeyID = secret(v, 'credentials.accessKeyId', options.credentials.accessKeyId);
      secrets.awsSecretAccessKey = secret(v, 'credentials.secretAccessKey', options.credentials.secretAccessKey);
    }
    return new WorkerQueue(v, options.location, [443], {
      type: 'aws-sqs-queue', metadata: { queueURL: options.queueUrl, awsRegion: options.region },
      targetKey: 'queueLength', secrets, awsIdentity: options.credentials === undefined,
    });
  }

  /** A RabbitMQ queue; scaling follows its length. */
  public static rabbitmq(options: RabbitMqOptions): WorkerQueue {
    const v: Validator = Validator.forFactory('WorkerQueue.rabbitmq');
    const match = typeof options?.host === 'string' ? /^(amqps?):\/\/([a-z0-9.-]+)(?::(\d+))?(\/[^\s]*)?$/.exec(options.host) : null;
    if (typeof options?.host === 'string') rejectInlineCredential(v, 'host', undefined, options.host);
    if (!match) v.fail('host', 'must be amqp://host[:port][/vhost] or amqps://... without credentials (they go in credentials)', options?.host);
    const port = match[3] === undefined ? (match[1] === 'amqps' ? 5671 : 5672) : validatePortNumber(v, 'host', Number(match[3]), options.host);
    const secrets: Record<string, SecretValue> = {};
    if (options.credentials !== undefined) {
      secrets.username = secret(v, 'credentials.username', options.credentials.username);
      secrets.password = secret(v, 'credentials.password', options.credentials.password);
    }
    return new WorkerQueue(v, options.location, [port], {
      type: 'rabbitmq', metadata: { host: options.host, queueName: name(v, 'queueName', options.queueName), mode: 'QueueLength', protocol: 'amqp' },
      targetKey: 'value', secrets,
    });
  }

  /** The broker ports the worker connects to. */
  public readonly ports: NetworkPort[];

  private constructor(v: IValidator, public readonly location: QueueLocation, ports: number[], public readonly trigger: QueueTriggerSpec) {
    if (!(location instanceof QueueLocation)) v.fail('location', 'must be made with QueueLocation.inCluster(...) or QueueLocation.cidr(...)', location);
    this.ports = [...new Set(ports)].map((port) => ({ port }));
  }
}

function redisBase(v: IValidator, options: RedisQueueOptions): { metadata: Record<string, string>; ports: number[]; secrets: Record<string, SecretValue> } {
  if (!options || typeof options !== 'object') v.fail('options', 'must be an object with address, location and the queue\'s name', options);
  const { port } = hostPort(v, 'address', options.address);
  const metadata: Record<string, string> = { address: options.address };
  if (options.databaseIndex !== undefined) {
    if (!Number.isInteger(options.databaseIndex) || options.databaseIndex < 0 || options.databaseIndex > 15) v.fail('databaseIndex', 'must be a whole number from 0 to 15', options.databaseIndex);
    metadata.databaseIndex = String(options.databaseIndex);
  }
  if (options.tls) metadata.enableTLS = 'true';
  const secrets: Record<string, SecretValue> = {};
  if (options.password !== undefined) secrets.password = secret(v, 'password', options.password);
  return { metadata, ports: [port], secrets };
}

/** Checks `host:port` (a DNS name or IPv4 address, no scheme, no credentials). */
function hostPort(v: IValidator, prop: string, address: string): { host: string; port: number } {
  if (typeof address === 'string') rejectInlineCredential(v, prop, undefined, address);
  const match = typeof address === 'string' ? /^([a-z0-9]([a-z0-9.-]*[a-z0-9])?):(\d{1,5})$/.exec(address) : null;
  // A rejected address may hold a password: it is masked in the message.
  if (!match) v.fail(prop, 'must be host:port (no scheme, no credentials), such as \'redis.data.svc:6379\'', typeof address === 'string' ? address.replace(/\/\/[^@/]*@/, '//***@') : address);
  return { host: match[1], port: validatePortNumber(v, prop, Number(match[3]), address) };
}

function validatePortNumber(v: IValidator, prop: string, port: number, value: string): number {
  if (port < 1 || port > 65535) v.fail(prop, 'must have a port from 1 to 65535', value);
  return port;
}

function name(v: IValidator, prop: string, value: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,248}$/.test(value)) {
    v.fail(prop, 'must be a name of letters, digits, \'.\', \'_\', \':\' and \'-\' (at most 249 characters)', value);
  }
  return value;
}

function secret(v: IValidator, prop: string, value: SecretValue): SecretValue {
  if (!(value instanceof SecretValue)) v.fail(prop, 'must be made with SecretValue.fromSecret(name, key)', value);
  return value;
}
