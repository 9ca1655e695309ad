// Child process of `iern study --jobs N`: runs one study run and reports its record over IPC.
import 'reflect-metadata';
import { makeLogger } from '../cli-helpers.js';
import { runLogger } from './run-logger.js';
import { isUnknownStrategy, runName, runOne } from './run-one.js';
import type { ChildRequest, ChildReply } from './parallel.js';

const reply = (m: ChildReply) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

process.once('message', (req: ChildRequest) => {
  void (async () => {
    const name = runName(req.spec);
    try {
      const { record } = await runOne(req.spec, { ...req.options, logger: runLogger(makeLogger(), name, req.verbose) });
      await reply({ type: 'done', record });
    } catch (e) {
      if (isUnknownStrategy(e)) await reply({ type: 'unavailable', message: e.message });
      else await reply({ type: 'error', message: (e as Error)?.stack ?? String(e) });
    }
    process.exit(0);
  })();
});
