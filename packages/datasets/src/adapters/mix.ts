import * as path from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';
import { ConfigError, TOKENS, type Dataset, type Registries, type RegistryEntry } from '@iern/core';

export const mixOptions = z.strictObject({
  /** Child datasets: `{ type, name?, ...options }`; the confounder of each sample is the child's name (default: its type). */
  sources: z.array(z.looseObject({ type: z.string(), name: z.string().optional() })).min(1),
  /** Base folder for children whose `root` is relative. */
  root: z.string().optional(),
  /** Split given to children that set none. */
  split: z.string().optional(),
  name: z.string().default('mix'),
});
export type MixOptions = z.infer<typeof mixOptions>;

/**
 * Combines any registered adapters into one dataset whose confounder is the source. Children
 * are built through the datasets registry (so plugins work as sources too).
 */
export async function buildMix(o: MixOptions, container: DependencyContainer): Promise<Dataset> {
  const registries = container.resolve<Registries>(TOKENS.Registries);
  const names = o.sources.map((s) => s.name ?? s.type);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ConfigError(`sources[${names.lastIndexOf(dup)}].name`, `source name '${dup}' is used twice; give each source a distinct name`);
  const out: Dataset = { name: o.name, classes: [], confounders: names, samples: [], skipped: {}, problems: [] };
  for (let i = 0; i < o.sources.length; i++) {
    const { name: _n, ...cfg } = o.sources[i]!;
    const child: Record<string, unknown> = { ...cfg };
    if (o.split !== undefined && child['split'] === undefined) child['split'] = o.split;
    if (o.root && typeof child['root'] === 'string') child['root'] = path.resolve(o.root, child['root'] as string);
    const ds = await registries.datasets.build(child, container, `sources[${i}]`);
    const name = names[i]!;
    for (const c of ds.classes) if (!out.classes.includes(c)) out.classes.push(c);
    for (const s of ds.samples) out.samples.push({ ...s, id: `${name}:${s.id}`, confounder: name });
    for (const [reason, n] of Object.entries(ds.skipped)) out.skipped[`${name}: ${reason}`] = n;
    for (const p of ds.problems) out.problems.push(`${name}: ${p}`);
  }
  return out;
}

export const mixEntry: RegistryEntry<Dataset, MixOptions> = {
  type: 'mix',
  package: '@iern/datasets',
  description: 'Combine datasets; confounder = source',
  options: mixOptions,
  build: (o, container) => buildMix(o, container),
};
