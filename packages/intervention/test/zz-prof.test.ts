import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { BackdoorStrategy, backdoorOptions } from '../src/index.js';
import { stepContext, tinyContext, toyBatch, useCpu } from './helpers.js';
it('ec', async () => {
  await useCpu();
  for (const ec of [{ weight: 0 }, { weight: 1, mode: 'reversal' }, { weight: 1, mode: 'confusion' }]) {
    const ctx = tinyContext();
    const s = new BackdoorStrategy(ctx, backdoorOptions.parse({ featureChannels: 16, encoderBlocks: 1, decoderBlocks: 1, warmupEpochs: 0, lr: 3e-3, emotionCritic: ec }));
    const bs = [toyBatch(8, 1), toyBatch(8, 2), toyBatch(8, 3)];
    const test = toyBatch(32, 9);
    const heldout = () => tf.tidy(() => { const e = s.net.ge.apply(s.net.adapter.apply(ctx.backbone.apply(test.images!, false)), false); const lg = s.net.dez!.apply(e); return tf.mean(tf.cast(tf.equal(tf.argMax(lg, 1), test.confounders), 'float32')).dataSync()[0]; });
    const t0 = performance.now();
    const tr: string[] = [];
    for (let i = 0; i < 15; i++) {
      const b = bs[i % 3]!; const fwd = await s.forward(b);
      const l = await s.criticStep(fwd, b, stepContext(i)); s.release(fwd);
      if (i % 3 === 0) tr.push(`${l.dezAcc!.toFixed(2)}/${l.dezCritic!.toFixed(2)}`);
    }
    const h1 = heldout();
    tr.push('|');
    for (let i = 15; i < 45; i++) {
      const b = bs[i % 3]!; const fwd = await s.forward(b);
      const l = await s.criticStep(fwd, b, stepContext(i)); await s.featureStep(fwd, b, stepContext(i)); s.release(fwd);
      if (i % 3 === 0) tr.push(`${l.dezAcc!.toFixed(2)}/${l.dezCritic!.toFixed(2)}`);
    }
    console.log('weight', JSON.stringify(ec), ((performance.now() - t0) / 45).toFixed(0), 'h1', h1, 'h2', heldout(), tr.join(' '));
  }
});
