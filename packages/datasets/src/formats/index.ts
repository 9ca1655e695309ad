export * from './csv.js';
export * from './pickle.js';
export * from './npy.js';
export * from './labels.js';
export * from './fer-pixels.js';
