import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { childId } from '../core/labels';
import { validateDnsLabel, validateDuration } from '../core/validation';
import { PipelineContext, RESERVED_TEMPLATE_NAMES } from './context';
import { ArtifactRef, Condition, IStepHandle, ParameterRef } from './refs';
import { Retry } from './retry';

/** What every step takes: when it runs. */
export interface StepOptions {
  /**
   * Steps that must finish before this one starts, besides those whose outputs it reads (those are found on their
   * own).
   * @default - only the steps whose outputs the step reads
   */
  readonly after?: PipelineStep[];
  /**
   * Run the step only when this holds (`evaluate.output('accuracy').atLeast(0.85)`); otherwise it is skipped. The
   * step runs after every step the condition reads.
   * @default - always
   */
  readonly when?: Condition;
}

/** What every step that runs a pod takes: retries, a time limit. */
export interface RunOptions extends StepOptions {
  /**
   * How failures are retried.
   * @default Retry.onError(3): pod errors (preemption, eviction, node loss) are retried 3 times with backoff from 30s
   */
  readonly retry?: Retry;
  /**
   * Wall-clock limit of one attempt of the step.
   * @default - no limit but the pipeline's
   */
  readonly timeout?: Duration;
}

/**
 * One step of an {@link MlPipeline}: a task of its DAG and the template it runs. Steps are made by the pipeline's
 * `add...Step` methods; a step runs after the steps given in `after`, after those whose outputs it reads, and only
 * when its `when` condition holds.
 */
export abstract class PipelineStep extends Construct implements IStepHandle {
  /** The step's name: its DAG task and template name. */
  public readonly stepName: string;
  /** @internal */
  public readonly _pipelinePath: string;
  private readonly ctx: PipelineContext;
  private readonly dependencies = new Set<PipelineStep>();
  private readonly condition?: Condition;
  /** The output parameters the step declares. */
  private readonly declaredOutputs: readonly string[];
  private readonly declaredArtifacts: readonly string[];

  /** @internal */
  protected constructor(scope: Construct, name: string, ctx: PipelineContext, options: StepOptions, outputs: { parameters?: string[]; artifacts?: string[] }) {
    super(scope, childId(name));
    this.ctx = ctx;
    validateDnsLabel(ctx.v, 'stepName', name);
    if (RESERVED_TEMPLATE_NAMES.includes(name)) ctx.v.fail('stepName', `must not be one of the pipeline's own template names (${RESERVED_TEMPLATE_NAMES.join(', ')})`, name);
    if (`${ctx.name}-${name}`.length > 63) {
      ctx.v.fail('stepName', `must be at most ${62 - ctx.name.length} characters, so that '${ctx.name}-<step>' names its pods and policies within 63`, name);
    }
    this.stepName = name;
    this._pipelinePath = ctx.path;
    this.declaredOutputs = outputNames(ctx, name, 'outputParameters', outputs.parameters);
    this.declaredArtifacts = outputNames(ctx, name, 'outputArtifacts', outputs.artifacts);
    if (options.after !== undefined && !Array.isArray(options.after)) ctx.v.fail(`steps.${name}.after`, 'must be a list of steps', options.after);
    for (const [i, step] of (options.after ?? []).entries()) this.dependOn(step, `steps.${name}.after[${i}]`);
    if (options.when !== undefined) {
      if (!(options.when instanceof Condition)) {
        ctx.v.fail(`steps.${name}.when`, 'must be a Condition made by comparing a ParameterRef (e.g. step.output(\'accuracy\').atLeast(0.85))', options.when);
      }
      this.condition = options.when;
      options.when._refs.forEach((ref) => this.read(ref, `steps.${name}.when`));
    }
  }

  /**
   * An output parameter of this step, for later steps' `parameters` and conditions. The step must declare it in
   * `outputParameters`.
   */
  public output(name: string): ParameterRef {
    if (!this.declaredOutputs.includes(name)) {
      this.ctx.v.fail(`steps.${this.stepName}.output`, `must name an output parameter the step declares in outputParameters (${this.declaredOutputs.join(', ') || 'none declared'})`, name);
    }
    return ParameterRef._ofStep(this, name);
  }

  /** An output artifact of this step, for later steps' `inputArtifacts`. The step must declare it in `outputArtifacts`. */
  public artifact(name: string): ArtifactRef {
    if (!this.declaredArtifacts.includes(name)) {
      this.ctx.v.fail(`steps.${this.stepName}.artifact`, `must name an output artifact the step declares in outputArtifacts (${this.declaredArtifacts.join(', ') || 'none declared'})`, name);
    }
    return ArtifactRef._of(this, name);
  }

  /** Makes this step run after `steps` (an explicit dependency; a dependency that would close a cycle is refused). */
  public addDependency(...steps: PipelineStep[]): void {
    steps.forEach((step, i) => this.dependOn(step, `steps.${this.stepName}.addDependency[${i}]`));
  }

  /** The steps this one waits for, directly. */
  public get dependsOn(): PipelineStep[] {
    return [...this.dependencies];
  }

  /** The DAG task of the step. @internal */
  public _task(): Record<string, unknown> {
    const depends = [...this.dependencies].map((d) => d._dependsOnMe).join(' && ');
    const args = this.taskArguments();
    return {
      name: this.stepName,
      template: this.stepName,
      depends: depends || undefined,
      when: this.condition?._expression,
      arguments: args,
    };
  }

  /**
   * What a later task's `depends` says of this step: its name (it succeeded, or was skipped by its condition). @internal
   */
  public get _dependsOnMe(): string {
    return this.stepName;
  }

  /** The template the task runs. @internal */
  public abstract _template(): Record<string, unknown>;

  /** The output parameters the step declares. @internal */
  protected get outputParameterNames(): readonly string[] {
    return this.declaredOutputs;
  }

  /** The output artifacts the step declares. @internal */
  protected get outputArtifactNames(): readonly string[] {
    return this.declaredArtifacts;
  }

  /** The task's `arguments`, if it passes any. */
  protected taskArguments(): Record<string, unknown> | undefined {
    return undefined;
  }

  /** Records that the step reads `ref` (a dependency on the step that writes it), refusing a value of another pipeline. */
  protected read(ref: ParameterRef | ArtifactRef, prop: string): void {
    const isParameter = ref instanceof ParameterRef;
    if (!isParameter && !(ref instanceof ArtifactRef)) this.ctx.v.fail(prop, 'must be a step output (step.output(...) or step.artifact(...)) or a pipeline parameter', ref);
    const pipelinePath = isParameter ? ref._pipelinePath : ref.step._pipelinePath;
    if (pipelinePath !== this.ctx.path) this.ctx.v.fail(prop, `must be a value of this pipeline (${this.ctx.path}), not of ${pipelinePath}`, ref.name);
    if (ref.step !== undefined) this.dependOn(ref.step as PipelineStep, prop);
  }

  private dependOn(step: PipelineStep, prop: string): void {
    if (!(step instanceof PipelineStep)) this.ctx.v.fail(prop, 'must be a step made by this pipeline\'s add...Step methods', step);
    if (step._pipelinePath !== this.ctx.path) this.ctx.v.fail(prop, `must be a step of this pipeline (${this.ctx.path}), not of ${step._pipelinePath}`, step.stepName);
    if (step === this) this.ctx.v.fail(prop, 'must not be the step itself', step.stepName);
    const cycle = step.pathTo(this);
    if (cycle !== undefined) {
      const names = [this, ...cycle, this].map((s) => s.stepName).join(' -> ');
      this.ctx.v.fail(prop, `must not close a cycle (${names}: every step would wait for itself)`, step.stepName);
    }
    this.dependencies.add(step);
  }

  /** The chain of dependencies from this step to `target`, if this step (transitively) waits for it. */
  private pathTo(target: PipelineStep, seen = new Set<PipelineStep>()): PipelineStep[] | undefined {
    if (this === target) return [];
    if (seen.has(this)) return undefined;
    seen.add(this);
    for (const d of this.dependencies) {
      const rest = d.pathTo(target, seen);
      if (rest !== undefined) return [this, ...rest];
    }
    return undefined;
  }
}

/** Checks declared output names: Argo parameter and artifact names, unique. */
function outputNames(ctx: PipelineContext, step: string, prop: string, names: string[] | undefined): string[] {
  if (names === undefined) return [];
  const at = `steps.${step}.${prop}`;
  if (!Array.isArray(names)) ctx.v.fail(at, 'must be a list of names', names);
  names.forEach((name, i) => {
    if (typeof name !== 'string' || !/^[a-zA-Z0-9][-a-zA-Z0-9_]{0,62}$/.test(name)) {
      ctx.v.fail(`${at}[${i}]`, 'must be a name of letters, digits, \'-\' and \'_\' (at most 63, starting with a letter or digit)', name);
    }
    if (names.indexOf(name) !== i) ctx.v.fail(`${at}[${i}]`, 'must not repeat a name', name);
  });
  return [...names];
}

/** Whole seconds of an optional duration of at least 1s. */
export function optionalSeconds(ctx: PipelineContext, prop: string, d: Duration | undefined): number | undefined {
  return d === undefined ? undefined : validateDuration(ctx.v, prop, d, 1);
}
