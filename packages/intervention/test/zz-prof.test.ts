import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { BackdoorStrategy, backdoorOptions } from '../src/index.js';
import { stepContext, tinyContext, toyBatch } from './helpers.js';
it('ec', async () => {
  await tf.setBackend('cpu');
  for (const [C, lr] of [[16, 3e-3], [16, 1e-2], [32, 3e-3]] as const) {
    const s = new BackdoorStrategy(tinyContext(), backdoorOptions.parse({ featureChannels: C, encoderBlocks: 1, decoderBlocks: 1, warmupEpochs: 0, lr, emotionCritic: { weight: 0 } }));
    const bs = [toyBatch(8, 1), toyBatch(8, 2)];
    const t0 = performance.now();
    const tr: string[] = [];
    for (let i = 0; i < 40; i++) {
      const l = await s.trainStep(bs[i % 2]!, stepContext(i));
      if (i % 4 === 0) tr.push(`${l.dezAcc!.toFixed(2)}/${l.dezCritic!.toFixed(2)}/${l.dcAcc!.toFixed(2)}/${l.acc!.toFixed(2)}`);
    }
    console.log('weight', C, lr, ((performance.now() - t0) / 40).toFixed(0), tr.join(' '));
  }
});
