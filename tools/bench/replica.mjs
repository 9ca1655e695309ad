// Data-parallel replica factory for the training benchmark (see DataParallel in @iern/core).
import { activateBackend, describeBackend } from '@iern/core';
import { buildModel } from './model.mjs';

export async function createReplica({ config, mode, backend }) {
  const info = await activateBackend(backend);
  const { strategy } = await buildModel(config, mode);
  return { strategy, backend: describeBackend(info) };
}
