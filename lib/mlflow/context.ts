import { Construct } from 'constructs';
import { PodNetworkPolicy, SecretUse, Validator } from '../core';

/** What the render steps of an MlflowPlatform share: where they add objects, and what they add to. */
export interface MlflowContext {
  /** The MlflowPlatform: every object is its child. */
  readonly scope: Construct;
  /** The construct's validator. */
  readonly v: Validator;
  /** The tracking server's name, the prefix of every other object's. */
  readonly name: string;
  readonly namespace?: string;
  /** The tracking server's image (the migration runs it too). */
  readonly image: string;
  /** The labels of a component's objects (the app and image default to MLflow's). */
  labelsOf(component: string, app?: string, image?: string): Record<string, string>;
  /** The tracking server's NetworkPolicy, which every store opens a path from. */
  readonly networkPolicy: PodNetworkPolicy;
  /** The Secrets read so far, in order (`requiredSecrets`). */
  readonly secretUses: SecretUse[];
}
