export { plugin, default } from './plugin.js';
export * from './small-cnn/index.js';
