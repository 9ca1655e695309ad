import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';

/** A fresh temp folder; `cleanup()` removes it. */
export function tempRoot(prefix = 'iern-ds-'): { root: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Writes a text file, creating folders. */
export function writeText(file: string, text: string | Uint8Array): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** Writes a tiny image (format from the extension) whose pixels are all `value` (grey or RGB). */
export async function writeImage(file: string, value = 128, size: [number, number] = [4, 4], channels: 1 | 3 = 3): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  const [w, h] = size;
  const data = Buffer.alloc(w * h * channels, value);
  let img = sharp(data, { raw: { width: w, height: h, channels } });
  const ext = path.extname(file).toLowerCase();
  img = ext === '.png' ? img.png() : ext === '.tif' || ext === '.tiff' ? img.tiff() : ext === '.webp' ? img.webp() : img.jpeg();
  await img.toFile(file);
  return file;
}

/** Writes many images in parallel. */
export async function writeImages(files: string[], value = 128): Promise<void> {
  await Promise.all(files.map((f) => writeImage(f, value)));
}

/** A pickle (protocol 2, as `pickle.dumps(d, 2)` writes it) of a str -> str dict. */
export function pickleStrDict(d: Record<string, string>): Uint8Array {
  const parts: number[] = [0x80, 2, 0x7d, 0x71, 0];
  const enc = new TextEncoder();
  let memo = 1;
  const entries = Object.entries(d);
  const str = (s: string) => {
    const b = enc.encode(s);
    parts.push(0x58, b.length & 255, (b.length >> 8) & 255, (b.length >> 16) & 255, b.length >>> 24, ...b);
    if (memo < 256) parts.push(0x71, memo++);
    else {
      parts.push(0x72, memo & 255, (memo >> 8) & 255, (memo >> 16) & 255, memo >>> 24);
      memo++;
    }
  };
  for (let i = 0; i < entries.length; i += 1000) {
    parts.push(0x28);
    for (const [k, v] of entries.slice(i, i + 1000)) {
      str(k);
      str(v);
    }
    parts.push(0x75);
  }
  parts.push(0x2e);
  return Uint8Array.from(parts);
}

/** FER2013-style pixel string (48x48) filled with `v`. */
export function ferPixels(v: number): string {
  return Array.from({ length: 48 * 48 }, () => String(v)).join(' ');
}
