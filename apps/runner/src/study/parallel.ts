import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunOneOptions, RunRecord, RunSpec } from './run-one.js';

export interface ChildRequest {
  spec: RunSpec;
  options: Pick<RunOneOptions, 'experimentFile' | 'analyses' | 'runsDir'>;
  verbose: boolean;
}
export type ChildReply = { type: 'done'; record: RunRecord } | { type: 'unavailable'; message: string } | { type: 'error'; message: string };

/** Outcome of one run: its record, or why its strategy could not be built. */
export type RunOutcome = { spec: RunSpec; record: RunRecord } | { spec: RunSpec; unavailable: string };

const CHILD = new URL(import.meta.url.endsWith('.ts') ? './run-child.ts' : './run-child.js', import.meta.url);

/** Runs one study run in a child process (its own TensorFlow.js backend and core). */
function runInChild(req: ChildRequest): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    // under vitest the sources are TypeScript: the child compiles them with tsx
    const child = fork(fileURLToPath(CHILD), [], { execArgv: CHILD.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [], stdio: 'inherit' });
    let settled = false;
    child.on('message', (m: ChildReply) => {
      settled = true;
      if (m.type === 'done') resolve({ spec: req.spec, record: m.record });
      else if (m.type === 'unavailable') resolve({ spec: req.spec, unavailable: m.message });
      else reject(new Error(`study run ${req.spec.strategy} fold ${req.spec.fold} r ${req.spec.ratio} seed ${req.spec.seed} failed in its child process:\n${m.message}`));
    });
    child.on('error', (e) => !settled && ((settled = true), reject(e)));
    child.on('exit', (code, signal) => {
      if (!settled) reject(new Error(`study run ${req.spec.strategy} fold ${req.spec.fold} r ${req.spec.ratio} seed ${req.spec.seed}: child process exited (${signal ?? `code ${code}`}) without a result`));
    });
    child.send(req);
  });
}

/**
 * Runs the requests `jobs` at a time, each in its own process, calling `onDone` as each
 * ends. The first failure stops new runs and is thrown once the running ones end.
 */
export async function runParallel(
  requests: ChildRequest[],
  jobs: number,
  hooks: { skip: (r: ChildRequest) => boolean; onStart: (r: ChildRequest) => void; onDone: (o: RunOutcome) => void },
): Promise<void> {
  const queue = [...requests];
  let failure: unknown;
  const lane = async () => {
    for (let r = queue.shift(); r && failure === undefined; r = queue.shift()) {
      if (hooks.skip(r)) continue;
      hooks.onStart(r);
      try {
        hooks.onDone(await runInChild(r));
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, requests.length)) }, lane));
  if (failure !== undefined) throw failure;
}
