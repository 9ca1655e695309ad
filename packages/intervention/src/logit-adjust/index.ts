export { LogitAdjustment } from './logit-adjust.js';
export { logitAdjustOptions, type LogitAdjustOptions } from './options.js';
