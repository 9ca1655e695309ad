import * as path from 'node:path';
import type { Backbone } from '@iern/core';
import { importWeights } from './torchvision.js';

/** Loads `weights` (a `.safetensors` path, resolved against the working directory) into a new backbone; disposes it on failure. */
export async function withWeights<B extends Backbone>(net: B, weights: string | undefined): Promise<B> {
  if (!weights) return net;
  try {
    await importWeights(net.namedVariables(), path.resolve(weights));
  } catch (e) {
    net.dispose();
    throw e;
  }
  return net;
}
