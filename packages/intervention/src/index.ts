export { plugin, default } from './plugin.js';
export * from './baseline/index.js';
export * from './backdoor/index.js';
export * from './adversarial/index.js';
export * from './backdoor-attention/index.js';
export * from './iern/index.js';
