export * from './core';
export * from './training';
export * from './feature-store';
export * from './ml-rbac';
export * from './ml-storage';
export * from './mlflow-platform';
export * from './model-server';
