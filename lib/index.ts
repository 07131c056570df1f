export * from './core';
export * from './distributed-training';
export * from './feature-store';
export * from './gpu-training-job';
export * from './tenancy';
export * from './storage';
export * from './mlflow-platform';
export * from './model-server';
