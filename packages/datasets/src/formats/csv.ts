import { readFileSync } from 'node:fs';
import { DataError } from '@iern/core';

export interface CsvOptions {
  /** Field separator (default `,`). */
  delimiter?: string;
  /** Quote character (default `"`; the Abstract set uses `'`). */
  quote?: string;
  /** File name used in error messages. */
  file?: string;
}

/** One parsed record and the 1-based line it starts on (quoted fields may span lines). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * RFC 4180 parser: quoted fields, doubled quotes inside quotes, CRLF or LF, newlines inside
 * quotes, a UTF-8 BOM. Blank and whitespace-only lines are skipped. An unterminated quote is an error naming the line.
 */
export function parseCsv(text: string, opts: CsvOptions = {}): CsvRecord[] {
  const delim = (opts.delimiter ?? ',').charCodeAt(0);
  const quote = (opts.quote ?? '"').charCodeAt(0);
  const file = opts.file ?? '<csv>';
  const out: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;
  let fields: string[] = [];
  let recordLine = 1;
  let fieldStart = true;
  while (i <= n) {
    // a quote after leading spaces still opens a quoted field (`a, "b"`)
    let q = i;
    while (fieldStart && q < n && text.charCodeAt(q) === 32) q++;
    if (fieldStart && q < n && text.charCodeAt(q) === quote) {
      i = q;
      // quoted field
      const startLine = line;
      let j = i + 1;
      let value = '';
      for (;;) {
        const k = text.indexOf(String.fromCharCode(quote), j);
        if (k < 0) throw new DataError(file, 'unterminated quoted field', startLine);
        const chunk = text.slice(j, k);
        for (let p = chunk.indexOf('\n'); p >= 0; p = chunk.indexOf('\n', p + 1)) line++;
        value += chunk;
        if (text.charCodeAt(k + 1) === quote) {
          value += String.fromCharCode(quote);
          j = k + 2;
        } else {
          j = k + 1;
          break;
        }
      }
      // anything between the closing quote and the delimiter is kept (lenient)
      let e = j;
      while (e < n && text.charCodeAt(e) !== delim && text.charCodeAt(e) !== 10 && text.charCodeAt(e) !== 13) e++;
      fields.push(value + text.slice(j, e));
      i = e;
    } else {
      let e = i;
      while (e < n && text.charCodeAt(e) !== delim && text.charCodeAt(e) !== 10 && text.charCodeAt(e) !== 13) e++;
      fields.push(text.slice(i, e));
      i = e;
    }
    fieldStart = false;
    const c = i < n ? text.charCodeAt(i) : -1;
    if (c === delim) {
      i++;
      fieldStart = true;
      continue;
    }
    // end of record (newline or end of text)
    // a blank (or whitespace-only) line is not a record
    if (!(fields.length === 1 && fields[0]!.trim() === '')) out.push({ fields, line: recordLine });
    fields = [];
    if (c === 13) i++;
    if (i < n && text.charCodeAt(i) === 10) i++;
    if (c === -1) break;
    line++;
    recordLine = line;
    fieldStart = true;
    if (i >= n) break;
  }
  return out;
}

/** A CSV/TSV file with a header row; columns are found by (trimmed, case-insensitive) name. */
export interface Table {
  file: string;
  header: string[];
  records: CsvRecord[];
  /** Index of a column by name, or -1. */
  column(name: string): number;
  /** Index of a column by name; an error naming the file when it is absent. */
  require(name: string): number;
}

export function makeTable(file: string, header: string[], records: CsvRecord[]): Table {
  const names = header.map((h) => h.trim().toLowerCase());
  const column = (name: string) => names.indexOf(name.trim().toLowerCase());
  return {
    file,
    header: header.map((h) => h.trim()),
    records,
    column,
    require(name: string) {
      const i = column(name);
      if (i < 0) throw new DataError(file, `missing column '${name}' (header: ${header.map((h) => h.trim()).join(', ')})`, 1);
      return i;
    },
  };
}

/** Reads a delimited file whose first record is the header. */
export function readTable(file: string, opts: Omit<CsvOptions, 'file'> = {}): Table {
  const records = parseCsv(readFileSync(file, 'utf8'), { ...opts, file });
  if (!records.length) throw new DataError(file, 'empty file (expected a header row)');
  return makeTable(file, records[0]!.fields, records.slice(1));
}
