export * from './core';
export * from './distributed-training';
export * from './feast';
export * from './gpu-training-job';
export * from './tenancy';
export * from './storage';
export * from './mlflow';
export * from './serving';
