import { ConsoleLogger, describeBackend, type ReplicaBuild } from '@iern/core';
import { resolveConfig } from '../experiment/resolve-config.js';
import { assembleExperiment } from '../experiment/assemble.js';

/** What a replica worker needs to build the same experiment as the main thread. */
export interface RunnerReplicaArgs {
  file: string;
  overrides: string[];
}

/**
 * Builds a data-parallel replica in a worker thread (see `@iern/core` DataParallel): the same
 * config and overrides, no evaluation loaders; weights come from the main thread's first sync.
 */
export async function createReplica(args: RunnerReplicaArgs): Promise<ReplicaBuild> {
  const resolved = await resolveConfig(args.file, args.overrides);
  // Only errors: the main thread already logged data and model summaries.
  const exp = await assembleExperiment(resolved, { logger: new ConsoleLogger('error'), splits: [] });
  return { strategy: exp.strategy, backend: describeBackend(exp.backend) };
}
