import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Rng } from '@iern/core';
import { ConfounderCentres, Critic, FeatureEncoder, FusionDecoder, IernNetwork } from '../src/index.js';
import { useCpu } from './helpers.js';

beforeAll(useCpu);

describe('IERN modules', () => {
  it.each([3, 4, 7])('critic ends in one logit vector per image for a %ix%i feature map', (s) => {
    const d = new Critic(8, 5, [s, s], new Rng(1));
    expect(d.kernel).toEqual([Math.floor(s / 2), Math.floor(s / 2)]);
    const y = tf.tidy(() => d.apply(tf.randomNormal([2, s, s, 8]) as tf.Tensor4D));
    expect(y.shape).toEqual([2, 5]);
    // channels halve three times after the stride-2 conv; the head has no bias
    expect(d.namedVariables().get('head.weight')!.shape).toEqual([Math.floor(s / 2), Math.floor(s / 2), 1, 5]);
    expect([...d.namedVariables().keys()].some((k) => k.startsWith('head.bias'))).toBe(false);
    y.dispose();
    d.dispose();
  });

  it('critic refuses a 1x1 feature map with a config error', () => {
    expect(() => new Critic(8, 2, [1, 1], new Rng(1))).toThrow(ConfigError);
  });

  it('encoder and decoder keep the feature shape; N(0, 0.02) init', () => {
    const g = new FeatureEncoder(32, 2, new Rng(3));
    const r = new FusionDecoder(32, 1, new Rng(4));
    const x = tf.randomNormal([2, 5, 5, 32]) as tf.Tensor4D;
    const e = g.apply(x, true);
    const y = r.apply(e, x, true);
    expect(e.shape).toEqual([2, 5, 5, 32]);
    expect(y.shape).toEqual([2, 5, 5, 32]);
    expect(r.conv.weight.shape).toEqual([3, 3, 64, 32]);
    const w = Array.from(g.conv.weight.dataSync());
    const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    tf.dispose([x, e, y]);
    g.dispose();
    r.dispose();
  });

  it('center loss is the batch-mean squared distance to each sample\'s centre', () => {
    const m = new ConfounderCentres(3, [2, 2, 1], new Rng(5));
    const c = tf.tensor4d([1, 2, 3, 4, 0, 0, 0, 1], [2, 2, 2, 1]);
    const z = tf.tensor1d([2, 0], 'int32');
    const centres = m.centres.arraySync() as number[][];
    const flat = [
      [1, 2, 3, 4],
      [0, 0, 0, 1],
    ];
    const ref = (flat[0]!.reduce((a, v, i) => a + (v - centres[2]![i]!) ** 2, 0) + flat[1]!.reduce((a, v, i) => a + (v - centres[0]![i]!) ** 2, 0)) / 2;
    const l = m.loss(c, z);
    expect(l.dataSync()[0]).toBeCloseTo(ref, 4);
    const d = m.dictionary();
    expect(d.shape).toEqual([3, 2, 2, 1]);
    expect(Array.from(d.dataSync())).toEqual(centres.flat().map((v) => Math.fround(v)));
    tf.dispose([c, z, l, d]);
    m.dispose();
  });

  it('network variables carry stable paper names, independent of the instance', () => {
    const make = () =>
      new IernNetwork({
        backboneChannels: 6, channels: 8, featureSize: [4, 4], classes: 3, strata: 2,
        encoderBlocks: 1, decoderBlocks: 1, centres: true, emotionCritic: 'pooled', seed: 0,
      });
    const a = make();
    const b = make();
    const names = [...a.namedVariables().keys()];
    expect(names).toEqual([...b.namedVariables().keys()]);
    for (const n of ['adapter.conv.weight', 'g_e.conv.weight', 'g_c.blocks.0.bn1.running_var', 'g_r.blocks.0.conv2.weight', 'd_e.head.weight', 'd_c.down.weight', 'd_ez.out.weight', 'f_c.fc.weight', 'centres.centres']) {
      expect(names).toContain(n);
    }
    // same seed, same init; g_e and g_c are separate weights
    expect(Array.from(a.ge.conv.weight.dataSync())).toEqual(Array.from(b.ge.conv.weight.dataSync()));
    expect(Array.from(a.ge.conv.weight.dataSync())).not.toEqual(Array.from(a.gc.conv.weight.dataSync()));
    a.dispose();
    b.dispose();
  });
});
