export { buildProgram, main } from './cli.js';
export * from './experiment/resolve-config.js';
export * from './experiment/assemble.js';
export * from './experiment/run.js';
export * from './experiment/plugins.js';
export * from './experiment/work-dir.js';
