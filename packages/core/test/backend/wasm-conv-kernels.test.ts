import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@iern/core';
import { expectSame, initBackends, randn } from './helpers.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  kh: number;
  kw: number;
  s: [number, number];
  pad: Pad;
  d?: [number, number];
}

// Stride 1 and 2, same/valid/explicit, odd sizes, batch 1, 1x1 and 7x7, non-square.
const cases: Case[] = [
  { n: 2, h: 9, w: 9, ci: 3, co: 4, kh: 3, kw: 3, s: [1, 1], pad: 'same' },
  { n: 1, h: 7, w: 11, ci: 5, co: 6, kh: 3, kw: 3, s: [2, 2], pad: 'same' },
  { n: 3, h: 10, w: 8, ci: 4, co: 3, kh: 3, kw: 2, s: [2, 2], pad: 'valid' },
  { n: 1, h: 13, w: 13, ci: 2, co: 5, kh: 7, kw: 7, s: [2, 2], pad: 'same' },
  { n: 2, h: 8, w: 8, ci: 6, co: 4, kh: 1, kw: 1, s: [2, 2], pad: 'valid' },
  { n: 3, h: 5, w: 6, ci: 7, co: 5, kh: 1, kw: 1, s: [1, 1], pad: 'same' },
  { n: 1, h: 9, w: 8, ci: 4, co: 6, kh: 1, kw: 1, s: [2, 2], pad: 'same' },
  { n: 2, h: 9, w: 6, ci: 3, co: 3, kh: 3, kw: 3, s: [1, 2], pad: 'valid' },
  { n: 2, h: 12, w: 12, ci: 3, co: 4, kh: 3, kw: 3, s: [3, 3], pad: 'same' },
  { n: 1, h: 9, w: 10, ci: 3, co: 2, kh: 5, kw: 3, s: [2, 1], pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  // Many channels, small maps: the input gradient runs as GEMM + col2im.
  { n: 1, h: 3, w: 4, ci: 16, co: 24, kh: 3, kw: 3, s: [1, 1], pad: 'same' },
  { n: 2, h: 5, w: 5, ci: 20, co: 16, kh: 3, kw: 3, s: [2, 2], pad: 'same' },
  { n: 1, h: 6, w: 5, ci: 12, co: 12, kh: 3, kw: 2, s: [2, 1], pad: 'valid' },
  { n: 1, h: 7, w: 7, ci: 16, co: 64, kh: 3, kw: 3, s: [1, 1], pad: 'same', d: [2, 2] },
  // ... also with a stride above the filter size, and input rows no output reads.
  { n: 1, h: 8, w: 7, ci: 24, co: 20, kh: 2, kw: 2, s: [3, 3], pad: 'same' },
  { n: 2, h: 6, w: 7, ci: 24, co: 24, kh: 3, kw: 3, s: [2, 2], pad: 'valid' },
  { n: 2, h: 4, w: 4, ci: 32, co: 40, kh: 3, kw: 3, s: [1, 1], pad: [[0, 0], [1, 0], [2, 1], [0, 0]] },
  // Dilation (TensorFlow's kernels accept it; tfjs's conv2d gradient does not pass it).
  { n: 2, h: 11, w: 11, ci: 3, co: 4, kh: 3, kw: 3, s: [1, 1], pad: 'same', d: [2, 2] },
  { n: 1, h: 10, w: 9, ci: 2, co: 3, kh: 3, kw: 2, s: [1, 1], pad: 'valid', d: [2, 3] },
];

const label = (c: Case) => `${c.n}x${c.h}x${c.w}x${c.ci}->${c.co} k${c.kh}x${c.kw} s${c.s} ${typeof c.pad === 'string' ? c.pad : 'explicit'}${c.d ? ` d${c.d}` : ''}`;

function outShape(c: Case): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], [c.kh, c.kw, c.ci, c.co], c.s, c.d ?? 1, c.pad as 'same');
  return info.outShape;
}

describe('wasm training kernels vs cpu', () => {
  const rng = new Rng(7);
  beforeAll(initBackends);

  it.each(cases)('Conv2DBackpropFilter $#', async (c) => {
    const x = randn(rng, [c.n, c.h, c.w, c.ci]);
    const dy = randn(rng, outShape(c));
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [c.kh, c.kw, c.ci, c.co], dilations: c.d ?? 1 };
    const run = (xt: tf.Tensor, dyt: tf.Tensor) => tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, attrs as never) as tf.Tensor;
    // cpu has no dilated kernel: use the zero-stuffed (undilated) filter, then keep its real taps.
    const ref = (xt: tf.Tensor, dyt: tf.Tensor) => {
      if (!c.d) return run(xt, dyt);
      const [eh, ew] = [(c.kh - 1) * c.d[0] + 1, (c.kw - 1) * c.d[1] + 1];
      const g = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { ...attrs, dilations: 1, filterShape: [eh, ew, c.ci, c.co] } as never) as tf.Tensor;
      return tf.stridedSlice(g, [0, 0, 0, 0], [eh, ew, c.ci, c.co], [c.d[0], c.d[1], 1, 1]);
    };
    const err = await expectSame([x, dy], (xt, dyt) => run(xt!, dyt!), 1e-4, (xt, dyt) => ref(xt!, dyt!));
    expect(err, label(c)).toBeLessThan(1e-4);
  });

  it.each(cases)('Conv2DBackpropInput $#', async (c) => {
    const filter = randn(rng, [c.kh, c.kw, c.ci, c.co]);
    const dy = randn(rng, outShape(c));
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: [c.n, c.h, c.w, c.ci], dilations: c.d ?? 1 };
    const run = (ft: tf.Tensor, dyt: tf.Tensor) => tf.engine().runKernel('Conv2DBackpropInput', { dy: dyt, filter: ft }, attrs as never) as tf.Tensor;
    // cpu has no dilated kernel: use the zero-stuffed (undilated) filter.
    const ref = (ft: tf.Tensor, dyt: tf.Tensor) => {
      if (!c.d) return run(ft, dyt);
      const [eh, ew] = [(c.kh - 1) * c.d[0] + 1, (c.kw - 1) * c.d[1] + 1];
      const stuffed = stuff(ft as tf.Tensor4D, c.d, eh, ew);
      return tf.engine().runKernel('Conv2DBackpropInput', { dy: dyt, filter: stuffed }, { ...attrs, dilations: 1 } as never) as tf.Tensor;
    };
    const err = await expectSame([filter, dy], (ft, dyt) => run(ft!, dyt!), 1e-4, (ft, dyt) => ref(ft!, dyt!));
    expect(err, label(c)).toBeLessThan(1e-4);
  });
});

/** The dilated filter as an ordinary one: taps spread d apart, zeros between. */
function stuff(f: tf.Tensor4D, d: [number, number], eh: number, ew: number): tf.Tensor4D {
  const [kh, kw, ci, co] = f.shape;
  const v = f.arraySync();
  const out = tf.buffer([eh, ew, ci, co]);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let a = 0; a < ci; a++) for (let b = 0; b < co; b++) out.set(v[i]![j]![a]![b]!, i * d[0], j * d[1], a, b);
  return out.toTensor() as tf.Tensor4D;
}
