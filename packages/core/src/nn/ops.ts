import * as tf from '@tensorflow/tfjs-core';

/** Identity forward, zero gradient: the `sg` (stop-gradient / detach) of the IERN step. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad(((a: tf.Tensor) => ({ value: tf.clone(a), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as never);
  return (f as unknown as (t: tf.Tensor) => tf.Tensor)(x) as T;
}

/** Identity forward, gradient multiplied by `-lambda` (gradient reversal layer, DANN). */
export function gradientReversal<T extends tf.Tensor>(x: T, lambda = 1): T {
  const f = tf.customGrad(((a: tf.Tensor) => ({ value: tf.clone(a), gradFunc: (dy: tf.Tensor) => tf.mul(dy, -lambda) })) as never);
  return (f as unknown as (t: tf.Tensor) => tf.Tensor)(x) as T;
}

/** Mean softmax cross-entropy of logits [N, E] against int labels [N]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
    return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
  });
}
