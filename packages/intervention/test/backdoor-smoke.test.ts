import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BackdoorStrategy, backdoorOptions } from '../src/index.js';
import { stepContext, tinyContext, toyBatch, disposeBatch } from './helpers.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('smoke', () => {
  it('runs', async () => {
    const s = new BackdoorStrategy(tinyContext(), backdoorOptions.parse({ featureChannels: 8, warmupEpochs: 0, lr: 1e-3, emotionCritic: {} }));
    const b = toyBatch(8, 1);
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const l = await s.trainStep(b, stepContext(i));
      console.log(i, (performance.now() - t0).toFixed(0), tf.memory().numTensors, JSON.stringify(Object.fromEntries(Object.entries(l).map(([k, v]) => [k, +v.toFixed(4)]))));
    }
    const p = s.predict(b);
    console.log(p.logits.shape, p.perStratumLogits!.shape);
    disposeBatch(b);
  });
});
