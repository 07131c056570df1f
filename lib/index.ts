export * from './core';
export * from './gpu-training-job';
export * from './feature-store';
