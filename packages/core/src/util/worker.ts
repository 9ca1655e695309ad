import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Starts a worker thread on `entry`, the sibling of the calling module named `name` (`.js`
 * when built; `.ts` when the caller runs from TypeScript sources under vitest, where tsx is
 * registered inside the thread first). `bootError` describes the message the thread posts if
 * its entry fails to load, in the caller's own protocol: `bootError.message` with the error
 * text in its field `bootError.field`.
 */
export function startWorker(
  callerUrl: string,
  name: string,
  workerData: unknown,
  bootError: { message: Record<string, unknown>; field: string },
): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const entry = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, callerUrl);
  if (!fromSource) return new Worker(entry, { workerData });
  const require = createRequire(import.meta.url);
  // The ESM build of tsx's API (require.resolve gives the CommonJS one).
  const api = pathToFileURL(require.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  const tsconfig = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
  const code = `(async () => {
    const { register } = await import(${JSON.stringify(api)});
    register({ tsconfig: ${JSON.stringify(tsconfig)} });
    await import(${JSON.stringify(entry.href)});
  })().catch((e) => require('node:worker_threads').parentPort.postMessage(
    { ...${JSON.stringify(bootError.message)}, [${JSON.stringify(bootError.field)}]: String(e && e.stack || e) }));`;
  return new Worker(code, { eval: true, workerData });
}
