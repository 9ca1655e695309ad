export * from './options.js';
export * from './face.js';
export * from './looks.js';
export * from './render.js';
export * from './generate.js';
export * from './cache.js';
export * from './adapter.js';
