import type * as tf from '@tensorflow/tfjs-core';
import { IERN_LAYOUT, assignWeights, readSafetensors, type TensorData, type WeightsReport } from '@iern/core';

/** Tensors a torchvision classifier has that a backbone does not use. */
export function isTorchvisionExtra(name: string): boolean {
  return name.startsWith('fc.') || name.endsWith('num_batches_tracked');
}

/** OIHW (PyTorch conv) -> HWIO (TensorFlow.js conv). */
export function oihwToHwio(src: Float32Array, [o, i, h, w]: number[]): TensorData {
  const out = new Float32Array(src.length);
  for (let a = 0; a < o!; a++)
    for (let b = 0; b < i!; b++)
      for (let y = 0; y < h!; y++)
        for (let x = 0; x < w!; x++) out[((y * w! + x) * i! + b) * o! + a] = src[((a * i! + b) * h! + y) * w! + x]!;
  return { data: out, shape: [h!, w!, i!, o!] };
}

/** [out, in] (PyTorch Linear) -> [in, out]. */
export function transpose2d(src: Float32Array, [r, c]: number[]): TensorData {
  const out = new Float32Array(src.length);
  for (let a = 0; a < r!; a++) for (let b = 0; b < c!; b++) out[b * r! + a] = src[a * c! + b]!;
  return { data: out, shape: [c!, r!] };
}

/** Sums an OIHW kernel over its input channels (3-channel ImageNet stem -> 1-channel input, as timm does). */
function sumInputChannels(src: Float32Array, [o, i, h, w]: number[]): { data: Float32Array; shape: number[] } {
  const hw = h! * w!;
  const out = new Float32Array(o! * hw);
  for (let a = 0; a < o!; a++) for (let b = 0; b < i!; b++) for (let p = 0; p < hw; p++) out[a * hw + p]! += src[(a * i! + b) * hw + p]!;
  return { data: out, shape: [o!, 1, h!, w!] };
}

/** Converts one PyTorch-layout tensor to the layout of `target`. */
function fromTorch(name: string, data: Float32Array, shape: number[], target: tf.Variable): TensorData {
  if (shape.length === 4) {
    let src = { data, shape };
    if (target.shape.length === 4 && target.shape[2] === 1 && shape[1] === 3) src = sumInputChannels(data, shape);
    return oihwToHwio(src.data, src.shape);
  }
  if (shape.length === 2) return transpose2d(data, shape);
  return { data, shape };
}

export interface ImportOptions {
  /** Skip more file tensors (beyond `fc.*` and `num_batches_tracked`). */
  ignore?: (name: string) => boolean;
}

/**
 * Loads a `.safetensors` state dict into `named` variables. Files written by iern
 * (`saveWeights`, metadata layout `iern-nhwc`) load as they are; anything else is taken
 * as PyTorch layout: conv OIHW -> HWIO, linear [out, in] -> [in, out]. A `module.` prefix
 * (DataParallel) is stripped. Every missing, unexpected or mis-shaped tensor is named in
 * one error and nothing is assigned then. Returns the report and the file's sha256.
 */
export async function importWeights(named: Map<string, tf.Variable>, file: string, opts: ImportOptions = {}): Promise<WeightsReport & { layout: 'iern' | 'torch' }> {
  const { tensors: raw, metadata } = await readSafetensors(file);
  const names = [...raw.keys()];
  const strip = names.length > 0 && names.every((n) => n.startsWith('module.'));
  const tensors = strip ? new Map([...raw].map(([n, t]) => [n.slice('module.'.length), { ...t, name: n.slice('module.'.length) }])) : raw;
  const iern = metadata['layout'] === IERN_LAYOUT;
  const report = assignWeights(named, tensors, file, {
    ignore: (n) => isTorchvisionExtra(n) || (opts.ignore?.(n) ?? false),
    convert: iern ? undefined : fromTorch,
  });
  return { ...report, layout: iern ? 'iern' : 'torch' };
}
