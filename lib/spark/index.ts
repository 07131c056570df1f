// The Spark area's public API: SparkJob, its props and the vocabulary they use. The render helpers
// (renderSparkApplication, sparkApplicationManifest) stay internal: pipeline steps in lib/ use them.
export { SparkJob } from './spark-job';
export {
  type SparkJobProps, type SparkDriverOptions, type SparkExecutorOptions, type SparkDynamicAllocation,
  type SparkDependencies, type SparkEgress,
} from './spark-job-props';
export { SparkProgram, SparkLanguage } from './program';
