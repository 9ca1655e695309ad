import type { Rng } from '@iern/core';

export interface KMeansResult {
  /** [K * D] row-major centres. */
  centres: Float32Array;
  /** Points per cluster. */
  counts: number[];
  /** Cluster of each point. */
  assign: Int32Array;
  /** Sum of squared distances to the assigned centres. */
  inertia: number;
}

function dist2(x: Float32Array, i: number, c: Float32Array, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const v = x[i * d + t]! - c[j * d + t]!;
    s += v * v;
  }
  return s;
}

/**
 * Lloyd's k-means with k-means++ seeding (seeded, so refreshes are reproducible). An empty
 * cluster is re-seeded with the point farthest from its centre.
 */
export function kmeans(x: Float32Array, n: number, d: number, k: number, iterations: number, rng: Rng): KMeansResult {
  if (n < k) throw new Error(`k-means: ${k} clusters need at least ${k} training samples, got ${n}`);
  const centres = new Float32Array(k * d);
  // k-means++ seeding
  const first = rng.int(n);
  centres.set(x.subarray(first * d, first * d + d), 0);
  const best = new Float64Array(n).fill(Infinity);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      best[i] = Math.min(best[i]!, dist2(x, i, centres, j - 1, d));
      total += best[i]!;
    }
    let r = rng.next() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= best[i]!;
      if (r <= 0) {
        pick = i;
        break;
      }
    }
    centres.set(x.subarray(pick * d, pick * d + d), j * d);
  }
  const assign = new Int32Array(n);
  const counts = new Array<number>(k).fill(0);
  let inertia = 0;
  for (let it = 0; it <= iterations; it++) {
    // assignment
    inertia = 0;
    counts.fill(0);
    const own = new Float64Array(n);
    let changed = false;
    for (let i = 0; i < n; i++) {
      let bj = 0;
      let bd = Infinity;
      for (let j = 0; j < k; j++) {
        const dd = dist2(x, i, centres, j, d);
        if (dd < bd) {
          bd = dd;
          bj = j;
        }
      }
      if (assign[i] !== bj) changed = true;
      assign[i] = bj;
      own[i] = bd;
      counts[bj]!++;
      inertia += bd;
    }
    if (it === iterations || (!changed && it > 0)) break;
    // update
    const sums = new Float64Array(k * d);
    for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) sums[assign[i]! * d + t] += x[i * d + t]!;
    for (let j = 0; j < k; j++) {
      if (counts[j] === 0) {
        let far = 0;
        for (let i = 1; i < n; i++) if (own[i]! > own[far]!) far = i;
        centres.set(x.subarray(far * d, far * d + d), j * d);
        own[far] = 0;
        continue;
      }
      for (let t = 0; t < d; t++) centres[j * d + t] = sums[j * d + t]! / counts[j]!;
    }
  }
  return { centres, counts, assign, inertia };
}

/**
 * Order of new clusters that keeps each as close as possible to the previous cluster with
 * the same index (greedy matching on centre distance), so a refresh does not shuffle the
 * stratum ids the critic d_c and the attention keys have learned. Returns `perm` with
 * new cluster `perm[j]` placed at index j.
 */
export function alignClusters(previous: Float32Array, next: Float32Array, k: number, d: number): number[] {
  const pairs: [number, number, number][] = [];
  for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) pairs.push([dist2(previous, j, next, i, d), j, i]);
  pairs.sort((a, b) => a[0] - b[0]);
  const perm = new Array<number>(k).fill(-1);
  const used = new Set<number>();
  for (const [, j, i] of pairs) {
    if (perm[j] !== -1 || used.has(i)) continue;
    perm[j] = i;
    used.add(i);
  }
  return perm;
}
