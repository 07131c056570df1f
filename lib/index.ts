export * from './core';
export * from './distributed-training';
export * from './feature-store';
export * from './gpu-training-job';
export * from './ml-rbac';
export * from './ml-storage';
export * from './mlflow';
export * from './model-server';
