import * as tf from '@tensorflow/tfjs-core';
import * as os from 'node:os';
import { activateBackend, autoOrder, type BackendName } from './select.js';

/** What `iern doctor` found out about one backend. */
export interface BackendDiagnosis {
  name: BackendName;
  ok: boolean;
  /** Why it cannot be used (when !ok). */
  reason?: string;
  version?: string;
  threads?: number;
  simd?: boolean;
  /** A conv2d + its gradients ran and matched the reference (cpu) values. */
  trains?: boolean;
  /** Milliseconds for one forward+backward of a small conv (a rough speed hint). */
  convStepMs?: number;
}

export interface Diagnosis {
  backends: BackendDiagnosis[];
  /** What `backend: auto` picks. */
  auto?: BackendName;
  cores: number;
  node: string;
  tfjs: string;
}

/** A small conv layer's loss and gradients, as plain numbers. */
function convStep(): { values: number[]; ms: number } {
  const t0 = performance.now();
  const values = tf.tidy(() => {
    const x = tf.tensor4d(Array.from({ length: 2 * 9 * 9 * 3 }, (_, i) => Math.sin(i)), [2, 9, 9, 3]);
    const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)), [3, 3, 3, 4]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))));
    const [gx, gw] = tf.grads(f)([x, w]);
    return [...f(x, w).dataSync(), ...gx!.dataSync(), ...gw!.dataSync()];
  });
  return { values, ms: performance.now() - t0 };
}

/**
 * Tries every backend (native TensorFlow GPU/CPU, wasm, cpu): does it load, which version,
 * threads, SIMD, can it train a convolution (gradients checked against `cpu`) and roughly how
 * fast. Leaves the `auto` choice active.
 */
export async function diagnoseBackends(): Promise<Diagnosis> {
  await activateBackend('cpu');
  const reference = convStep().values;
  const out: BackendDiagnosis[] = [];
  for (const name of autoOrder()) {
    try {
      const info = await activateBackend(name);
      const d: BackendDiagnosis = { name, ok: true, version: info.version, threads: info.threads, simd: info.simd };
      try {
        convStep(); // warm-up (kernel setup, XNNPACK packing)
        const { values, ms } = convStep();
        const scale = Math.max(...reference.map(Math.abs));
        const err = Math.max(...values.map((v, i) => Math.abs(v - reference[i]!))) / scale;
        d.trains = values.length === reference.length && err < 1e-4;
        if (!d.trains) d.reason = `conv2d gradients differ from cpu (relative error ${err.toExponential(2)})`;
        d.convStepMs = ms;
      } catch (e) {
        d.trains = false;
        d.reason = `cannot train: ${firstLine(e)}`;
      }
      out.push(d);
    } catch (e) {
      out.push({ name, ok: false, reason: firstLine(e) });
    }
  }
  const auto = out.find((d) => d.ok)?.name;
  if (auto) await activateBackend(auto);
  return { backends: out, auto, cores: os.availableParallelism(), node: process.version, tfjs: tf.version_core };
}

/** Human-readable report. */
export function formatDiagnosis(d: Diagnosis): string {
  const lines = [`node ${d.node}, tfjs ${d.tfjs}, ${d.cores} CPU cores`, ''];
  for (const b of d.backends) {
    if (!b.ok) {
      lines.push(`  ${b.name.padEnd(15)} not available: ${b.reason}`);
      continue;
    }
    const parts = [`tfjs ${b.version}`];
    if (b.threads) parts.push(`${b.threads} thread${b.threads > 1 ? 's' : ''}`);
    if (b.simd !== undefined) parts.push(b.simd ? 'SIMD' : 'no SIMD');
    parts.push(b.trains ? `trains (conv step ${b.convStepMs!.toFixed(1)} ms)` : `CANNOT TRAIN: ${b.reason}`);
    lines.push(`  ${b.name.padEnd(15)} ok: ${parts.join(', ')}`);
  }
  lines.push('');
  lines.push(d.auto ? `backend: auto -> ${d.auto}` : 'backend: auto -> nothing loads');
  if (d.auto === 'wasm' || d.auto === 'cpu') lines.push(`train.workers: auto -> ${d.cores} data-parallel replicas (worker threads, one ${d.auto} backend each)`);
  else if (d.auto) lines.push('train.workers: auto -> 1 (native TensorFlow threads internally)');
  return lines.join('\n');
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}
