import { readFileSync } from 'node:fs';
import { DataError } from '@iern/core';
import { parseCsv } from '../formats/csv.js';

export interface FoldListEntry {
  /** `<Source>/images/<file>`, the part of the path that identifies an image. */
  key: string;
  line: number;
}

/**
 * Reads an official MixBasic fold list (`train_ids_bias100v1.csv`): one relative image path
 * per line, e.g. `MixBasic/CKPlus/images/S010_004_00000017.png`. Backslashes, `./`, quotes,
 * an index column and a header row (a first line that is not an image path) are tolerated.
 * Every path must end in `<Source>/images/<file>`; others are an error naming the line.
 */
export function readFoldList(file: string): FoldListEntry[] {
  const records = parseCsv(readFileSync(file, 'utf8'), { file });
  const out: FoldListEntry[] = [];
  records.forEach((r, i) => {
    const field = r.fields.map((f) => f.trim()).find((f) => /\.(png|jpe?g|tiff?|bmp|webp)$/i.test(f));
    if (!field) {
      if (i === 0) return; // header
      throw new DataError(file, `expected an image path such as MixBasic/CKPlus/images/S010_004_00000017.png, got '${r.fields.join(',')}'`, r.line);
    }
    const parts = field.replace(/\\/g, '/').split('/').filter((p) => p && p !== '.');
    if (parts.length < 3 || parts[parts.length - 2]!.toLowerCase() !== 'images') {
      throw new DataError(file, `path '${field}' does not end in <Source>/images/<file>`, r.line);
    }
    out.push({ key: foldKey(parts[parts.length - 3]!, parts[parts.length - 1]!), line: r.line });
  });
  return out;
}

/** The key that matches a fold-list path to an image: `<source lower-case>/<file>`. */
export function foldKey(source: string, file: string): string {
  return `${source.toLowerCase()}/${file}`;
}
