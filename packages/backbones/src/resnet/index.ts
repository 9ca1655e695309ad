import { z } from 'zod';
import { experimentSeed, type Backbone, type RegistryEntry } from '@iern/core';
import { ResNet, RESNET_ARCHS, type ResNetArch } from './resnet.js';
import { normalizationSchema, resolveNormalization } from '../common/normalization.js';
import { withWeights } from '../weights/with-weights.js';

export const resnetOptions = z.strictObject({
  /** torchvision state dict or iern weights, `.safetensors`; random init when absent. */
  weights: z.string().min(1).optional(),
  freeze: z.boolean().default(false),
  /** What the weights expect: `imagenet` (torchvision), `half` (0.5/0.5, official IERN), or `{ mean, std }`. */
  normalization: normalizationSchema.default('imagenet'),
  /** 1 sums the ImageNet stem over RGB when loading 3-channel weights. */
  inputChannels: z.union([z.literal(1), z.literal(3)]).default(3),
  /** Random-init seed (the experiment's train.seed is added). */
  seed: z.number().int().default(0),
});

export type ResNetConfig = z.infer<typeof resnetOptions>;

/** Builds a ResNet and loads its weights file, if any. */
export async function createResNet(arch: ResNetArch, o: ResNetConfig, seedOffset = 0): Promise<ResNet> {
  const net = new ResNet({ arch, inputChannels: o.inputChannels, freeze: o.freeze, normalization: resolveNormalization(o.normalization), seed: o.seed + seedOffset });
  return withWeights(net, o.weights);
}

const DESCRIPTIONS: Record<ResNetArch, string> = {
  resnet18: 'torchvision ResNet-18 (basic blocks), layer4 features, 512 ch, /32; loads torchvision .safetensors',
  resnet34: 'torchvision ResNet-34 (basic blocks), layer4 features, 512 ch, /32; loads torchvision .safetensors',
  resnet50: 'torchvision ResNet-50 v1.5 (bottlenecks), layer4 features, 2048 ch, /32; loads torchvision .safetensors',
};

export const resnetEntries: RegistryEntry<Backbone, ResNetConfig>[] = (Object.keys(RESNET_ARCHS) as ResNetArch[]).map((arch) => ({
  type: arch,
  package: '@iern/backbones',
  description: DESCRIPTIONS[arch],
  options: resnetOptions,
  build: (o, container) => createResNet(arch, o, experimentSeed(container)),
}));

export { ResNet, RESNET_ARCHS };
export type { ResNetArch, ResNetOptions } from './resnet.js';
export { BasicBlock, Bottleneck } from './blocks.js';
