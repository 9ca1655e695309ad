#!/usr/bin/env node
// Scaffolds a dataset-adapter plugin package: `node tools/generators/new-adapter.mjs <name> [--out <dir>] [--scope @my]`.
// The package depends on @iern/core only (plugins never depend on each other) and ships a test
// that builds a tiny fixture and checks counts, labels and the error for a missing label file.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');

export function parseArgs(argv) {
  const args = { name: undefined, out: path.join(ROOT, 'packages'), scope: '@iern', force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') args.out = path.resolve(argv[++i]);
    else if (a === '--scope') args.scope = argv[++i];
    else if (a === '--force') args.force = true;
    else if (a === '-h' || a === '--help') args.help = true;
    else if (!args.name) args.name = a;
    else throw new Error(`unexpected argument '${a}'`);
  }
  return args;
}

/** `my-lab` -> `MyLab` / `myLab`. */
const pascal = (s) => s.replace(/(^|[-_])([a-z0-9])/g, (_, __, c) => c.toUpperCase());
const camel = (s) => pascal(s).replace(/^./, (c) => c.toLowerCase());

/** Writes the package; returns the files written (relative to the package folder). */
export function scaffold({ name, out, scope = '@iern', force = false }) {
  if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`adapter name must be lower-case kebab-case (e.g. my-lab), got '${name ?? ''}'`);
  const dir = path.join(out, `datasets-${name}`);
  if (existsSync(dir) && !force) throw new Error(`${dir} already exists (use --force to overwrite)`);
  const vars = {
    NAME: name,
    PASCAL: pascal(name),
    CAMEL: camel(name),
    PKG: `${scope}/datasets-${name}`,
    CORE_VERSION: JSON.parse(readFileSync(path.join(ROOT, 'packages/core/package.json'), 'utf8')).version,
    TSCONFIG_BASE: path.relative(dir, path.join(ROOT, 'tsconfig.base.json')).split(path.sep).join('/'),
    CORE_REF: path.relative(dir, path.join(ROOT, 'packages/core')).split(path.sep).join('/'),
  };
  const written = [];
  const walk = (src, rel) => {
    for (const e of readdirSync(src, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(src, e.name), path.join(rel, e.name));
      else {
        const target = path.join(rel, e.name.replace(/\.tmpl$/, '').replace(/__NAME__/g, name));
        const text = readFileSync(path.join(src, e.name), 'utf8').replace(/__([A-Z_]+)__/g, (m, k) => vars[k] ?? m);
        mkdirSync(path.dirname(path.join(dir, target)), { recursive: true });
        writeFileSync(path.join(dir, target), text);
        written.push(target.split(path.sep).join('/'));
      }
    }
  };
  walk(path.join(here, 'templates'), '');
  return { dir, files: written.sort() };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const args = parseArgs(process.argv.slice(2));
    if (args.help || !args.name) {
      process.stdout.write('usage: node tools/generators/new-adapter.mjs <name> [--out <dir>] [--scope @scope] [--force]\n');
      process.exit(args.help ? 0 : 2);
    }
    const { dir, files } = scaffold(args);
    process.stdout.write(`created ${dir}\n${files.map((f) => `  ${f}`).join('\n')}\n`);
    process.stdout.write(`next: add it to the root package.json workspaces and vitest aliases if you import it by name; run its test with\n  npx vitest run ${path.relative(ROOT, path.join(dir, 'test'))}\n`);
  } catch (e) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(2);
  }
}
