import * as tf from '@tensorflow/tfjs-core';

/**
 * Training-mode BatchNorm of NHWC `x` over its batch statistics, with the closed-form backward
 * (7 full-size ops; autodiff through tf.moments and FusedBatchNorm's gradient takes ~20):
 *   dbeta = sum(dy), dgamma = sum(dy * xhat) with xhat = (x - mean) * invstd,
 *   dx = gamma * invstd / N * (N * dy - dbeta - xhat * dgamma)     (N = n * h * w).
 * The forward is tf.moments' arithmetic, y = (x - mean) * gamma * invstd + beta. `onStats(mean, variance)` gets the
 * batch statistics for the running averages; it runs outside the gradient tape and must not
 * keep the tensors (they are disposed after the forward).
 */
export function batchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
  onStats?: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor4D {
  const op = tf.customGrad((x, gamma, beta, saveFn) => {
    const save = saveFn as tf.GradSaveFunc;
    const axes = [0, 1, 2];
    // tf.moments' two passes, keeping x - mean: the output and the backward reuse it
    // (tf.batchNorm4d would recompute it, and moments adds a float32 -> float32 Cast copy).
    const mean = tf.mean(x as tf.Tensor4D, axes) as tf.Tensor1D;
    const xc = tf.sub(x as tf.Tensor4D, mean) as tf.Tensor4D;
    const variance = tf.mean(tf.square(xc), axes) as tf.Tensor1D;
    onStats?.(mean, variance);
    const invStd = tf.rsqrt(tf.add(variance, eps)) as tf.Tensor1D;
    save([xc, invStd, gamma as tf.Tensor]);
    return {
      value: tf.add(tf.mul(xc, tf.mul(gamma as tf.Tensor1D, invStd)), beta as tf.Tensor1D) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xcs, inv, g] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const n = xcs.size / xcs.shape[3];
        const dbeta = tf.sum(dy, axes);
        const dgamma = tf.mul(tf.sum(tf.mul(dy, xcs), axes), inv);
        const k = tf.mul(g, inv);
        // dx = k dy + xc * (-k inv dgamma / N) - k dbeta / N: per-channel factors, 4 full-size ops.
        const a = tf.mul(k, tf.mul(inv, tf.div(dgamma, -n)));
        const b = tf.mul(k, tf.div(dbeta, -n));
        const dx = tf.add(tf.add(tf.mul(dy, k), tf.mul(xcs, a)), b);
        return [dx, dgamma, dbeta];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}
