import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the TypeScript sources; the CLI tests spawn the built runner (npm test builds first).
export default defineConfig({
  resolve: {
    alias: {
      '@iern/core': src('./packages/core/src/index.ts'),
      '@iern/backbones': src('./packages/backbones/src/index.ts'),
      '@iern/datasets': src('./packages/datasets/src/index.ts'),
      '@iern/intervention': src('./packages/intervention/src/index.ts'),
      '@iern/runner': src('./apps/runner/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'tools/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['./vitest.setup.ts'],
  },
});
