import {
  DataLoader,
  augmentEnabled,
  buildAugment,
  cachedFeatureSource,
  type BatchSource,
  IernError,
  Rng,
  TOKENS,
  Trainer,
  selectBackend,
  type Backbone,
  type BackendInfo,
  type Dataset,
  type Logger,
  type ModelContext,
  type Strategy,
} from '@iern/core';
import type { ResolvedConfig } from './resolve-config.js';

/** Everything one experiment needs, assembled from a resolved config. */
export interface Experiment {
  resolved: ResolvedConfig;
  backend: BackendInfo;
  datasets: { train: Dataset; test?: Dataset; val?: Dataset };
  classes: string[];
  confounders: string[];
  backbone: Backbone;
  strategy: Strategy;
  context: ModelContext;
  /** Image loaders (decoding, augmentation, normalisation). */
  trainLoader: DataLoader;
  testLoader?: DataLoader;
  valLoader?: DataLoader;
  /**
   * What the Trainer consumes: the image loaders, or cached backbone features when the
   * backbone is frozen and `data.featureCache.enabled`.
   */
  trainSource: BatchSource;
  testSource?: BatchSource;
  valSource?: BatchSource;
  trainer: Trainer;
  rng: Rng;
  logger: Logger;
}

export interface AssembleOptions {
  logger: Logger;
  /** Skip backend selection (already selected in this process). */
  backend?: BackendInfo;
  /** Build loaders for these splits only (default: all configured). */
  splits?: ('train' | 'test' | 'val')[];
}

/** Sorted union of the confounder labels present in a dataset. */
function confoundersOf(ds: Dataset): string[] {
  const seen = new Set(ds.confounders);
  for (const s of ds.samples) if (s.confounder !== undefined) seen.add(s.confounder);
  return [...seen].sort();
}

/**
 * Builds datasets, backbone and strategy through the registries, in the experiment's child
 * container (Lightning-style: data, model and loop stay separate objects).
 */
export async function assembleExperiment(resolved: ResolvedConfig, opts: AssembleOptions): Promise<Experiment> {
  const { config: cfg, registries, container } = resolved;
  const logger = opts.logger;
  container.register(TOKENS.Logger, { useValue: logger });
  const backend = opts.backend ?? (await selectBackend(cfg.backend, logger));
  container.register(TOKENS.Backend, { useValue: backend });
  const rng = new Rng(cfg.train.seed);
  container.register(TOKENS.Rng, { useValue: rng });

  const train = await registries.datasets.build(cfg.data.train, container, 'data.train');
  const test = cfg.data.test ? await registries.datasets.build(cfg.data.test, container, 'data.test') : undefined;
  const val = cfg.data.val ? await registries.datasets.build(cfg.data.val, container, 'data.val') : undefined;
  for (const [split, ds] of Object.entries({ train, test, val })) {
    if (!ds) continue;
    const skips = Object.entries(ds.skipped).filter(([, n]) => n > 0);
    logger.info(
      `data.${split}: ${ds.name}, ${ds.samples.length} samples` + (skips.length ? `; skipped ${skips.map(([r, n]) => `${n} ${r}`).join(', ')}` : ''),
    );
    for (const p of ds.problems) logger.warn(`data.${split}: ${p}`);
  }
  if (train.samples.length === 0) throw new IernError(`data.train (${train.name}) has no samples`, 1);

  const classes = cfg.data.classes ?? train.classes;
  const confounders = [...new Set([...confoundersOf(train), ...(test ? confoundersOf(test) : [])])].sort();
  const confounderCounts = confounders.map((c) => train.samples.filter((s) => s.confounder === c).length);
  const labelCounts = confounders.map((c) => classes.map((y) => train.samples.filter((s) => s.confounder === c && s.emotion === y).length));

  const backbone = await registries.backbones.build(cfg.model.backbone, container, 'model.backbone');
  const [h, w] = typeof cfg.data.imageSize === 'number' ? [cfg.data.imageSize, cfg.data.imageSize] : cfg.data.imageSize;
  const channels = cfg.data.channels;
  if (backbone.inputChannels !== channels) {
    throw new IernError(`data.channels is ${channels} but backbone '${backbone.type}' expects ${backbone.inputChannels} input channels`, 2);
  }
  const s = [Math.ceil(h / backbone.reductionFactor), Math.ceil(w / backbone.reductionFactor)];
  const normalization = (cfg.data.normalization as Backbone['normalization'] | undefined) ?? backbone.normalization;
  const loaderFor = (ds: Dataset, training: boolean) =>
    new DataLoader(ds.samples, {
      height: h,
      width: w,
      channels,
      batchSize: training ? cfg.train.batchSize : cfg.eval.batchSize,
      classes,
      confounders,
      normalization,
      shuffle: training,
      dropLast: false,
      onBadSample: cfg.data.onBadSample,
      workers: training ? cfg.data.loaderWorkers : 0,
      augment: training && augmentEnabled(cfg.data.augment) ? buildAugment(cfg.data.augment) : undefined,
    });
  const splits = opts.splits ?? ['train', 'test', 'val'];
  const trainLoader = loaderFor(train, true);
  // before prepare() the loader counts every sample, as the schedule must
  const stepsPerEpoch = trainLoader.batchesPerEpoch();
  const context: ModelContext = {
    backbone,
    classes,
    confounders,
    confounderCounts,
    labelCounts,
    inputShape: [h, w, channels],
    featureShape: [s[0]!, s[1]!, backbone.outputChannels],
    epochs: cfg.train.epochs,
    stepsPerEpoch,
    seed: cfg.train.seed,
  };
  container.register(TOKENS.ModelContext, { useValue: context });
  const strategy = await registries.strategies.build(cfg.model.strategy, container, 'model.strategy');
  const trainer = container.resolve(Trainer);
  const testLoader = test && splits.includes('test') ? loaderFor(test, false) : undefined;
  const valLoader = val && splits.includes('val') ? loaderFor(val, false) : undefined;
  const sources = await featureSources(resolved, backbone, logger, { train: splits.includes('train') ? trainLoader : undefined, test: testLoader, val: valLoader });
  return {
    resolved,
    backend,
    datasets: { train, test, val },
    classes,
    confounders,
    backbone,
    strategy,
    context,
    trainLoader,
    testLoader,
    valLoader,
    trainSource: sources.train ?? trainLoader,
    testSource: sources.test ?? testLoader,
    valSource: sources.val ?? valLoader,
    trainer,
    rng,
    logger,
  };
}

/**
 * With a frozen backbone, serve cached features instead of images: computed once per
 * (weights, images, preprocessing), reused across epochs, strategies and folds.
 */
async function featureSources(
  resolved: ResolvedConfig,
  backbone: Backbone,
  logger: Logger,
  loaders: Partial<Record<'train' | 'test' | 'val', DataLoader>>,
): Promise<Partial<Record<'train' | 'test' | 'val', BatchSource>>> {
  const { featureCache, augment } = resolved.config.data;
  if (!backbone.frozen || !featureCache.enabled) return {};
  if (augmentEnabled(augment)) {
    logger.warn('data.augment is ignored for cached features of the frozen backbone; set data.featureCache.enabled=false to augment every step');
  }
  const out: Partial<Record<'train' | 'test' | 'val', BatchSource>> = {};
  for (const [split, loader] of Object.entries(loaders) as ['train' | 'test' | 'val', DataLoader | undefined][]) {
    if (!loader) continue;
    const t0 = performance.now();
    const { source, cache } = await cachedFeatureSource(backbone, loader, { dir: featureCache.dir });
    const how = cache.status === 'hit' ? 'loaded' : `computed (${cache.reason ?? 'no entry'})`;
    logger.info(`data.${split}: backbone features ${how} in ${((performance.now() - t0) / 1000).toFixed(1)}s, cache ${featureCache.dir}`);
    out[split] = source;
  }
  return out;
}

/** Frees an experiment's tensors: the strategy's own and the backbone's (strategies do not own it). */
export async function disposeExperiment(exp: Experiment): Promise<void> {
  exp.strategy.dispose();
  exp.backbone.dispose();
  for (const loader of [exp.trainLoader, exp.testLoader, exp.valLoader]) await loader?.close();
}
