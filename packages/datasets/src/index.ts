export { plugin, default } from './plugin.js';
export * from './generated/toy-shapes.js';
