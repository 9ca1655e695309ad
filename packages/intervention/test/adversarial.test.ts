import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, globalAvgPool } from '@iern/core';
import { AdversarialStrategy, adversarialOptions } from '../src/index.js';
import { SgdStepContext, disposeBatch, tinyContext, toyBatch, useCpu } from './helpers.js';

beforeAll(useCpu);

describe('adversarial (DANN)', () => {
  it('the backbone receives the classifier gradient minus weight x the critic gradient; the critic learns normally', async () => {
    const lr = 0.01;
    const weight = 0.7;
    const ctx = tinyContext();
    const s = new AdversarialStrategy(ctx, adversarialOptions.parse({ weight, ramp: false, hidden: 8 }));
    const batch = toyBatch(8, 1);
    const bbVars = ctx.backbone.trainableVariables();
    const criticVars = s.critic.trainableVariables();
    // reference gradients, computed separately
    const grad = (f: () => tf.Scalar, vars: tf.Variable[]) => {
      const { grads, value } = tf.variableGrads(f, vars);
      const out = vars.map((v) => grads[v.name]!.dataSync().slice());
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const clsLoss = () => crossEntropy((s as unknown as { classifier: { apply(x: tf.Tensor2D): tf.Tensor2D } }).classifier.apply(globalAvgPool(ctx.backbone.apply(batch.images!, true))), batch.emotions);
    const zLoss = () => crossEntropy(s.critic.apply(ctx.backbone.apply(batch.images!, true)), batch.confounders);
    const gCls = grad(clsLoss, bbVars);
    const gZ = grad(zLoss, bbVars);
    const gCritic = grad(zLoss, criticVars);
    const bb0 = bbVars.map((v) => v.dataSync().slice());
    const cr0 = criticVars.map((v) => v.dataSync().slice());
    await s.trainStep(batch, new SgdStepContext(lr));
    bbVars.forEach((v, i) => {
      const now = v.dataSync();
      for (let j = 0; j < now.length; j++) expect(now[j]).toBeCloseTo(bb0[i]![j]! - lr * (gCls[i]![j]! - weight * gZ[i]![j]!), 5);
    });
    criticVars.forEach((v, i) => {
      const now = v.dataSync();
      for (let j = 0; j < now.length; j++) expect(now[j]).toBeCloseTo(cr0[i]![j]! - lr * gCritic[i]![j]!, 5);
    });
    expect([...s.namedVariables().keys()].filter((k) => k.startsWith('critic.'))).toHaveLength(4);
    s.dispose();
    disposeBatch(batch);
  });

  it('ramps the reversal weight with DANN\'s schedule', () => {
    const s = new AdversarialStrategy(tinyContext(), adversarialOptions.parse({ weight: 2, hidden: 4 }));
    const at = (step: number) => s.reversalWeight({ step, totalSteps: 100 } as never);
    expect(at(0)).toBe(0);
    expect(at(50)).toBeCloseTo(2 * (2 / (1 + Math.exp(-5)) - 1), 6);
    expect(at(100)).toBeGreaterThan(1.99);
    s.dispose();
  });
});
