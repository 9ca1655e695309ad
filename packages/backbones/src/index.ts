export { plugin, default } from './plugin.js';
export * from './small-cnn/index.js';
export * from './resnet/index.js';
export * from './small-resnet/index.js';
export * from './build.js';
export * from './common/normalization.js';
export * from './weights/torchvision.js';
export * from './weights/weights-key.js';
export * from './weights/with-weights.js';
