import { Validator } from '../core/errors';

/** What a reference points to: a step's output, or a parameter of the whole pipeline. */
export interface IStepHandle {
  /** The step's name (its DAG task and template name). */
  readonly stepName: string;
  /** The pipeline the step belongs to (its construct path). @internal */
  readonly _pipelinePath: string;
}

/**
 * A parameter value known only when the pipeline runs: an output parameter of a step (`evaluate.output('accuracy')`)
 * or a parameter of the pipeline (`pipeline.parameter('threshold')`). Give it to a later step (`parameters`) or
 * compare it to build a {@link Condition}; a step that reads it runs after the step that writes it.
 */
export class ParameterRef {
  /** @internal */
  public static _ofStep(step: IStepHandle, name: string): ParameterRef {
    return new ParameterRef(step, name);
  }

  /** @internal */
  public static _ofPipeline(pipelinePath: string, name: string): ParameterRef {
    return new ParameterRef(undefined, name, pipelinePath);
  }

  private constructor(
    /** The step that writes the value; undefined for a pipeline parameter. */
    public readonly step: IStepHandle | undefined,
    /** The parameter's name. */
    public readonly name: string,
    private readonly pipelinePath?: string,
  ) {}

  /** The pipeline the value belongs to (its construct path). @internal */
  public get _pipelinePath(): string {
    return this.step?._pipelinePath ?? (this.pipelinePath as string);
  }

  /** The Argo expression of the value inside the DAG (`{{tasks.evaluate.outputs.parameters.accuracy}}`). @internal */
  public get _expression(): string {
    return this.step === undefined ? `{{workflow.parameters.${this.name}}}` : `{{tasks.${this.step.stepName}.outputs.parameters.${this.name}}}`;
  }

  /** True when the value is at least `value` (a number). */
  public atLeast(value: number): Condition {
    return this.compare('>=', value);
  }

  /** True when the value is greater than `value` (a number). */
  public greaterThan(value: number): Condition {
    return this.compare('>', value);
  }

  /** True when the value is at most `value` (a number). */
  public atMost(value: number): Condition {
    return this.compare('<=', value);
  }

  /** True when the value is less than `value` (a number). */
  public lessThan(value: number): Condition {
    return this.compare('<', value);
  }

  /** True when the value equals `value` (compared as a string, or as a number when `value` is one). */
  public equals(value: string | number | boolean): Condition {
    return this.compare('==', value);
  }

  /** True when the value differs from `value`. */
  public notEquals(value: string | number | boolean): Condition {
    return this.compare('!=', value);
  }

  private compare(operator: string, value: string | number | boolean): Condition {
    const v = Validator.forFactory(`ParameterRef.${operatorMethod(operator)}`);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) v.fail('value', 'must be a finite number', String(value));
      return Condition._of(`${this._expression} ${operator} ${String(value)}`, [this]);
    }
    if (['>=', '>', '<=', '<'].includes(operator)) v.fail('value', 'must be a number', value);
    if (typeof value === 'boolean') value = String(value);
    if (typeof value !== 'string' || !/^[A-Za-z0-9 ._:/@+-]*$/.test(value)) {
      v.fail('value', 'must be a string of letters, digits, spaces and . _ : / @ + - (no quotes or braces)', value);
    }
    return Condition._of(`'${this._expression}' ${operator} '${value}'`, [this]);
  }
}

function operatorMethod(operator: string): string {
  return ({ '>=': 'atLeast', '>': 'greaterThan', '<=': 'atMost', '<': 'lessThan', '==': 'equals', '!=': 'notEquals' } as Record<string, string>)[operator];
}

/**
 * When a step runs, built from typed comparisons of parameters (`evaluate.output('accuracy').atLeast(0.85)`), never
 * written as a string: the step runs after every step whose output the condition reads, and is skipped when the
 * condition is false.
 */
export class Condition {
  /** True when every condition is. */
  public static all(...conditions: Condition[]): Condition {
    return Condition.join('&&', 'Condition.all', conditions);
  }

  /** True when any condition is. */
  public static any(...conditions: Condition[]): Condition {
    return Condition.join('||', 'Condition.any', conditions);
  }

  /** @internal */
  public static _of(expression: string, refs: ParameterRef[]): Condition {
    return new Condition(expression, refs);
  }

  private static join(operator: string, factory: string, conditions: Condition[]): Condition {
    const v = Validator.forFactory(factory);
    if (conditions.length === 0) v.fail('conditions', 'must list at least one condition', conditions);
    conditions.forEach((c, i) => {
      if (!(c instanceof Condition)) v.fail(`conditions[${i}]`, 'must be a Condition made by comparing a ParameterRef (e.g. step.output(\'accuracy\').atLeast(0.85))', c);
    });
    if (conditions.length === 1) return conditions[0];
    return new Condition(conditions.map((c) => `(${c._expression})`).join(` ${operator} `), conditions.flatMap((c) => c._refs));
  }

  private constructor(
    /** The Argo `when` expression. @internal */
    public readonly _expression: string,
    /** The parameters it reads. @internal */
    public readonly _refs: ParameterRef[],
  ) {}

  /** True when this condition and `other` are. */
  public and(other: Condition): Condition {
    return Condition.all(this, other);
  }

  /** True when this condition or `other` is. */
  public or(other: Condition): Condition {
    return Condition.any(this, other);
  }
}

/** An output artifact of a step (a file or directory it wrote), for later steps to read. */
export class ArtifactRef {
  /** @internal */
  public static _of(step: IStepHandle, name: string): ArtifactRef {
    return new ArtifactRef(step, name);
  }

  private constructor(
    /** The step that writes it. */
    public readonly step: IStepHandle,
    /** The artifact's name. */
    public readonly name: string,
  ) {}

  /** The Argo expression of the artifact inside the DAG. @internal */
  public get _expression(): string {
    return `{{tasks.${this.step.stepName}.outputs.artifacts.${this.name}}}`;
  }
}
