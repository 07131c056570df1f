export * from './core';
export * from './gpu-training-job';
export * from './mlflow-platform';
