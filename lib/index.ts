export * from './core';
export * from './gpu-training-job';
