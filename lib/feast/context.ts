import { Construct } from 'constructs';
import { PodNetworkPolicy, Validator } from '../core';
import { StoreBinding } from './binding';

/** The stores as the Feast pods see them. */
export interface FeastStores {
  readonly registry: StoreBinding;
  readonly online: StoreBinding;
  readonly offline: StoreBinding;
  /** The in-cluster Redis's NetworkPolicy, if the library runs Redis. */
  readonly redisPolicy?: PodNetworkPolicy;
  /** The addresses of an external Redis. */
  readonly onlineCidr: string;
  /** The ConfigMap holding feature_store.yaml. */
  readonly configMapName: string;
}

/** What the render steps of a FeatureStore share. */
export interface FeastContext {
  /** The FeatureStore: every object is its child. */
  readonly scope: Construct;
  readonly v: Validator;
  /** The feature server's name, the prefix of every other object's. */
  readonly name: string;
  readonly namespace?: string;
  /** The Feast image of the server and of the jobs. */
  readonly image: string;
  /** The labels of a component's objects. */
  labelsOf(component: string): Record<string, string>;
  readonly stores: FeastStores;
}
