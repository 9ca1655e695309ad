export * from './config.js';
export * from './cells.js';
export * from './probe.js';
export * from './run-one.js';
export * from './aggregate.js';
export * from './report.js';
export * from './confusion-png.js';
export * from './study.js';
