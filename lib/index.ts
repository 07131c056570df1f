export * from './core';
export * from './distributed-training';
export * from './feast';
export * from './gpu-training-job';
export * from './ml-rbac';
export * from './ml-storage';
export * from './mlflow';
export * from './serving';
