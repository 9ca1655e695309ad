import { Registries, type Backbone } from '@iern/core';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { z } from 'zod';
import { plugin } from './plugin.js';
import type { resnetOptions } from './resnet/index.js';
import type { ResNetArch } from './resnet/resnet.js';

/** Options of `buildBackbone`: a registered `type` plus that entry's options. */
export type BackboneSpec =
  | ({ type: ResNetArch } & z.input<typeof resnetOptions>)
  | ({ type: string } & Record<string, unknown>);

export interface BuildBackboneContext {
  /** Registries to build from (default: a fresh one with this package's backbones). */
  registries?: Registries;
  /** Container for shared services such as the experiment seed (default: a child of tsyringe's root). */
  container?: DependencyContainer;
}

/**
 * timm-style create function: `await buildBackbone({ type: 'resnet18', weights: 'r18.safetensors', freeze: true })`.
 * Options are validated by the registered entry's schema (unknown keys are errors).
 */
export async function buildBackbone(spec: BackboneSpec, ctx: BuildBackboneContext = {}): Promise<Backbone> {
  const container = ctx.container ?? rootContainer.createChildContainer();
  let registries = ctx.registries;
  if (!registries) {
    registries = new Registries();
    await plugin.register(registries, container);
  }
  return registries.backbones.build(spec, container, 'backbone');
}
