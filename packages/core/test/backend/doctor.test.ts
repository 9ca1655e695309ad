import { describe, expect, it } from 'vitest';
import { autoOrder, diagnoseBackends, formatDiagnosis } from '@iern/core';

describe('backend doctor', () => {
  it('auto tries native TensorFlow, then wasm, then cpu', () => {
    expect(autoOrder()).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
  });

  it('reports every backend; wasm and cpu load and train; auto is the first that loads', async () => {
    const d = await diagnoseBackends();
    expect(d.backends.map((b) => b.name)).toEqual(autoOrder());
    const wasm = d.backends.find((b) => b.name === 'wasm')!;
    expect(wasm).toMatchObject({ ok: true, trains: true, threads: 1 });
    expect(d.backends.find((b) => b.name === 'cpu')).toMatchObject({ ok: true, trains: true });
    for (const b of d.backends) if (!b.ok) expect(b.reason).toMatch(/not installed|failed|did not/);
    expect(d.auto).toBe(d.backends.find((b) => b.ok)!.name);
    expect(formatDiagnosis(d)).toContain(`backend: auto -> ${d.auto}`);
  });
});
