import sharp from 'sharp';
import { writeFileAtomic } from '@iern/core';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A confusion matrix (rows = true class) as SVG: cells shaded by row-normalised rate, counts printed. */
export function confusionSvg(confusion: number[][], classes: string[], title: string): string {
  const cell = 64;
  const left = 96;
  const top = 72;
  const n = classes.length;
  const W = left + n * cell + 16;
  const H = top + n * cell + 40;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" font-size="14" text-anchor="middle">${esc(title)}</text>`,
    `<text x="${left + (n * cell) / 2}" y="${H - 10}" font-size="12" text-anchor="middle">predicted</text>`,
  ];
  confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((v, j) => {
      const rate = total ? v / total : 0;
      const shade = Math.round(255 - rate * 200);
      const fill = i === j ? `rgb(${shade},${Math.round(255 - rate * 120)},${shade})` : `rgb(255,${shade},${shade})`;
      const x = left + j * cell;
      const y = top + i * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#999"/>`);
      parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 5}" font-size="13" text-anchor="middle" fill="${rate > 0.6 ? 'white' : 'black'}">${v}</text>`);
    });
    parts.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" font-size="12" text-anchor="end">${esc(classes[i] ?? '')}</text>`);
  });
  classes.forEach((c, j) => parts.push(`<text x="${left + j * cell + cell / 2}" y="${top - 8}" font-size="10" text-anchor="middle">${esc(c.slice(0, 10))}</text>`));
  parts.push('</svg>');
  return parts.join('\n');
}

/** Renders the SVG with sharp and writes the PNG atomically. */
export async function writeConfusionPng(file: string, confusion: number[][], classes: string[], title: string): Promise<void> {
  const png = await sharp(Buffer.from(confusionSvg(confusion, classes, title))).png().toBuffer();
  await writeFileAtomic(file, png);
}
