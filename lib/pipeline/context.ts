import { IValidator } from '../core/errors';
import { PodNetworkPolicy } from '../core/network';
import { SecretValue } from '../core/secrets';
import { ITeam } from '../core/workload';

/** Where every step pod keeps its output files (an emptyDir: the root filesystem is read-only). */
export const OUTPUTS_DIR = '/tmp/outputs';
/** Where input artifacts are placed. */
export const INPUTS_DIR = '/tmp/inputs';
/** Names the pipeline's own templates use: no step may take them. */
export const RESERVED_TEMPLATE_NAMES = ['main', 'exit-handler'];

/** What a step needs of its pipeline: names, placement, and the paths every step pod gets (not part of the public API). */
export interface PipelineContext {
  readonly v: IValidator;
  /** The pipeline's construct path (tells steps of two pipelines apart). */
  readonly path: string;
  /** The WorkflowTemplate's name (prefix of every object name). */
  readonly name: string;
  readonly namespace?: string;
  readonly team?: ITeam;
  readonly labels: Record<string, string>;
  /** Whether an artifact repository is configured. */
  readonly hasArtifactRepository: boolean;
  /** Opens what every step pod needs (the API server for the executor, the artifact store) on its policy. */
  openExecutorPaths(policy: PodNetworkPolicy): void;
  /** The names of the pipeline's parameters. */
  readonly parameterNames: readonly string[];
  /** Records Secrets a step reads (for `requiredSecrets`). */
  useSecrets(values: Record<string, SecretValue> | undefined, purpose: string): void;
}
