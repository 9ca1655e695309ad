import type { Command } from 'commander';
import { makeLogger, runCommand } from '../cli-helpers.js';
import { loadModel } from '../predict/load-model.js';
import { formatPredictions, predictImages } from '../predict/predict-images.js';

export function register(program: Command): void {
  program
    .command('predict')
    .description('predict the emotion of images with a checkpoint (uses the preprocessing stored in it): probabilities and per-stratum logits')
    .argument('<checkpoint>', 'checkpoint written by iern train (last.ckpt, best_<metric>.ckpt, ...)')
    .argument('<images...>', 'image files (JPEG, PNG, WebP, ...)')
    .option('--json', 'print JSON: {predictions: [...], failures: [...]}')
    .action((checkpoint: string, images: string[], opts: { json?: boolean }) =>
      runCommand(async () => {
        const logger = makeLogger((process.env['IERN_LOG_LEVEL'] as 'info' | undefined) ?? 'warn');
        const model = await loadModel(checkpoint, logger);
        try {
          const out = await predictImages(model, images, model.config.eval.batchSize);
          process.stdout.write(opts.json ? JSON.stringify(out, null, 2) + '\n' : formatPredictions(out));
          for (const f of out.failures) process.stderr.write(`error: ${f.image}: ${f.reason}\n`);
          return out.failures.length ? 1 : 0;
        } finally {
          model.dispose();
        }
      }),
    );
}
