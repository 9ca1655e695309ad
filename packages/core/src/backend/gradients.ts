// tfjs-core's Node bundle registers no gradient functions; the @tensorflow/tfjs bundle
// (same pinned version, same single tfjs-core) registers all of them as a side effect.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';

// Silence tfjs's "install tfjs-node" banner: `iern doctor` and the run log report backends.
tf.env().set('PROD', true);
