import * as tf from '@tensorflow/tfjs-core';
import type { FusionDecoder } from './decoder.js';
import type { EmotionClassifier } from './classifier.js';

/**
 * Per-stratum logits f_c(g_r(e, z_k)) for every dictionary entry: [N, K, E].
 * `stack: false` (published) runs g_r once per stratum, so BatchNorm sees one stratum at a
 * time; `stack: true` runs it once on K stacked copies of the batch (pooled BN statistics).
 * In inference mode both give the same numbers.
 */
export function perStratumLogits(
  decoder: FusionDecoder,
  classifier: EmotionClassifier,
  e: tf.Tensor4D,
  dictionary: tf.Tensor4D,
  training: boolean,
  stack = false,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, h, w, c] = e.shape;
    const k = dictionary.shape[0];
    if (dictionary.shape[1] !== h || dictionary.shape[2] !== w || dictionary.shape[3] !== c) {
      throw new Error(`dictionary entries are ${dictionary.shape.slice(1).join('x')} but the emotion feature is ${h}x${w}x${c}`);
    }
    // g_r's first conv over [e; z_k] runs on e once and on the K entries (see stemPerRow).
    const stems = decoder.stemPerRow(e, dictionary);
    if (stack) {
      // rows k*n .. k*n+n-1 carry z_k
      const logits = classifier.apply(decoder.applyBlocks(tf.concat(stems, 0), training));
      return tf.transpose(tf.reshape(logits, [k, n, -1]), [1, 0, 2]) as tf.Tensor3D;
    }
    const out = stems.map((stem) => classifier.apply(decoder.applyBlocks(stem, training)));
    return tf.stack(out, 1) as tf.Tensor3D;
  });
}

/** Pooled dictionary entries [K, C] broadcast over an h x w map: [K, h, w, C]. */
export function spatialDictionary(pooled: tf.Tensor2D, h: number, w: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [k, c] = pooled.shape;
    return tf.tile(tf.reshape(pooled, [k, 1, 1, c]), [1, h, w, 1]) as tf.Tensor4D;
  });
}
