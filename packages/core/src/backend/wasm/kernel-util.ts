import * as tf from '@tensorflow/tfjs-core';

type Attrs = tf.NamedAttrMap;

/**
 * Runs other `wasm` kernels from inside a kernel, on backend-level `TensorInfo`s (no tape, no
 * engine scopes), and frees every intermediate it made when `dispose` is called.
 */
export class KernelCalls {
  private readonly made: tf.TensorInfo[] = [];

  constructor(readonly backend: tf.KernelBackend) {}

  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: Attrs = {}): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (!kernel) throw new Error(`wasm kernel ${kernelName} is not registered`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend }) as tf.TensorInfo | tf.TensorInfo[];
    const info = Array.isArray(out) ? out[0]! : out;
    this.made.push(info);
    return info;
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  pad(x: tf.TensorInfo, paddings: [number, number][]): tf.TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x;
    return this.run('Slice', { x }, { begin, size });
  }

  /** NHWC conv through the forward (XNNPACK) kernel with explicit padding. */
  conv2d(x: tf.TensorInfo, filter: tf.TensorInfo, strides: [number, number], dilations: [number, number], pads: [number, number, number, number]): tf.TensorInfo {
    const [t, b, l, r] = pads;
    return this.run('Conv2D', { x, filter }, {
      strides,
      dilations,
      pad: [[0, 0], [t, b], [l, r], [0, 0]],
      dataFormat: 'NHWC',
      dimRoundingMode: undefined as unknown as string,
    } as unknown as Attrs);
  }

  /** Inserts s-1 zeros after every row/column (a stride-s conv's dy seen at stride 1): [N,h,w,C] -> [N,h*sh,w*sw,C]. */
  dilate(dy: tf.TensorInfo, sh: number, sw: number): tf.TensorInfo {
    if (sh === 1 && sw === 1) return dy;
    const [n, h, w, c] = dy.shape as [number, number, number, number];
    const r = this.reshape(dy, [n * h, 1, w, 1, c]);
    const p = this.pad(r, [[0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    return this.reshape(p, [n, h * sh, w * sw, c]);
  }

  /**
   * Reverses both spatial axes of an HW.. filter. The stock Reverse kernel moves one element at
   * a time (~20 ns each); reversing the order of the kh*kw contiguous taps is kh*kw memcpys.
   */
  flipSpatial(filter: tf.TensorInfo): tf.TensorInfo {
    const [kh, kw, ...rest] = filter.shape as number[];
    const taps = kh! * kw!;
    if (taps === 1) return filter;
    const inner = rest.reduce((a, b) => a * b, 1);
    const rows = this.reshape(filter, [taps, inner]);
    const parts: tf.TensorInfo[] = [];
    for (let t = taps - 1; t >= 0; t--) parts.push(this.slice(rows, [t, 0], [1, inner]));
    const flipped = this.run('Concat', parts as unknown as tf.NamedTensorInfoMap, { axis: 0 });
    return this.reshape(flipped, filter.shape as number[]);
  }

  /** A float32 tensor holding `values`. */
  constant(shape: number[], values: Float32Array): tf.TensorInfo {
    const info = (this.backend as unknown as { makeOutput(s: number[], d: tf.DataType, o?: number, v?: Float32Array): tf.TensorInfo }).makeOutput(shape, 'float32', undefined, values);
    this.made.push(info);
    return info;
  }

  /** A float32 tensor filled with `value`. */
  fill(shape: number[], value: number): tf.TensorInfo {
    return this.run('Fill', {}, { shape, value, dtype: 'float32' });
  }

  /** Marks `info` as the kernel's output: it survives `dispose`. */
  keep(info: tf.TensorInfo): tf.TensorInfo {
    const i = this.made.indexOf(info);
    if (i >= 0) this.made.splice(i, 1);
    return info;
  }

  /** Frees the intermediates (reshape views only drop a reference). */
  dispose(): void {
    for (const info of this.made) this.backend.disposeData(info.dataId);
    this.made.length = 0;
  }
}

/** Runs `body` with a `KernelCalls` and frees its intermediates, keeping the returned output. */
export function withCalls(backend: unknown, body: (k: KernelCalls) => tf.TensorInfo): tf.TensorInfo {
  const k = new KernelCalls(backend as tf.KernelBackend);
  try {
    return k.keep(body(k));
  } finally {
    k.dispose();
  }
}

/** The attributes both convolution-gradient kernels receive (input or filter shape aside). */
interface ConvGradAttrs {
  strides: number | [number, number];
  pad: tf.backend_util.PadInfo['type'] | number | tf.backend_util.ExplicitPadding;
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

/**
 * Conv geometry for a gradient kernel, NHWC only. tfjs's conv2d gradient never passes
 * dilations; TensorFlow's kernel has the attribute, so honour it.
 */
export function convGradInfo(
  kernel: string,
  attrs: unknown,
  xShape: readonly number[],
  filterShape: readonly number[],
): tf.backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dimRoundingMode, dilations } = attrs as ConvGradAttrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`${kernel} (wasm): dataFormat ${dataFormat} is not supported, use NHWC`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad as never,
    dimRoundingMode,
    false,
    'channelsLast',
  );
}
