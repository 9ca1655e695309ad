import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import { decodeSample, disposeBatch, type Batch, type DecodedImage } from '@iern/core';
import type { LoadedModel } from './load-model.js';

export interface ImagePrediction {
  image: string;
  emotion: string;
  /** Softmax probability per class. */
  probabilities: Record<string, number>;
  /** Logits per stratum (confounder) and class, for strategies that intervene over strata. */
  perStratumLogits?: Record<string, Record<string, number>>;
}

export interface ImageFailure {
  image: string;
  reason: string;
}

export interface PredictOutput {
  predictions: ImagePrediction[];
  failures: ImageFailure[];
}

/** Decodes one image with the checkpoint's preprocessing (size, channels); the reason when it cannot. */
async function decode(file: string, model: LoadedModel): Promise<DecodedImage | ImageFailure> {
  try {
    await fs.access(file);
  } catch (e) {
    return { image: file, reason: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `unreadable (${(e as NodeJS.ErrnoException).code})` };
  }
  const [height, width, channels] = model.inputShape;
  try {
    return await decodeSample({ id: file, image: { kind: 'file', path: file }, emotion: '' }, { height, width, channels: channels as 1 | 3 });
  } catch (e) {
    return { image: file, reason: (e as Error).message.replace(`${file}: `, '') };
  }
}

/** Normalised NHWC batch of decoded images (labels unknown: -1). */
function toBatch(images: DecodedImage[], ids: string[], model: LoadedModel): Batch {
  const [h, w, c] = model.inputShape;
  const per = h * w * c;
  const buf = new Float32Array(images.length * per);
  const { mean, std } = model.normalization;
  images.forEach((img, j) => {
    for (let p = 0; p < h * w; p++) {
      for (let k = 0; k < c; k++) {
        const ch = c === 1 ? 0 : k;
        buf[j * per + p * c + k] = (img.data[p * c + k]! - mean[ch]!) / std[ch]!;
      }
    }
  });
  return {
    images: tf.tensor4d(buf, [images.length, h, w, c]),
    emotions: tf.fill([images.length], -1, 'int32') as tf.Tensor1D,
    confounders: tf.fill([images.length], -1, 'int32') as tf.Tensor1D,
    ids,
    size: images.length,
  };
}

/** Predicts every readable image; unreadable ones are listed with the reason, the rest still answered. */
export async function predictImages(model: LoadedModel, files: string[], batchSize = 32): Promise<PredictOutput> {
  const failures: ImageFailure[] = [];
  const good: { file: string; img: DecodedImage }[] = [];
  for (const file of files) {
    const r = await decode(file, model);
    if ('reason' in r) failures.push(r);
    else good.push({ file, img: r });
  }
  const predictions: ImagePrediction[] = [];
  for (let i = 0; i < good.length; i += batchSize) {
    const chunk = good.slice(i, i + batchSize);
    const batch = toBatch(chunk.map((g) => g.img), chunk.map((g) => g.file), model);
    try {
      const pred = model.strategy.predict(batch);
      const probsT = tf.softmax(pred.logits);
      const [probs, strata] = await Promise.all([probsT.array(), pred.perStratumLogits?.array()]);
      tf.dispose([probsT, pred.logits, ...(pred.perStratumLogits ? [pred.perStratumLogits] : [])] as tf.Tensor[]);
      chunk.forEach((g, j) => {
        const p = (probs as number[][])[j]!;
        const best = p.indexOf(Math.max(...p));
        const out: ImagePrediction = { image: g.file, emotion: model.classes[best]!, probabilities: Object.fromEntries(model.classes.map((c, k) => [c, p[k]!])) };
        if (strata) {
          const names = model.confounders.length === strata[j]!.length ? model.confounders : strata[j]!.map((_, k) => `stratum ${k}`);
          out.perStratumLogits = Object.fromEntries(strata[j]!.map((row, k) => [names[k]!, Object.fromEntries(model.classes.map((c, e) => [c, row[e]!]))]));
        }
        predictions.push(out);
      });
    } finally {
      disposeBatch(batch);
    }
  }
  // answer in the order given
  const order = new Map(files.map((f, i) => [f, i]));
  predictions.sort((a, b) => order.get(a.image)! - order.get(b.image)!);
  return { predictions, failures };
}

/** Human-readable lines: emotion, top probabilities, and per-stratum argmax. */
export function formatPredictions(out: PredictOutput): string {
  const lines: string[] = [];
  for (const p of out.predictions) {
    const probs = Object.entries(p.probabilities).sort((a, b) => b[1] - a[1]).map(([c, v]) => `${c} ${(v * 100).toFixed(1)}%`).join(', ');
    lines.push(`${p.image}: ${p.emotion} (${probs})`);
    if (p.perStratumLogits) {
      for (const [s, logits] of Object.entries(p.perStratumLogits)) {
        lines.push(`  stratum ${s}: ${Object.entries(logits).map(([c, v]) => `${c} ${v.toFixed(3)}`).join(', ')}`);
      }
    }
  }
  for (const f of out.failures) lines.push(`${f.image}: cannot read: ${f.reason}`);
  return lines.join('\n') + '\n';
}
