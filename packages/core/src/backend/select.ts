import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Logger } from '../logging/logger.js';
import { IernError } from '../errors.js';
import type { BackendChoice } from '../config/experiment.js';

export type BackendName = Exclude<BackendChoice, 'auto'>;

/** What backend selection found: the one in use and why the others were skipped. */
export interface BackendInfo {
  name: BackendName;
  /** tfjs backend id (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  version: string;
  threads: number;
  simd?: boolean;
  /** Backends tried before this one and why each was skipped. */
  skipped: { name: BackendName; reason: string }[];
}

const require = createRequire(import.meta.url);

/** Directory holding the tfjs wasm binaries, for `setWasmPaths`. */
export function wasmBinaryDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}

/** A tiny computation every backend must pass before it is used. */
async function smoke(): Promise<void> {
  const out = tf.tidy(() => tf.sum(tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]))));
  const v = (await out.data())[0];
  out.dispose();
  if (v !== 12) throw new Error(`smoke computation returned ${v}, expected 12`);
}

/** Hook for extra wasm setup after the backend is initialised (iern's training kernels are always registered). */
export const backendHooks: { afterWasm: Array<() => void | Promise<void>> } = { afterWasm: [] };

/** Loads and activates one backend; throws with the reason when it cannot. */
export async function activateBackend(name: BackendName): Promise<BackendInfo> {
  const base = { skipped: [] as BackendInfo['skipped'] };
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      try {
        await import(pkg);
      } catch (e) {
        throw new Error(`${pkg} is not installed or failed to load (${firstLine(e)})`);
      }
      if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but the 'tensorflow' backend did not initialise`);
      await smoke();
      return { ...base, name, tfBackend: 'tensorflow', version: tf.version_core, threads: 0 };
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(wasmBinaryDir());
      // The stock wasm backend cannot train convolutions; ours adds/replaces those kernels.
      const { registerWasmTrainingKernels } = await import('./wasm/register.js');
      registerWasmTrainingKernels();
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      for (const hook of backendHooks.afterWasm) await hook();
      await smoke();
      return {
        ...base,
        name,
        tfBackend: 'wasm',
        version: wasm.version_wasm,
        threads: wasm.getThreadsCount(),
        simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') as boolean,
      };
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      await smoke();
      return { ...base, name, tfBackend: 'cpu', version: tf.version_core, threads: 1 };
    }
  }
}

/** Order `auto` tries: native TensorFlow (GPU, then CPU), then trainable wasm (XNNPACK), then pure JS. */
export function autoOrder(): BackendName[] {
  return ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
}

/**
 * Selects the backend: a named one must load (else a clear error); `auto` takes the first of
 * `autoOrder()` that loads and passes a smoke computation. Logs the choice and every skip.
 */
export async function selectBackend(choice: BackendChoice, logger?: Logger): Promise<BackendInfo> {
  if (choice !== 'auto') {
    try {
      const info = await activateBackend(choice);
      logger?.info(`backend: ${describeBackend(info)} (requested by config)`);
      return info;
    } catch (e) {
      throw new IernError(`backend '${choice}' (config key 'backend') is not usable: ${firstLine(e)}`, 1);
    }
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const name of autoOrder()) {
    try {
      const info = await activateBackend(name);
      info.skipped = skipped;
      for (const s of skipped) logger?.info(`backend: skipped ${s.name}: ${s.reason}`);
      logger?.info(`backend: ${describeBackend(info)} (auto)`);
      return info;
    } catch (e) {
      skipped.push({ name, reason: firstLine(e) });
    }
  }
  throw new IernError(`no backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

export function describeBackend(info: BackendInfo): string {
  const extra = [`tfjs ${info.version}`];
  if (info.threads) extra.push(`${info.threads} thread${info.threads > 1 ? 's' : ''}`);
  if (info.simd !== undefined) extra.push(info.simd ? 'SIMD' : 'no SIMD');
  return `${info.name} (${extra.join(', ')})`;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}
