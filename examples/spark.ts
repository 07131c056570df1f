// Spark on the Kubeflow Spark operator: the seed's data-processing job, and a nightly GPU (RAPIDS) feature job that
// scales its executors with the work.
import { App, Chart, Duration } from 'cdk8s';
import {
  AccessMode, Accelerator, ConcurrencyPolicy, Schedule, SecretValue, SparkJob, SparkProgram, Spot, VolumeClaim,
} from '../lib';

export function build(app: App): void {
  dataProcessing(app);
  nightlyFeatures(app);
}

/**
 * The seed's "Apache Spark on Kubernetes" SparkApplication `spark-data-processing` (ALS on PySpark, 1 driver and 2
 * executors, restarted 3 times on failure). The seed named a ServiceAccount `spark` it never created, with no Role:
 * the driver could not start a single executor. It pulled the image on every start (`Always`), gave the executors
 * no CPU limit, ran the pods without a security context or NetworkPolicy, and used `apache/spark-py`, an image no
 * longer published for current Spark. Here the driver gets its own ServiceAccount and a Role with what it does, the
 * pods are "restricted" with a read-only root, and only the driver and its executors talk to each other.
 */
function dataProcessing(app: App): void {
  const chart = new Chart(app, 'spark-data-processing', { namespace: 'spark-jobs' });
  new SparkJob(chart, 'spark-data-processing', {
    image: 'apache/spark:3.5.5-python3',
    program: SparkProgram.python('local:///opt/spark/examples/src/main/python/ml/als_example.py'),
    driver: { cores: 1, cpuLimit: '1200m', memory: '512Mi' },
    executor: { instances: 2, cores: 1, memory: '512Mi' },
    retries: 3,
    retryInterval: Duration.seconds(10),
    labels: { version: '3.5.5' },
  });
}

/**
 * A nightly feature job on GPU executors with the RAPIDS Accelerator: executors on spot GPU nodes (the driver stays
 * on demand), between 1 and 8 of them as the work needs, the Delta Lake package resolved at start, object-store keys
 * from a Secret, and the output written to a shared claim.
 */
function nightlyFeatures(app: App): void {
  const chart = new Chart(app, 'spark-rapids', { namespace: 'data-eng' });
  new SparkJob(chart, 'nightly-features', {
    image: 'registry.example.com/data-eng/features-rapids:1.4.0', // Spark 3.5.5 with the RAPIDS jar
    sparkVersion: '3.5.5',
    program: SparkProgram.scala('local:///opt/app/features.jar', 'com.example.features.Nightly'),
    arguments: ['--date', 'yesterday'],
    driver: { cores: 2, memory: '4Gi' },
    executor: {
      cores: 4,
      memory: '16Gi',
      accelerator: Accelerator.nvidiaGpu(1),
      scheduling: { spot: Spot.karpenter() },
    },
    dynamicAllocation: { minExecutors: 1, maxExecutors: 8 },
    dependencies: { packages: ['io.delta:delta-spark_2.12:3.3.0'] },
    sparkConf: {
      'spark.sql.extensions': 'io.delta.sql.DeltaSparkSessionExtension',
      'spark.hadoop.fs.s3a.aws.credentials.provider': 'com.amazonaws.auth.EnvironmentVariableCredentialsProvider',
    },
    secretEnv: {
      AWS_ACCESS_KEY_ID: SecretValue.fromSecret('feature-store-s3', 'access-key-id'),
      AWS_SECRET_ACCESS_KEY: SecretValue.fromSecret('feature-store-s3', 'secret-access-key'),
    },
    mounts: [{
      claim: VolumeClaim.fromClaimName('feature-exports', { accessModes: [AccessMode.READ_WRITE_MANY] }),
      path: '/exports',
      readOnly: false,
    }],
    egress: [{ cidr: '0.0.0.0/0', ports: [443] }],
    schedule: Schedule.daily(2, 30),
    scheduleOptions: { timeZone: 'Europe/Berlin', concurrencyPolicy: ConcurrencyPolicy.FORBID },
  });
}
