import * as tf from '@tensorflow/tfjs-core';

/**
 * Accuracy of a fresh logistic-regression probe: trained on (xTrain, yTrain), scored on
 * (xTest, yTest). Features are standardised with the training statistics first.
 */
export function linearProbe(xTrain: tf.Tensor2D, yTrain: tf.Tensor1D, xTest: tf.Tensor2D, yTest: tf.Tensor1D, classes: number, steps = 300): number {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(xTrain, 0);
    const sd = tf.add(tf.sqrt(variance), 1e-6);
    const a = tf.div(tf.sub(xTrain, mean), sd);
    const b = tf.div(tf.sub(xTest, mean), sd);
    const w = tf.variable(tf.zeros([a.shape[1], classes]));
    const bias = tf.variable(tf.zeros([classes]));
    const opt = tf.train.adam(0.05);
    const onehot = tf.oneHot(tf.cast(yTrain, 'int32'), classes);
    for (let i = 0; i < steps; i++) {
      opt.minimize(() => tf.losses.softmaxCrossEntropy(onehot, tf.add(tf.matMul(a, w), bias)) as tf.Scalar, false, [w, bias]);
    }
    const pred = tf.argMax(tf.add(tf.matMul(b, w), bias), 1);
    const acc = tf.mean(tf.cast(tf.equal(pred, tf.cast(yTest, 'int32')), 'float32')).dataSync()[0]!;
    opt.dispose();
    w.dispose();
    bias.dispose();
    return acc;
  });
}
