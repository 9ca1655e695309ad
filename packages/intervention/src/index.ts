export { plugin, default } from './plugin.js';
export * from './baseline/index.js';
