/**
 * The one error style of the library: which construct (or factory), which prop, the bad value and what is
 * allowed, e.g. `GpuTrainingJob 'train': 'gpus' must be a whole number from 1 to 16, got 0`.
 */
export class MlopsValidationError extends Error {
  public constructor(
    /** The construct and its id (`GpuTrainingJob 'train'`) or the factory (`Accelerator.mig`). */
    public readonly subject: string,
    /** The prop that holds the bad value, as a user writes it (`gpus`, `dataset.path`). */
    public readonly prop: string,
    /** What the prop must be, phrased to follow the prop name (`must be a whole number from 1 to 16`). */
    public readonly requirement: string,
    /** The bad value. */
    public readonly value: unknown,
  ) {
    super(`${subject}: '${prop}' ${requirement}, got ${describeValue(value)}`);
    this.name = 'MlopsValidationError';
  }
}

/**
 * Renders a value for an error message: strings quoted, objects as JSON, a missing value as `nothing`
 * (never `undefined` or `[object Object]`).
 */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return `a function`;
  if (typeof (value as { asString?: unknown }).asString === 'function') {
    return String((value as { asString(): string }).asString());
  }
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 200 ? `${json.slice(0, 197)}...` : json;
  } catch {
    // circular structures fall through to the constructor name
  }
  const ctor = (value as object).constructor?.name;
  return ctor ? `a ${ctor}` : 'an object';
}

/**
 * Raises errors for one construct instance or one factory, so every message names its subject the same way.
 */
export class Validator {
  /** A validator for a construct instance: messages start with `Kind 'id'`. */
  public static forConstruct(kind: string, id: string): Validator {
    return new Validator(kind, id);
  }

  /** A validator for a static factory or helper: messages start with e.g. `Accelerator.mig`. */
  public static forFactory(name: string): Validator {
    return new Validator(name);
  }

  // The subject is put together only for a message: a validator lives as long as its construct.
  private constructor(private readonly kind: string, private readonly id?: string) {}

  /** What the messages name: `Kind 'id'` or the factory. */
  public get subject(): string {
    return this.id === undefined ? this.kind : `${this.kind} '${this.id}'`;
  }

  /** Throws the library's error for `prop`. */
  public fail(prop: string, requirement: string, value: unknown): never {
    throw new MlopsValidationError(this.subject, prop, requirement, value);
  }

  /** A validator whose prop names are prefixed, for nested props (`dataset.path`). */
  public nested(prefix: string): NestedValidator {
    return new NestedValidator(this, prefix);
  }
}

/** A validator for the fields of one nested prop. */
export class NestedValidator {
  public constructor(private readonly parent: Validator, private readonly prefix: string) {}

  public get subject(): string {
    return this.parent.subject;
  }

  public fail(prop: string, requirement: string, value: unknown): never {
    return this.parent.fail(`${this.prefix}.${prop}`, requirement, value);
  }
}

/** Anything that can raise the library's errors: a construct's validator or a nested one. */
export interface IValidator {
  readonly subject: string;
  fail(prop: string, requirement: string, value: unknown): never;
}
