export * from './core';
export * from './training';
export * from './feast';
export * from './tenancy';
export * from './storage';
export * from './mlflow';
export * from './serving';
