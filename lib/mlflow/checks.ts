import { IValidator, SecretValue } from '../core';

/** Checks that a credential prop is a reference to a Secret the user creates (never a literal). */
export function checkSecret(v: IValidator, prop: string, value: unknown): void {
  if (!(value instanceof SecretValue)) v.fail(prop, 'must be a SecretValue (SecretValue.fromSecret(name, key)) naming a Secret you create', value);
}
