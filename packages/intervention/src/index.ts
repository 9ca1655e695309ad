export { plugin, default } from './plugin.js';
export * from './baseline/index.js';
export * from './backdoor/index.js';
export * from './iern/index.js';
