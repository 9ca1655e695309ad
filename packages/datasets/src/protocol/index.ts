export * from './folds.js';
export * from './fold-lists.js';
