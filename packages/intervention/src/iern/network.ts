import type * as tf from '@tensorflow/tfjs-core';
import { Module, Rng, hashString } from '@iern/core';
import { BackboneAdapter } from './adapter.js';
import { FeatureEncoder } from './encoder.js';
import { FusionDecoder } from './decoder.js';
import { Critic } from './critic.js';
import { EmotionClassifier } from './classifier.js';
import { ConfounderCentres } from './centres.js';
import { PooledCritic } from './pooled-critic.js';

export interface IernNetworkOptions {
  /** Channels of the backbone's feature map. */
  backboneChannels: number;
  /** C: width of every IERN feature. */
  channels: number;
  /** [h, w] of the backbone feature map. */
  featureSize: [number, number];
  /** E. */
  classes: number;
  /** K. */
  strata: number;
  encoderBlocks: number;
  decoderBlocks: number;
  /** Learnable centres + center loss (backdoor); off when the dictionary comes from elsewhere. */
  centres: boolean;
  /**
   * Adds d_ez, a critic of the confounder on the emotion feature (beyond the paper):
   * `pooled` (GAP + MLP) or `conv` (the d_c topology and init). Absent: no d_ez.
   */
  emotionCritic?: 'pooled' | 'conv';
  seed: number;
}

/** Names of the parameter groups the three optimisers split between them. */
export type IernGroup = 'adapter' | 'g_e' | 'g_c' | 'g_r' | 'd_e' | 'd_c' | 'd_ez' | 'f_c' | 'centres';

/** Every IERN network except the backbone, named as in the paper (`g_e.blocks.0.conv1.weight`). */
export class IernNetwork extends Module {
  readonly adapter: BackboneAdapter;
  readonly ge: FeatureEncoder;
  readonly gc: FeatureEncoder;
  readonly gr: FusionDecoder;
  readonly de: Critic;
  readonly dc: Critic;
  readonly dez?: Critic | PooledCritic;
  readonly fc: EmotionClassifier;
  readonly centres?: ConfounderCentres;
  private readonly members = new Map<IernGroup, Module>();

  constructor(readonly opts: IernNetworkOptions) {
    super();
    const { channels: c, featureSize: s } = opts;
    // one generator per network, so switching a part on or off leaves the others' init alone
    const rng = (name: string) => new Rng((hashString(name) ^ opts.seed) >>> 0);
    this.adapter = this.member('adapter', new BackboneAdapter(opts.backboneChannels, c, rng('adapter')));
    this.ge = this.member('g_e', new FeatureEncoder(c, opts.encoderBlocks, rng('g_e')));
    this.gc = this.member('g_c', new FeatureEncoder(c, opts.encoderBlocks, rng('g_c')));
    this.gr = this.member('g_r', new FusionDecoder(c, opts.decoderBlocks, rng('g_r')));
    this.de = this.member('d_e', new Critic(c, opts.classes, s, rng('d_e')));
    this.dc = this.member('d_c', new Critic(c, opts.strata, s, rng('d_c')));
    if (opts.emotionCritic === 'conv') this.dez = this.member('d_ez', new Critic(c, opts.strata, s, rng('d_ez')));
    if (opts.emotionCritic === 'pooled') this.dez = this.member('d_ez', new PooledCritic(c, c, opts.strata, rng('d_ez')));
    this.fc = this.member('f_c', new EmotionClassifier(c, opts.classes, rng('f_c')));
    if (opts.centres) this.centres = this.member('centres', new ConfounderCentres(opts.strata, [s[0], s[1], c], rng('centres')));
  }

  private member<M extends Module>(name: IernGroup, m: M): M {
    this.members.set(name, m);
    return this.addChild(name, m);
  }

  /** Trainable variables of the named groups (absent groups contribute nothing). */
  vars(...groups: IernGroup[]): tf.Variable[] {
    return groups.flatMap((g) => this.members.get(g)?.trainableVariables() ?? []);
  }

  /** Every variable (weights and buffers) of the named groups. */
  allVars(...groups: IernGroup[]): tf.Variable[] {
    return groups.flatMap((g) => [...(this.members.get(g)?.namedVariables().values() ?? [])]);
  }
}
