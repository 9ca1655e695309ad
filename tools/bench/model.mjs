// Builds a benchmark model (backbone + strategy) through the registries, exactly as an
// experiment would, with random initialisation. Shared by bench.mjs and its worker threads.
import * as tf from '@tensorflow/tfjs-core';
import { container as rootContainer } from 'tsyringe';
import { Registries, TOKENS, Rng } from '@iern/core';
import backbones from '@iern/backbones';
import intervention from '@iern/intervention';

/** The benchmark configurations of issue 3. */
export const CONFIGS = {
  'fer-small': { backbone: 'resnet18', size: 112, batch: 16, C: 256, K: 3, E: 6 },
  paper: { backbone: 'resnet50', size: 224, batch: 8, C: 512, K: 3, E: 6 },
};

/** Strategy per benchmark mode. */
const STRATEGY = { iern: 'backdoor', baseline: 'baseline', infer: 'baseline', 'iern-cached': 'backdoor', 'baseline-cached': 'baseline' };

/** Modes that train on cached features of a frozen backbone (no backbone pass at all). */
export const isCached = (mode) => mode.endsWith('-cached');

function registries() {
  const r = new Registries();
  const c = rootContainer.createChildContainer();
  c.register(TOKENS.Registries, { useValue: r });
  backbones.register(r, c);
  intervention.register(r, c);
  return { r, c };
}

/** What this build can run: `{ backbone, strategy }` types, or a reason it cannot. */
export function availability(configName, mode) {
  const cfg = CONFIGS[configName];
  const { r } = registries();
  const strategy = STRATEGY[mode];
  const backbone = r.backbones.has(cfg.backbone);
  const hasStrategy = r.strategies.has(strategy);
  return {
    backbone: backbone ? cfg.backbone : 'small-cnn',
    strategy: hasStrategy ? strategy : undefined,
    note: [backbone ? '' : `backbone ${cfg.backbone} is not registered: using small-cnn`, hasStrategy ? '' : `strategy ${strategy} is not registered`].filter(Boolean).join('; '),
  };
}

/** Builds the strategy for `configName`/`mode` (random init, seed 0). */
export async function buildModel(configName, mode) {
  const cfg = CONFIGS[configName];
  const avail = availability(configName, mode);
  if (!avail.strategy) throw new Error(avail.note);
  const { r, c } = registries();
  const backbone = await r.backbones.build({ type: avail.backbone, ...(isCached(mode) ? { freeze: true } : {}) }, c, 'model.backbone');
  const s = Math.ceil(cfg.size / backbone.reductionFactor);
  const confounders = Array.from({ length: cfg.K }, (_, i) => `z${i}`);
  c.register(TOKENS.ModelContext, {
    useValue: {
      backbone,
      classes: Array.from({ length: cfg.E }, (_, i) => `e${i}`),
      confounders,
      confounderCounts: confounders.map(() => 100),
      inputShape: [cfg.size, cfg.size, 3],
      featureShape: [s, s, backbone.outputChannels],
      epochs: 10,
      stepsPerEpoch: 100,
      seed: 0,
    },
  });
  const options = avail.strategy === 'backdoor' ? { type: 'backdoor', featureChannels: cfg.C, strata: cfg.K, warmupEpochs: 0 } : { type: avail.strategy, warmupEpochs: 0 };
  const strategy = await r.strategies.build(options, c, 'model.strategy');
  return { strategy, backbone, cfg, avail, featureShape: isCached(mode) ? [s, s, backbone.outputChannels] : undefined };
}

/** A random batch (normalised-looking images, or backbone features when `featureShape` is given). The caller disposes it. */
export function randomBatch(cfg, n, seed = 1, featureShape) {
  const rng = new Rng(seed);
  return {
    ...(featureShape
      ? { features: tf.relu(tf.randomNormal([n, ...featureShape], 0, 1, 'float32', seed)) }
      : { images: tf.randomNormal([n, cfg.size, cfg.size, 3], 0, 1, 'float32', seed) }),
    emotions: tf.tensor1d(Array.from({ length: n }, () => rng.int(cfg.E)), 'int32'),
    confounders: tf.tensor1d(Array.from({ length: n }, () => rng.int(cfg.K)), 'int32'),
    ids: Array.from({ length: n }, (_, i) => `r${i}`),
    size: n,
  };
}
