#!/usr/bin/env node
// Committed launcher, so npm links the `iern` bin at install time even before the first build.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('iern: the CLI is not built yet: run `npm run build` in the repository root\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main();
