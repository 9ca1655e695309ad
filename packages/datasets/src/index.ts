export { plugin, default } from './plugin.js';
export * from './generated/toy-shapes.js';
export * from './synth-faces/index.js';
export * from './adapters/index.js';
export * from './formats/index.js';
export * from './protocol/index.js';
